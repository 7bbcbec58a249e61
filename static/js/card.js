/* The result card: its view (display.card_view's twin) and a filled clone of the page's #card-template,
 * from the values it is given (the visitor's unit and language); it reads no store. */
import { fill } from "./template.js";
import { CERTS, TIERS, capitalise, certName, countryName, formatDistance, formatNumber, languageName, tierLabel } from "./format.js";
import { t, tn } from "./i18n.js";
import { safeEmail, safeTel, safeWebUrl, webHost } from "./links.js";

/** A new card for one API result, in `unit` ("km", "mi") and linking to its page in `lang` (or the
 *  default language: null); the caller adds behaviour (buttons, hover). */
export function renderCard(site, unit, lang) {
  const prototype = document.getElementById("card-template").content.firstElementChild;
  const item = prototype.cloneNode(true);
  fill(item, cardView(site, unit, lang));
  return item;
}

/** The values of the card's slots; locator/api/display.py card_view makes the same for the server. */
function cardView(site, unit, lang) {
  const distance = site.distance_km;
  const others = site.other_matching_sites || 0;
  return Object.assign({
    site_id: site.site_id,
    title_id: "r-" + site.site_id,
    distance_value: distance === null || distance === undefined ? "" : String(distance),
    company: site.company || "",
    page_href: pageHref(site, lang),
    tier_class: tierClass(site.tier),
    tier_badge: tierBadgeText(site.tier),
    site_name: site.site_name || "",
    distance: distance === null || distance === undefined ? "" : t("%(distance)s away", { distance: formatDistance(distance, unit) }),
    address: addressLines(site.address).join(", "),
    certs: CERTS.map(function (code) { return certView(code, (site.certifications || {})[code] || 0); }),
    languages: (site.languages || []).map(languageName).join(", "),
    industries: (site.industries || []).map(function (name) { return { name: capitalise(name) }; }),
    other_sites: others ? tn("+ %(count)s other matching site", "+ %(count)s other matching sites", others,
                             { count: formatNumber(others) }) : ""
  }, contactView(site.contact || {}));
}

function certView(code, n) {
  const name = certName(code);
  return { code: code, name: name, n: String(n), class: n ? "cert" : "cert cert-none",
           title: tn("%(name)s: %(count)s person", "%(name)s: %(count)s people", n, { name: name, count: formatNumber(n) }) };
}

/** Only checked links: a value that fails its check is left out of the card. */
function contactView(contact) {
  const tel = safeTel(contact.phone), mail = safeEmail(contact.email), web = safeWebUrl(contact.website);
  return { contact: !!(tel || mail || web),
           phone: tel ? contact.phone : "", phone_href: tel || "",
           email: mail ? contact.email : "", email_href: mail || "",
           website_host: web ? webHost(web) : "", website_href: web || "" };
}

/** The site's own page, in the language the search page was asked for ("?lang=de", as
 *  locator/api/i18n.py lang_query writes it). */
export function pageHref(site, lang) {
  return (site.page_url || "") + (lang ? "?lang=" + encodeURIComponent(lang) : "");
}

export function addressLines(address) {
  address = address || {};
  const cityLine = [address.postal_code, address.city].filter(Boolean).join(" ");
  return [address.street, cityLine, address.region, countryName(address.country)].filter(Boolean);
}

export function tierClass(tier) { return "badge tier-" + (TIERS.indexOf(tier) >= 0 ? tier : "other"); }

export function tierBadgeText(tier) { return t("%(tier)s partner", { tier: tierLabel(tier) }); }
