/* The results list: the status line, what the answer means, the cards and the result pages. */
import { renderCard } from "./card.js";
import { originLabel, renderControls } from "./controls.js";
import { openDetail } from "./detail.js";
import { clear, el } from "./dom.js";
import { renderFacets } from "./facets.js";
import { formatNumber } from "./format.js";
import { placeButtons, showMessage } from "./messages.js";
import { changeSearch, clearAllFilters } from "./search.js";
import { DEFAULT_RADIUS, filterCount, hasOrigin, store } from "./state.js";

const RADII = [10, 25, 50, 100, 250, 500, 1000, 20000]; // the "Within" choices
const ANY_DISTANCE = 20000;
const MAX_PAGED = 10000; // the API pages through the first 10,000 results only

export function renderResponse(data) {
  const ui = store.ui;
  store.lastFacets = data.facets;
  renderControls();
  renderFacets(data.facets);
  clear(ui.results);
  ui.message.hidden = true;
  clear(ui.message);
  if (store.notice) showMessage(store.notice.kind, store.notice.build());
  if (data.nearest_fallback) describeFallback(data);
  else if (!data.results.length) describeNothing();
  else describeResults(data);
  ui.results.classList.toggle("is-fallback", !!data.nearest_fallback);
  data.results.forEach(function (site) { ui.results.appendChild(resultItem(site)); });
  renderPagination(data);
}

function radiusKm() { return Number(store.state.radius_km || DEFAULT_RADIUS); }

function whereText() {
  return hasOrigin(store.state) ? " within " + formatNumber(radiusKm()) + " km of " + originLabel() : "";
}

function whatText() { return store.state.q ? " matching \u201c" + store.state.q + "\u201d" : ""; }

function describeFallback(data) {
  const radius = formatNumber(radiusKm()), n = data.results.length;
  store.ui.status.textContent = "The " + n + " nearest partner site" + (n === 1 ? "" : "s") + " beyond " + radius + " km.";
  showMessage("info", [
    el("p", { class: "message-title", text: "No partner" + whatText() + " within " + radius + " km of " + originLabel() + "; the nearest ones:" }),
    widenRadiusButton()
  ]);
  store.ui.message.classList.add("fallback");
}

function describeNothing() {
  const s = store.state, text = "No partner site found" + whatText() + whereText() + ".";
  store.ui.status.textContent = text;
  showMessage("info", [
    el("p", { class: "message-title", text: text }),
    el("p", { text: filterCount(s) ? "Try removing some filters" + (s.q ? " or other words." : ".") :
                    s.q ? "Check the spelling or try other words." : "Try another search." }),
    filterCount(s) ? el("button", { type: "button", class: "btn", text: "Clear all filters", onclick: clearAllFilters }) : null
  ]);
}

function describeResults(data) {
  const s = store.state;
  const first = (data.page - 1) * data.per_page + 1, last = first + data.results.length - 1;
  const total = data.total_relation === "gte" ? "more than " + formatNumber(data.total) : formatNumber(data.total);
  const noun = s.collapse ? (data.total === 1 ? " partner" : " partners") : (data.total === 1 ? " partner site" : " partner sites");
  store.ui.status.textContent = (data.total > data.results.length ? "Showing " + first + "\u2013" + last + " of " : "") +
    total + noun + whatText() + whereText() + ".";
  const alternatives = data.origin && data.origin.alternatives;
  if (alternatives && alternatives.length && s.near) {
    showMessage("hint", [el("span", { text: "Showing results near " + data.origin.label + ". Did you mean " }),
                         placeButtons(alternatives.slice(0, 4)), el("span", { text: "?" })]);
  }
}

function widenRadiusButton() {
  const radius = radiusKm();
  const wider = RADII.filter(function (r) { return r > radius; })[0];
  if (!wider) return null;
  return el("button", {
    type: "button", class: "btn", text: wider >= ANY_DISTANCE ? "Search at any distance" : "Search within " + formatNumber(wider) + " km",
    onclick: function () { changeSearch(function (s) { s.radius_km = String(wider); }); }
  });
}

/** A card with its behaviour: the name and "Details" open the listing, hovering marks it on the map. */
function resultItem(site) {
  const item = renderCard(site);
  const open = function () { openDetail(site.site_id, item); };
  item.querySelector(".company").addEventListener("click", open);
  item.querySelector(".details-button").addEventListener("click", open);
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
  list.appendChild(el("li", {}, el("button", { type: "button", class: "btn", disabled: current <= 1, onclick: goTo(current - 1), text: "\u2039 Previous" })));
  pageWindow(current, pages).forEach(function (page) {
    if (page === null) { list.appendChild(el("li", { class: "gap", "aria-hidden": "true", text: "\u2026" })); return; }
    list.appendChild(el("li", {}, el("button", {
      type: "button", class: page === current ? "btn is-current" : "btn", "aria-current": page === current ? "page" : null,
      "aria-label": "Page " + page, onclick: page === current ? null : goTo(page), text: String(page) })));
  });
  list.appendChild(el("li", {}, el("button", { type: "button", class: "btn", disabled: current >= pages, onclick: goTo(current + 1), text: "Next \u203a" })));
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
