/* The detail dialog: one listing with its contact details and the partner's other sites in that country. */
import { getJSON } from "./api.js";
import { addressLines, pageHref, tierBadgeText, tierClass } from "./card.js";
import { clear, el } from "./dom.js";
import { CERTS, capitalise, certName, countryName, formatDistance, languageName } from "./format.js";
import { t, tParts } from "./i18n.js";
import { safeEmail, safeTel, safeWebUrl } from "./links.js";
import { store, syncUrl } from "./state.js";

const EARTH_RADIUS_KM = 6371.0088; // the mean radius the API's distances use

export function openDetail(siteId, fromElement) {
  const ui = store.ui, seq = ++store.detail.seq;
  store.detail.returnFocus = fromElement && fromElement.querySelector ? fromElement.querySelector(".details-button") : document.activeElement;
  store.state.site = siteId;
  syncUrl(false);
  clear(ui.detailBody);
  ui.detailBody.appendChild(el("p", { class: "muted", id: "detail-title", text: t("Loading…") }));
  showDialog(fromElement);
  getJSON("/partners/" + encodeURIComponent(siteId)).then(function (site) {
    if (seq !== store.detail.seq) return;
    renderDetail(site);
    if (store.mapView) store.mapView.highlight(site);
  }, function (error) {
    if (seq !== store.detail.seq) return;
    clear(ui.detailBody);
    ui.detailBody.appendChild(el("h2", { id: "detail-title", text: error.status === 404 ? t("Listing not found") : t("Could not load this listing") }));
    ui.detailBody.appendChild(el("p", { text: error.status === 404
      ? t("This partner site is not listed (any more).") : t("Please try again in a moment.") }));
  });
}

function showDialog(fromElement) {
  const dialog = store.ui.detail;
  if (dialog.open) return;
  if (store.embedded) {
    // Inside an iframe sized to its content a centred modal may be off-screen: open it where the user is.
    const top = fromElement && fromElement.getBoundingClientRect ? fromElement.getBoundingClientRect().top + window.scrollY : window.scrollY + 20;
    dialog.style.top = Math.max(8, top) + "px";
    dialog.show();
    dialog.scrollIntoView({ block: "nearest" });
  } else if (dialog.showModal) {
    dialog.showModal();
  } else {
    dialog.setAttribute("open", "");
  }
  store.ui.detailClose.focus();
}

export function closeDetail() {
  if (store.ui.detail.open) store.ui.detail.close(); // the "close" event (async) forgets the site and restores focus
}

/** The dialog closed (any way): the URL forgets the listing and the focus goes back where it was. */
export function onDetailClosed() {
  const back = store.detail.returnFocus;
  store.state.site = null;
  syncUrl(false);
  if (back && document.contains(back)) back.focus();
}

function renderDetail(site) {
  const body = store.ui.detailBody, origin = store.lastResponse && store.lastResponse.origin;
  const km = origin && site.location ? greatCircleKm(origin.lat, origin.lon, site.location.lat, site.location.lon) : null;
  clear(body);
  body.appendChild(el("div", { class: "detail-head" },
    el("h2", { id: "detail-title", translate: "no", text: site.company }), el("span", { class: tierClass(site.tier), text: tierBadgeText(site.tier) })));
  if (site.site_name) body.appendChild(el("p", { class: "site-name", translate: "no", text: site.site_name }));
  if (km !== null) {
    body.appendChild(el("p", { class: "distance", text: t("%(distance)s from %(place)s", { distance: formatDistance(km), place: origin.label || t("your location") }) }));
  }
  body.appendChild(detailFacts(site));
  if (site.description) body.appendChild(el("p", { class: "description", translate: "no", text: site.description }));
  body.appendChild(detailActions(site));
  const others = site.other_sites_in_country || [];
  if (others.length) {
    body.appendChild(el("h3", {}, tParts("Other %(company)s sites in %(country)s", {
      company: el("span", { translate: "no", text: site.company }), country: countryName(site.address && site.address.country) })));
    body.appendChild(el("ul", { class: "other-sites" }, others.map(otherSite)));
  }
}

function detailFacts(site) {
  const contact = site.contact || {}, facts = el("dl", { class: "facts" });
  const fact = function (term, value, data) {
    if (value) facts.appendChild(el("div", {}, el("dt", { text: term }), el("dd", { translate: data ? "no" : null }, value)));
  };
  const tel = safeTel(contact.phone), mail = safeEmail(contact.email), web = safeWebUrl(contact.website);
  fact(t("Address"), el("address", {}, addressLines(site.address).map(function (line, i) { return [i ? el("br") : null, line]; })), true);
  fact(t("Phone"), tel ? el("a", { href: tel, text: contact.phone }) : contact.phone, true);
  fact(t("Email"), mail ? el("a", { href: mail, text: contact.email }) : contact.email, true);
  fact(t("Website"), web ? el("a", { href: web, target: "_blank", rel: "noopener noreferrer nofollow", text: contact.website }) : null, true);
  fact(t("Languages"), (site.languages || []).map(languageName).join(", "));
  fact(t("Industries"), (site.industries || []).map(capitalise).join(", "), true);
  fact(t("Certified staff"), el("ul", { class: "cert-list" }, CERTS.map(function (c) {
    const n = (site.certifications || {})[c] || 0;
    return el("li", {}, el("strong", { text: String(n) }), " ", el("span", { translate: "no", text: certName(c) + " (" + c + ")" }));
  })));
  return facts;
}

function detailActions(site) {
  const actions = el("p", { class: "detail-actions" });
  if (store.mapView && site.location) {
    actions.appendChild(el("button", { type: "button", class: "btn", text: t("Show on map"),
      onclick: function () { closeDetail(); store.mapView.focusSite(site); } }));
  }
  actions.appendChild(el("a", { class: "btn btn-link", href: pageHref(site), target: store.embedded ? "_blank" : null,
                                 rel: store.embedded ? "noopener" : null, text: t("Link to this listing") }));
  return actions;
}

function otherSite(other) {
  return el("li", {},
    el("button", { type: "button", class: "link-button", translate: "no", text: other.site_name || (other.address && other.address.city) || other.site_id,
                   onclick: function () { openDetail(other.site_id, null); } }),
    el("span", { class: "muted", translate: "no", text: " \u2013 " + addressLines(other.address).slice(0, 2).join(", ") }));
}

function greatCircleKm(lat1, lon1, lat2, lon2) {
  const rad = Math.PI / 180, dLat = (lat2 - lat1) * rad, dLon = (lon2 - lon1) * rad;
  const a = Math.sin(dLat / 2) * Math.sin(dLat / 2) +
            Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.sin(dLon / 2) * Math.sin(dLon / 2);
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(a)));
}
