/* The results list: the status line, what the answer means, the cards and the result pages. */
import { renderCard } from "./card.js";
import { originLabel, renderControls } from "./controls.js";
import { openDetail } from "./detail.js";
import { clear, el } from "./dom.js";
import { renderFacets } from "./facets.js";
import { countryName, formatDistance, formatNumber } from "./format.js";
import { catalog, t, tn, tParts } from "./i18n.js";
import { placeButtons, showMessage } from "./messages.js";
import { changeSearch, clearAllFilters } from "./search.js";
import { filterCount, radiusKm, store, unitOf } from "./state.js";

const MAX_PAGED = 10000; // the API pages through the first 10,000 results only

export function renderResponse(data) {
  const ui = store.ui;
  if (data.facets) store.lastFacets = data.facets; // later pages come without: the filters stay page 1's
  renderControls();
  renderFacets(store.lastFacets);
  clear(ui.results);
  ui.message.hidden = true;
  clear(ui.message);
  if (store.notice) showMessage(store.notice.kind, store.notice.build());
  if (data.nearest_fallback) describeFallback(data);
  else if (!data.results.length) describeNothing(data);
  else describeResults(data);
  ui.results.classList.toggle("is-fallback", !!data.nearest_fallback);
  data.results.forEach(function (site) { ui.results.appendChild(resultItem(site)); });
  renderPagination(data);
}

function radiusText() { return formatDistance(Number(radiusKm(store.state))); }

/** What was searched and where, as one phrase ("matching “x” within 100 km of Aarhus"), or "". */
function scopeText(data) {
  const reading = data.interpreted_as, words = store.state.q || (reading && reading.words);
  const country = reading && reading.country ? countryName(reading.country) : null;
  const near = data.origin && !country ? { radius: radiusText(), place: originLabel() } : null;
  if (store.state.bbox) return words ? t("matching “%(words)s” in the map area", { words: words }) : t("in the map area");
  if (words && near) return t("matching “%(words)s” within %(radius)s of %(place)s", Object.assign({ words: words }, near));
  if (words && country) return t("matching “%(words)s” in %(country)s", { words: words, country: country });
  if (words) return t("matching “%(words)s”", { words: words });
  if (near) return t("within %(radius)s of %(place)s", near);
  if (country) return t("in %(country)s", { country: country });
  return "";
}

function sentence(found, scope) {
  return scope ? t("%(found)s %(scope)s.", { found: found, scope: scope }) : t("%(found)s.", { found: found });
}

function describeFallback(data) {
  const n = data.results.length, scope = scopeText(data);
  store.ui.status.textContent = tn("%(count)s nearest partner site beyond %(radius)s.", "%(count)s nearest partner sites beyond %(radius)s.",
                                   n, { count: formatNumber(n), radius: radiusText() });
  showMessage("info", [
    el("p", { class: "message-title", text: t("No partner %(scope)s; the nearest ones:", { scope: scope }) }),
    widenRadiusButton()
  ]);
  store.ui.message.classList.add("fallback");
}

function describeNothing(data) {
  const s = store.state, scope = scopeText(data), words = s.q || (data.interpreted_as && data.interpreted_as.words);
  const text = scope ? t("No partner site found %(scope)s.", { scope: scope }) : t("No partner site found.");
  store.ui.status.textContent = text;
  showMessage("info", [
    el("p", { class: "message-title", text: text }),
    el("p", { text: filterCount(s) ? (words ? t("Try removing some filters or other words.") : t("Try removing some filters.")) :
                    words ? t("Check the spelling or try other words.") : t("Try another search.") }),
    filterCount(s) ? el("button", { type: "button", class: "btn", text: t("Clear all filters"), onclick: clearAllFilters }) : null
  ]);
}

function describeResults(data) {
  const s = store.state, n = data.total;
  const first = (data.page - 1) * data.per_page + 1, last = first + data.results.length - 1;
  const values = { count: formatNumber(n) };
  let found;
  if (s.collapse) {
    found = data.total_relation === "gte" ? tn("more than %(count)s partner", "more than %(count)s partners", n, values)
      : tn("%(count)s partner", "%(count)s partners", n, values);
  } else {
    found = data.total_relation === "gte" ? tn("more than %(count)s partner site", "more than %(count)s partner sites", n, values)
      : tn("%(count)s partner site", "%(count)s partner sites", n, values);
  }
  if (n > data.results.length) {
    found = t("Showing %(first)s–%(last)s of %(total)s", { first: formatNumber(first), last: formatNumber(last), total: found });
  }
  store.ui.status.textContent = sentence(found, scopeText(data));
  const alternatives = data.origin && data.origin.alternatives;
  if (alternatives && alternatives.length && s.near) {
    showMessage("hint", [el("span", { text: t("Showing results near %(place)s.", { place: data.origin.label }) }), " ",
                         el("span", {}, tParts("Did you mean %(places)s?", { places: placeButtons(alternatives.slice(0, 4)) }))]);
  }
}

function widenRadiusButton() {
  const radius = Number(radiusKm(store.state));
  const wider = catalog.units[unitOf(store.state)].radii.filter(function (r) { return Number(r.value) > radius + 0.001; })[0];
  const any = Number(catalog.any_distance);
  if (radius >= any) return null;
  return el("button", {
    type: "button", class: "btn", text: wider ? t("Search within %(radius)s", { radius: wider.label }) : t("Search at any distance"),
    onclick: function () { changeSearch(function (s) { s.radius_km = wider ? wider.value : catalog.any_distance; }); }
  });
}

/** A card with its behaviour: the name leads to the site's page (in a new tab inside someone else's
 *  page), "Details" opens the listing here, hovering marks it on the map. */
function resultItem(site) {
  const item = renderCard(site);
  if (store.embedded) {
    const link = item.querySelector("a.company");
    link.target = "_blank";
    link.rel = "noopener";
  }
  item.querySelector(".details-button").addEventListener("click", function () { openDetail(site.site_id, item); });
  item.addEventListener("mouseenter", function () { if (store.mapView) store.mapView.highlight(site); });
  return item;
}

function renderPagination(data) {
  const nav = store.ui.pagination;
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
  return function () {
    changeSearch(function (s) { s.page = page; }, { keepPage: true }).then(function () { store.ui.results.focus(); });
  };
}

/** The first, the last, the current and its neighbours; null where pages are left out. */
function pageWindow(current, pages) {
  const out = [], wanted = {};
  [1, pages, current - 1, current, current + 1].forEach(function (p) { if (p >= 1 && p <= pages) wanted[p] = true; });
  const keys = Object.keys(wanted).map(Number).sort(function (a, b) { return a - b; });
  keys.forEach(function (p, i) { if (i && p - keys[i - 1] > 1) out.push(null); out.push(p); });
  return out;
}
