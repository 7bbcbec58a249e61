/* Partner Locator's search page: finds the page's elements, wires them up and shows the first search.
 * Plain browser modules, no build step, no CDN. Every text from the API goes in with textContent
 * (dom.js, template.js), never as HTML; links from the data are checked first (links.js). */
import { closeDetail, onDetailClosed, openDetail } from "./detail.js";
import { $ } from "./dom.js";
import { setUnit } from "./format.js";
import { catalog, t } from "./i18n.js";
import { watchHeight } from "./height.js";
import { createMapView } from "./map.js";
import { changeSearch, clearAllFilters, nearMe, runSearch, searchArea, showResults } from "./search.js";
import { fixSort, hasOrigin, radiusKm, readState, store, syncUrl, unitOf, urlInLanguage } from "./state.js";
import { closeSuggestions, onInput, onKeydown, onSubmit } from "./suggest.js";

function init() {
  store.ui = {
    form: $("search-form"), input: $("search-input"), suggestions: $("suggestions"), nearMe: $("near-me"),
    radius: $("radius"), unit: $("unit"), sort: $("sort"), collapse: $("collapse"), originChip: $("origin-chip"), clearOrigin: $("clear-origin"),
    filters: $("filters"), filterCount: $("filter-count"), filterSummary: $("filter-summary"), clearFilters: $("clear-filters"),
    status: $("status"), message: $("message"), results: $("results"), pagination: $("pagination"),
    detail: $("detail"), detailBody: $("detail-body"), detailClose: $("detail-close"), mapNote: $("map-note"),
    searchArea: $("search-area")
  };
  setUpEmbedding();
  if (window.matchMedia && window.matchMedia("(max-width: 900px)").matches) $("filters-panel").open = false;
  store.state = readState(window.location.search);
  setUnit(unitOf(store.state));
  wireSearchBox();
  wireOptions();
  wireDetail();
  window.addEventListener("popstate", function () {
    store.state = readState(window.location.search);
    setUnit(unitOf(store.state));
    store.notice = null;
    closeDetail();
    runSearch();
  });
  setUpMap();
  watchHeight();
  start();
  document.documentElement.classList.add("scripted"); // see .needs-script in styles.css
}

/** In an iframe of another site (embed.js adds embed=1): compact, links out open a new tab. */
function setUpEmbedding() {
  const params = new URLSearchParams(window.location.search);
  store.embedded = params.get("embed") === "1" || params.get("embed") === "true";
  if (!store.embedded) return;
  document.documentElement.classList.add("embedded");
  const full = document.querySelector(".full-page-link");
  if (full) {
    params.delete("embed");
    full.href = window.location.pathname + (params.toString() ? "?" + params.toString() : "");
    full.hidden = false;
  }
  document.querySelectorAll(".site-header a[href*='api/v1/docs']").forEach(function (a) { a.target = "_blank"; a.rel = "noopener"; });
}

function wireSearchBox() {
  const ui = store.ui;
  ui.form.addEventListener("submit", onSubmit);
  ui.input.addEventListener("input", onInput);
  ui.input.addEventListener("keydown", onKeydown);
  ui.input.addEventListener("blur", function () { setTimeout(closeSuggestions, 150); }); // after a click on a suggestion
  ui.nearMe.addEventListener("click", nearMe);
  ui.clearOrigin.addEventListener("click", function () {
    if (!store.state.q) ui.input.value = "";
    changeSearch(function (s) { s.text = null; s.place = null; s.near = null; s.lat = null; s.lon = null; s.bbox = null; fixSort(s); });
  });
}

/** Distance, unit, sort, "one per partner" and the page's language: a default value is left out of the URL. */
function wireOptions() {
  const ui = store.ui;
  ui.radius.addEventListener("change", function () {
    const value = ui.radius.value;
    changeSearch(function (s) { s.radius_km = value === catalog.units[unitOf(s)].default_radius ? null : value; });
  });
  ui.unit.addEventListener("change", function () {
    const value = ui.unit.value;
    changeSearch(function (s) { // the same search, its distances written in the other unit
      const radius = radiusKm(s);
      s.unit = value === catalog.default_unit ? null : value;
      s.radius_km = radius === catalog.units[value].default_radius ? null : radius;
      setUnit(value);
    });
  });
  $("ui-language").addEventListener("change", function (e) { window.location.assign(urlInLanguage(e.target.value)); });
  ui.sort.addEventListener("change", function () {
    const value = ui.sort.value;
    const byDefault = hasOrigin(store.state) ? "distance" : "relevance";
    changeSearch(function (s) { s.sort = value === byDefault ? null : value; });
  });
  ui.collapse.addEventListener("change", function () {
    const on = ui.collapse.checked;
    changeSearch(function (s) { s.collapse = on ? "partner" : null; });
  });
  ui.clearFilters.addEventListener("click", clearAllFilters);
}

function wireDetail() {
  const ui = store.ui;
  ui.detailClose.addEventListener("click", closeDetail);
  ui.detail.addEventListener("close", onDetailClosed);
  ui.detail.addEventListener("click", function (e) { if (e.target === ui.detail) closeDetail(); }); // the backdrop
  document.addEventListener("keydown", function (e) { if (e.key === "Escape" && ui.detail.open) closeDetail(); });
}

function setUpMap() {
  store.mapView = createMapView($("map"), store.ui.searchArea);
  store.ui.searchArea.addEventListener("click", function () { if (store.mapView) searchArea(store.mapView.bbox()); });
  if (store.mapView) return;
  document.documentElement.classList.add("no-map");
  store.ui.mapNote.textContent = t("The map is not available; the list shows every result.");
  store.ui.mapNote.hidden = false;
}

/** The first search: the server's answer when it rendered one (no second query), else ask the API. */
function start() {
  const initialSite = store.state.site;
  const initial = initialResponse();
  const shown = initial ? Promise.resolve(showResults(initial)) : runSearch();
  shown.then(function () { if (initialSite) openDetail(initialSite, null); });
}

function initialResponse() {
  const block = $("initial-response");
  try {
    return block ? JSON.parse(block.textContent) : null;
  } catch (e) {
    return null; // the API is asked instead
  }
}

init(); // modules run after the document is parsed
