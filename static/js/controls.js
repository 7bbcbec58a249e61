/* The search form's controls shown as the state says: text box, distance and unit, sort, the chip
 * saying how the search was read, filter summary. */
import { append, clear, el } from "./dom.js";
import { catalog, t, tParts } from "./i18n.js";
import { countryName, formatDistance } from "./format.js";
import { facetLabel } from "./facets.js";
import { LIST_PARAMS, filterCount, hasOrigin, radiusKm, store, unitOf } from "./state.js";
import { placeButtons } from "./messages.js";

export function renderControls() {
  const ui = store.ui, state = store.state, origin = store.lastResponse && store.lastResponse.origin;
  // The text box shows the text or words searched, else the place searched near.
  if (document.activeElement !== ui.input) {
    ui.input.value = state.text || state.q || state.near || (state.place ? (origin && origin.label) || ui.input.value : "");
  }
  renderRadius();
  ui.unit.value = unitOf(state);
  const distances = hasOrigin(state) || !!originOfAnswer();
  ui.radius.disabled = !distances;
  ui.radius.title = distances ? "" : t("Search near a place or near you to use a distance");
  ui.sort.querySelector('option[value="distance"]').disabled = !distances;
  ui.sort.value = state.sort || (distances ? "distance" : "relevance");
  ui.collapse.checked = state.collapse === "partner";
  renderFilterSummary();
  renderChip();
}

/** The origin of the answer shown, when the search has one (its own, or a place its text names). */
function originOfAnswer() { return (store.lastResponse && store.lastResponse.origin) || null; }

/** The distance choices in the visitor's unit; a distance from a link that they lack gets its own option. */
function renderRadius() {
  const select = store.ui.radius, units = catalog.units[unitOf(store.state)], radius = radiusKm(store.state);
  if (select.dataset.unit !== unitOf(store.state)) {
    clear(select);
    units.radii.forEach(function (choice) { select.appendChild(el("option", { value: choice.value, text: choice.label })); });
    select.appendChild(el("option", { value: catalog.any_distance, text: t("any distance") }));
    select.dataset.unit = unitOf(store.state);
  }
  if (isFinite(Number(radius)) && !select.querySelector('option[value="' + CSS.escape(radius) + '"]')) {
    const option = el("option", { value: radius, text: formatDistance(Number(radius)) });
    const before = Array.from(select.options).filter(function (o) { return Number(o.value) > Number(radius); })[0] || null;
    select.insertBefore(option, before);
  }
  select.value = radius;
}

function renderFilterSummary() {
  const ui = store.ui, state = store.state, n = filterCount(state);
  ui.filterCount.textContent = n ? "(" + n + ")" : "";
  ui.filterSummary.textContent = LIST_PARAMS.reduce(function (all, name) {
    return all.concat(state.filters[name].map(function (v) { return facetLabel(name, v); }));
  }, []).join(", ");
  ui.clearFilters.hidden = n === 0;
}

/** Where the search is: the place's label, the visitor's position or the place chosen. */
export function originLabel() {
  const state = store.state, origin = originOfAnswer();
  if (origin && origin.label) return origin.label;
  if (state.lat !== null && state.lon !== null) return t("your location");
  return state.near || (state.place ? t("the chosen place") : "");
}

/** The chip: how the text was read (with the other readings to pick), or the place searched near. */
function renderChip() {
  const chip = store.ui.originChip, reading = store.state.text && store.lastResponse && store.lastResponse.interpreted_as;
  const label = chip.querySelector(".origin-label"), others = chip.querySelector(".origin-alternatives");
  clear(label);
  clear(others);
  chip.hidden = !(reading || hasOrigin(store.state) || store.state.bbox);
  if (chip.hidden) return;
  if (store.state.bbox) { label.textContent = t("Showing partners in the map area."); return; }
  if (!reading) { label.textContent = t("Near %(place)s", { place: originLabel() }); return; }
  append(label, readingText(reading));
  const places = alternatives(reading);
  if (places.length) append(others, [" ", tParts("Did you mean %(places)s?", { places: placeButtons(places) })]);
}

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
function alternatives(reading) {
  const places = (reading.alternatives || []).filter(function (alt) { return alt.kind === "place" && alt.place.id; });
  if (reading.kind === "words" && store.lastResponse.total > 0) return [];
  return places.map(function (alt) { return alt.place; }).slice(0, 3);
}
