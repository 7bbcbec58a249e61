/* Running a search: the state changes, the URL follows, the API answers, the page draws it. */
import { getJSON, replaceAbort } from "./api.js";
import { el } from "./dom.js";
import { renderControls } from "./controls.js";
import { t } from "./i18n.js";
import { renderError, showMessage } from "./messages.js";
import { renderResponse } from "./results.js";
import { LIST_PARAMS, apiParams, emptyState, store, syncUrl } from "./state.js";

/** A user changed the search: new URL history entry, then run it. */
export function changeSearch(mutate, options) {
  mutate(store.state);
  if (!(options && options.keepPage)) store.state.page = 1;
  store.state.site = null;
  store.notice = null;
  syncUrl(true);
  return runSearch();
}

/** The search's parameters; a page opened past page 1 has no filter counts yet: ask for them. */
function searchParams() {
  const params = apiParams(store.state, false);
  if (!store.lastFacets) params.set("facets", "true");
  return params;
}

export function runSearch() {
  const seq = ++store.searchSeq;
  store.searchAbort = replaceAbort(store.searchAbort);
  renderControls();
  setBusy(true);
  const signal = store.searchAbort && store.searchAbort.signal;
  return getJSON("/partners", searchParams(), signal).then(function (data) {
    if (seq !== store.searchSeq) return;
    showResults(data);
    return data;
  }, function (error) {
    if (error && error.name === "AbortError") return;
    if (seq !== store.searchSeq) return;
    showFailure(error);
    return null;
  });
}

/** An answer for the current state: remember it, draw the list, the filters and the map. */
export function showResults(data) {
  store.lastResponse = data;
  setBusy(false);
  renderResponse(data);
  if (store.mapView) store.mapView.showSearch(data);
}

/** No answer for the current state: say why, and clear the map's search. */
export function showFailure(error) {
  setBusy(false);
  store.lastResponse = null;
  renderError(error);
  if (store.mapView) store.mapView.showSearch(null);
}

export function setBusy(busy) {
  store.ui.results.setAttribute("aria-busy", busy ? "true" : "false");
  document.body.classList.toggle("is-loading", busy);
  if (busy) store.ui.status.textContent = t("Searching…");
}

export function resetSearch() {
  store.state = emptyState();
  store.notice = null;
  store.ui.input.value = "";
  syncUrl(true);
  runSearch();
}

export function clearAllFilters() {
  changeSearch(function (s) { LIST_PARAMS.forEach(function (name) { s.filters[name] = []; }); });
}

/** "Search this area": the box the map shows becomes where to search (the list follows the map);
 *  the words searched stay, a place or a country read from the text gives way to the box, and the
 *  visitor's own position (near me) stays to order by distance. */
export function searchArea(bbox) {
  const reading = store.lastResponse && store.lastResponse.interpreted_as;
  changeSearch(function (s) {
    s.q = s.q || (reading && reading.words) || null;
    s.text = null; s.place = null; s.near = null; s.bbox = bbox;
    if (s.sort === "distance" && (s.lat === null || s.lon === null)) s.sort = null;
  });
}

export function nearMe() {
  const ui = store.ui;
  if (!navigator.geolocation) {
    showMessage("error", [el("p", { text: t("Your browser cannot tell us where you are. Type a country, a city or a postal code instead.") })]);
    return;
  }
  ui.nearMe.disabled = true;
  ui.status.textContent = t("Finding your location…");
  navigator.geolocation.getCurrentPosition(function (position) {
    ui.nearMe.disabled = false;
    const lat = position.coords.latitude.toFixed(4), lon = position.coords.longitude.toFixed(4);
    changeSearch(function (s) { s.lat = lat; s.lon = lon; s.place = null; s.near = null; s.bbox = null; });
  }, function (err) {
    ui.nearMe.disabled = false;
    ui.status.textContent = "";
    const why = err && err.code === 1 ? t("Location access was not allowed.") : t("Your location could not be found.");
    showMessage("error", [el("p", { class: "message-title", text: why }),
                          el("p", { text: t("Type a country, a city or a postal code instead.") })]);
  }, { enableHighAccuracy: false, timeout: 10000, maximumAge: 600000 });
}
