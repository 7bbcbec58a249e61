/* The detail dialog: one listing with its contact details and the partner's other sites in that country. */
import * as actions from "./actions.js";
import { addressLines, pageHref, tierBadgeText, tierClass } from "./card.js";
import { changes, clear, el } from "./dom.js";
import { CERTS, capitalise, certName, countryName, formatDistance, languageName } from "./format.js";
import { t, tParts } from "./i18n.js";
import { safeEmail, safeTel, safeWebUrl } from "./links.js";
import { unitOf } from "./state.js";

const EARTH_RADIUS_KM = 6371.0088; // the mean radius the API's distances use

let ui = null;
let returnFocus = null; // where the focus goes back when the dialog closes
const fresh = changes();

export function init(elements) {
  ui = elements;
  ui.detailClose.addEventListener("click", close);
  ui.detail.addEventListener("close", function () { // closed any way: the URL forgets it, the focus goes back
    actions.closeSite();
    const back = returnFocus;
    returnFocus = null;
    if (back && document.contains(back)) back.focus();
  });
  ui.detail.addEventListener("click", function (e) { if (e.target === ui.detail) close(); }); // the backdrop
  document.addEventListener("keydown", function (e) { if (e.key === "Escape" && ui.detail.open) close(); });
}

function close() { if (ui.detail.open) ui.detail.close(); }

export function render(state) {
  const detail = state.detail;
  if (!fresh(detail, state.embedded, state.mapShown)) return;
  if (!detail.site) { close(); return; }
  if (!ui.detail.open) open(detail.from, state.embedded);
  clear(ui.detailBody);
  if (detail.listing) renderListing(detail.listing, state);
  else if (detail.error) renderFailure(detail.error);
  else ui.detailBody.appendChild(el("p", { class: "muted", id: "detail-title", text: t("Loading…") }));
}

function open(from, embedded) {
  const dialog = ui.detail;
  returnFocus = from && from.querySelector ? from.querySelector(".details-button") : document.activeElement;
  if (embedded) {
    // Inside an iframe sized to its content a centred modal may be off-screen: open it where the user is.
    const top = from && from.getBoundingClientRect ? from.getBoundingClientRect().top + window.scrollY : window.scrollY + 20;
    dialog.style.top = Math.max(8, top) + "px";
    dialog.show();
    dialog.scrollIntoView({ block: "nearest" });
  } else if (dialog.showModal) {
    dialog.showModal();
  } else {
    dialog.setAttribute("open", "");
  }
  ui.detailClose.focus();
}

function renderFailure(error) {
  ui.detailBody.appendChild(el("h2", { id: "detail-title", text: error.status === 404 ? t("Listing not found") : t("Could not load this listing") }));
  ui.detailBody.appendChild(el("p", { text: error.status === 404
    ? t("This partner site is not listed (any more).") : t("Please try again in a moment.") }));
}

function renderListing(site, state) {
  const body = ui.detailBody, origin = state.response && state.response.origin, unit = unitOf(state.search);
  const km = origin && site.location ? greatCircleKm(origin.lat, origin.lon, site.location.lat, site.location.lon) : null;
  body.appendChild(el("div", { class: "detail-head" },
    el("h2", { id: "detail-title", translate: "no", text: site.company }), el("span", { class: tierClass(site.tier), text: tierBadgeText(site.tier) })));
  if (site.site_name) body.appendChild(el("p", { class: "site-name", translate: "no", text: site.site_name }));
  if (km !== null) {
    body.appendChild(el("p", { class: "distance", text: t("%(distance)s from %(place)s", {
      distance: formatDistance(km, unit), place: origin.label || t("your location") }) }));
  }
  body.appendChild(facts(site));
  if (site.description) body.appendChild(el("p", { class: "description", translate: "no", text: site.description }));
  body.appendChild(detailActions(site, state));
  const others = site.other_sites_in_country || [];
  if (others.length) {
    body.appendChild(el("h3", {}, tParts("Other %(company)s sites in %(country)s", {
      company: el("span", { translate: "no", text: site.company }), country: countryName(site.address && site.address.country) })));
    body.appendChild(el("ul", { class: "other-sites" }, others.map(otherSite)));
  }
}

function facts(site) {
  const contact = site.contact || {}, list = el("dl", { class: "facts" });
  const fact = function (term, value, data) {
    if (value) list.appendChild(el("div", {}, el("dt", { text: term }), el("dd", { translate: data ? "no" : null }, value)));
  };
  const used = function (type) { return function () { actions.contacted(type, site.site_id); }; };
  const tel = safeTel(contact.phone), mail = safeEmail(contact.email), web = safeWebUrl(contact.website);
  fact(t("Address"), el("address", {}, addressLines(site.address).map(function (line, i) { return [i ? el("br") : null, line]; })), true);
  fact(t("Phone"), tel ? el("a", { href: tel, text: contact.phone, onclick: used("phone") }) : contact.phone, true);
  fact(t("Email"), mail ? el("a", { href: mail, text: contact.email, onclick: used("email") }) : contact.email, true);
  fact(t("Website"), web ? el("a", { href: web, target: "_blank", rel: "noopener noreferrer nofollow", text: contact.website,
                                      onclick: used("website") }) : null, true);
  fact(t("Languages"), (site.languages || []).map(languageName).join(", "));
  fact(t("Industries"), (site.industries || []).map(capitalise).join(", "), true);
  fact(t("Certified staff"), el("ul", { class: "cert-list" }, CERTS.map(function (c) {
    const n = (site.certifications || {})[c] || 0;
    return el("li", {}, el("strong", { text: String(n) }), " ", el("span", { translate: "no", text: certName(c) + " (" + c + ")" }));
  })));
  return list;
}

function detailActions(site, state) {
  const line = el("p", { class: "detail-actions" });
  if (state.mapShown && site.location) {
    line.appendChild(el("button", { type: "button", class: "btn", text: t("Show on map"), onclick: function () { actions.showOnMap(site); } }));
  }
  line.appendChild(el("a", { class: "btn btn-link", href: pageHref(site, state.search.lang), target: state.embedded ? "_blank" : null,
                             rel: state.embedded ? "noopener" : null, text: t("Link to this listing") }));
  return line;
}

function otherSite(other) {
  return el("li", {},
    el("button", { type: "button", class: "link-button", translate: "no", text: other.site_name || (other.address && other.address.city) || other.site_id,
                   onclick: function () { actions.openSite(other.site_id, null); } }),
    el("span", { class: "muted", translate: "no", text: " \u2013 " + addressLines(other.address).slice(0, 2).join(", ") }));
}

function greatCircleKm(lat1, lon1, lat2, lon2) {
  const rad = Math.PI / 180, dLat = (lat2 - lat1) * rad, dLon = (lon2 - lon1) * rad;
  const a = Math.sin(dLat / 2) * Math.sin(dLat / 2) +
            Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.sin(dLon / 2) * Math.sin(dLon / 2);
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(a)));
}
