/* The search's options as the state says: distance and unit, order, "one per partner", the page's
 * language, the filter summary, "Near me", and the chip saying how the search was read. */
import * as actions from "./actions.js";
import { append, changes, clear, el } from "./dom.js";
import { countryName, formatDistance } from "./format.js";
import { catalog, t, tParts } from "./i18n.js";
import { facetLabel, originLabel, placeButtons } from "./labels.js";
import { LIST_PARAMS, filterCount, hasOrigin, radiusKm, unitOf } from "./state.js";

let ui = null;
let shown = null; // the state last drawn (its search, to wire the controls' changes to)
const fresh = changes();

export function init(elements) {
  ui = elements;
  ui.radius.addEventListener("change", function () {
    actions.setRadius(ui.radius.value, catalog.units[unitOf(shown.search)].default_radius);
  });
  ui.unit.addEventListener("change", function () {
    const unit = ui.unit.value;
    actions.switchUnit(unit, catalog.default_unit, catalog.units[unit].default_radius, radiusKm(shown.search));
  });
  ui.language.addEventListener("change", function () { actions.switchLanguage(ui.language.value); });
  ui.sort.addEventListener("change", function () {
    actions.setSort(ui.sort.value, hasOrigin(shown.search) ? "distance" : "relevance");
  });
  ui.collapse.addEventListener("change", function () { actions.setCollapse(ui.collapse.checked); });
  ui.clearFilters.addEventListener("click", actions.clearFilters);
  ui.clearOrigin.addEventListener("click", actions.clearOrigin);
  ui.nearMe.addEventListener("click", actions.nearMe);
}

export function render(state) {
  shown = state;
  ui.nearMe.disabled = state.location.asking;
  if (!fresh(state.search, state.response, state.error)) return;
  const search = state.search, distances = hasOrigin(search) || !!(state.response && state.response.origin);
  renderRadius(search);
  ui.unit.value = unitOf(search);
  ui.radius.disabled = !distances;
  ui.radius.title = distances ? "" : t("Search near a place or near you to use a distance");
  ui.sort.querySelector('option[value="distance"]').disabled = !distances;
  ui.sort.value = search.sort || (distances ? "distance" : "relevance");
  ui.collapse.checked = search.collapse === "partner";
  renderFilterSummary(search);
  renderChip(state);
}

/** The distance choices in the visitor's unit; a distance from a link that they lack gets its own option. */
function renderRadius(search) {
  const select = ui.radius, unit = unitOf(search), radius = radiusKm(search);
  if (select.dataset.unit !== unit) {
    clear(select);
    catalog.units[unit].radii.forEach(function (choice) { select.appendChild(el("option", { value: choice.value, text: choice.label })); });
    select.appendChild(el("option", { value: catalog.any_distance, text: t("any distance") }));
    select.dataset.unit = unit;
  }
  if (isFinite(Number(radius)) && !select.querySelector('option[value="' + CSS.escape(radius) + '"]')) {
    const option = el("option", { value: radius, text: formatDistance(Number(radius), unit) });
    const before = Array.from(select.options).filter(function (o) { return Number(o.value) > Number(radius); })[0] || null;
    select.insertBefore(option, before);
  }
  select.value = radius;
}

function renderFilterSummary(search) {
  const n = filterCount(search);
  ui.filterCount.textContent = n ? "(" + n + ")" : "";
  ui.filterSummary.textContent = LIST_PARAMS.reduce(function (all, name) {
    return all.concat(search.filters[name].map(function (v) { return facetLabel(name, v); }));
  }, []).join(", ");
  ui.clearFilters.hidden = n === 0;
}

/** The chip: how the text was read (with the other readings to pick), or the place searched near;
 *  none for a place the API does not know (the message says so). */
function renderChip(state) {
  const chip = ui.originChip, search = state.search, response = state.response;
  const reading = search.text && response && response.interpreted_as;
  const label = chip.querySelector(".origin-label"), others = chip.querySelector(".origin-alternatives");
  clear(label);
  clear(others);
  chip.hidden = !(reading || hasOrigin(search) || search.bbox) || unknownPlace(state.error);
  if (chip.hidden) return;
  if (search.bbox) { label.textContent = t("Showing partners in the map area."); return; }
  if (!reading) { label.textContent = t("Near %(place)s", { place: originLabel(search, response) }); return; }
  append(label, readingText(reading));
  const places = alternatives(reading, response);
  if (places.length) append(others, [" ", tParts("Did you mean %(places)s?", { places: placeButtons(places, actions.choosePlace) })]);
}

function unknownPlace(error) { return !!(error && error.status === 400 && error.fields && error.fields.near && error.suggestions); }

function readingText(reading) {
  const country = el("strong", { text: countryName(reading.country) });
  const place = el("strong", { translate: "no", text: reading.place && reading.place.label });
  const words = el("strong", { translate: "no", text: reading.words });
  if (reading.kind === "country") return tParts("Showing %(country)s, the country.", { country: country });
  if (reading.kind === "country+words") return tParts("Showing %(country)s, the country, matching “%(words)s”.", { country: country, words: words });
  if (reading.kind === "place") return tParts("Showing partners near %(place)s.", { place: place });
  if (reading.kind === "place+words") return tParts("Showing partners near %(place)s matching “%(words)s”.", { place: place, words: words });
  return tParts("Showing partners matching “%(words)s”.", { words: words });
}

/** The other places the text may mean (those that can be searched by id); for words only when
 *  nothing matched them, as places the visitor may have misspelt. */
function alternatives(reading, response) {
  const places = (reading.alternatives || []).filter(function (alt) { return alt.kind === "place" && alt.place.id; });
  if (reading.kind === "words" && response.total > 0) return [];
  return places.map(function (alt) { return alt.place; }).slice(0, 3);
}
