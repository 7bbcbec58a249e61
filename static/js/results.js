/* The results: the status line (what was found, or why nothing was), the cards and the result pages. */
import * as actions from "./actions.js";
import { renderCard } from "./card.js";
import { changes, clear, el } from "./dom.js";
import { formatDistance, formatNumber } from "./format.js";
import { t, tn } from "./i18n.js";
import { scopeText } from "./labels.js";
import { radiusKm, unitOf } from "./state.js";

const MAX_PAGED = 10000; // the API pages through the first 10,000 results only
const CONTACTS = { "contact-phone": "phone", "contact-email": "email", "contact-web": "website" };

let ui = null;
let focusOnAnswer = false; // a result page was chosen: the list takes the focus when it comes
let served = null; // the cards the server sent with the page: kept for the answer they show, not drawn again
const fresh = changes();

export function init(elements) {
  ui = elements;
  served = Array.from(ui.results.children);
  ui.results.addEventListener("click", function (e) {
    const item = e.target.closest && e.target.closest(".result");
    if (!item) return;
    if (e.target.closest(".details-button")) { actions.openSite(item.dataset.siteId, item); return; }
    const contact = e.target.closest("a[class^='contact-']");
    if (contact && CONTACTS[contact.className]) actions.contacted(CONTACTS[contact.className], item.dataset.siteId);
  });
}

export function render(state) {
  ui.results.setAttribute("aria-busy", state.busy ? "true" : "false");
  document.body.classList.toggle("is-loading", state.busy);
  const status = statusText(state);
  if (ui.status.textContent !== status) ui.status.textContent = status; // a live region: say it once
  if (state.busy || !fresh(state.response, state.error)) return;
  const cards = served;
  served = null;
  if (state.error) { clear(ui.results); ui.pagination.hidden = true; return; }
  const data = state.response, unit = unitOf(state.search), lang = state.search.lang;
  ui.results.classList.toggle("is-fallback", !!data.nearest_fallback);
  if (!adopt(cards, data, state.embedded)) {
    clear(ui.results);
    data.results.forEach(function (site) { ui.results.appendChild(resultItem(site, unit, lang, state.embedded)); });
  }
  renderPagination(data);
  if (focusOnAnswer) { focusOnAnswer = false; ui.results.focus(); }
}

/** What the status line says: busy, or what the answer (or the failure) means. */
function statusText(state) {
  if (state.location.asking) return t("Finding your location…");
  if (state.location.problem) return ""; // the message says why
  if (state.busy) return t("Searching…");
  if (state.error) return errorStatus(state.error, state.search.near);
  if (!state.response) return "";
  const data = state.response, radius = formatDistance(Number(radiusKm(state.search)), unitOf(state.search));
  const scope = scopeText(state.search, data, radius);
  if (data.nearest_fallback) {
    const n = data.results.length;
    return tn("%(count)s nearest partner site beyond %(radius)s.", "%(count)s nearest partner sites beyond %(radius)s.",
              n, { count: formatNumber(n), radius: radius });
  }
  if (!data.results.length) return scope ? t("No partner site found %(scope)s.", { scope: scope }) : t("No partner site found.");
  const found = foundText(data, state.search.collapse);
  return scope ? t("%(found)s %(scope)s.", { found: found, scope: scope }) : t("%(found)s.", { found: found });
}

function foundText(data, collapse) {
  const n = data.total, values = { count: formatNumber(n) };
  const first = (data.page - 1) * data.per_page + 1, last = first + data.results.length - 1;
  let found;
  if (collapse) {
    found = data.total_relation === "gte" ? tn("more than %(count)s partner", "more than %(count)s partners", n, values)
      : tn("%(count)s partner", "%(count)s partners", n, values);
  } else {
    found = data.total_relation === "gte" ? tn("more than %(count)s partner site", "more than %(count)s partner sites", n, values)
      : tn("%(count)s partner site", "%(count)s partner sites", n, values);
  }
  if (n > data.results.length) {
    found = t("Showing %(first)s–%(last)s of %(total)s", { first: formatNumber(first), last: formatNumber(last), total: found });
  }
  return found;
}

/** The status line for a failure (the message box says more). */
function errorStatus(error, near) {
  if (error.status === 400 && error.fields && error.fields.near && error.suggestions) {
    return t("We don’t know a place called “%(place)s”.", { place: near || "" });
  }
  if (error.status === 400 && error.fields && error.fields.place) return t("That place is not known any more.");
  if (error.status === 400) return t("Some search settings were not understood.");
  if (error.status === 503 || error.status === 429) return t("The search is busy right now.");
  if (error.status === 0) return t("The search could not be reached.");
  return t("Something went wrong.");
}

/** The server's cards, when they show this answer (the same sites in the same order; the browser
 *  tests check they are the cards the script would draw): they only get their behaviour. Drawing
 *  them again would paint the page's largest element a second time, once the script has run, and
 *  that later paint is what a phone's visitor waits for (Lighthouse's largest contentful paint). */
function adopt(cards, data, embedded) {
  if (!cards || embedded || cards.length !== data.results.length) return false;
  if (!data.results.every(function (site, i) { return cards[i].dataset.siteId === site.site_id; })) return false;
  cards.forEach(function (item, i) { item.addEventListener("mouseenter", function () { actions.pointAt(data.results[i]); }); });
  return true;
}

/** A card with its behaviour: the name leads to the site's page (in a new tab inside someone else's
 *  page), "Details" opens the listing here, hovering marks it on the map. */
function resultItem(site, unit, lang, embedded) {
  const item = renderCard(site, unit, lang);
  if (embedded) {
    const link = item.querySelector("a.company");
    link.target = "_blank";
    link.rel = "noopener";
  }
  item.addEventListener("mouseenter", function () { actions.pointAt(site); });
  return item;
}

function renderPagination(data) {
  const nav = ui.pagination;
  clear(nav);
  const pages = Math.ceil(Math.min(data.total, MAX_PAGED) / data.per_page);
  if (data.nearest_fallback || pages <= 1) { nav.hidden = true; return; }
  nav.hidden = false;
  const current = data.page;
  const list = el("ul");
  list.appendChild(el("li", {}, el("button", { type: "button", class: "btn", disabled: current <= 1, onclick: goTo(current - 1), text: "\u2039 " + t("Previous") })));
  pageWindow(current, pages).forEach(function (page) {
    if (page === null) { list.appendChild(el("li", { class: "gap", "aria-hidden": "true", text: "\u2026" })); return; }
    list.appendChild(el("li", {}, el("button", {
      type: "button", class: page === current ? "btn is-current" : "btn", "aria-current": page === current ? "page" : null,
      "aria-label": t("Page %(page)s", { page: formatNumber(page) }), onclick: page === current ? null : goTo(page), text: formatNumber(page) })));
  });
  list.appendChild(el("li", {}, el("button", { type: "button", class: "btn", disabled: current >= pages, onclick: goTo(current + 1), text: t("Next") + " \u203a" })));
  nav.appendChild(list);
}

function goTo(page) {
  return function () { focusOnAnswer = true; actions.goToPage(page); };
}

/** The first, the last, the current and its neighbours; null where pages are left out. */
function pageWindow(current, pages) {
  const out = [], wanted = {};
  [1, pages, current - 1, current, current + 1].forEach(function (p) { if (p >= 1 && p <= pages) wanted[p] = true; });
  const keys = Object.keys(wanted).map(Number).sort(function (a, b) { return a - b; });
  keys.forEach(function (p, i) { if (i && p - keys[i - 1] > 1) out.push(null); out.push(p); });
  return out;
}
