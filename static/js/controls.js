/* The search form's controls shown as the state says: text box, distance, sort, origin chip, filter summary. */
import { el } from "./dom.js";
import { formatNumber } from "./format.js";
import { facetLabel } from "./facets.js";
import { DEFAULT_RADIUS, LIST_PARAMS, filterCount, hasOrigin, store } from "./state.js";

export function renderControls() {
  const ui = store.ui, state = store.state, origin = store.lastResponse && store.lastResponse.origin;
  // The text box shows the words searched, else the place searched near.
  if (document.activeElement !== ui.input) {
    ui.input.value = state.q || state.near || (state.place ? (origin && origin.label) || ui.input.value : "");
  }
  const radius = state.radius_km || String(DEFAULT_RADIUS);
  ensureOption(ui.radius, radius, function (v) { return formatNumber(v) + " km"; });
  ui.radius.value = radius;
  ui.radius.disabled = !hasOrigin(state);
  ui.radius.title = hasOrigin(state) ? "" : "Search near a place or near you to use a distance";
  ui.sort.querySelector('option[value="distance"]').disabled = !hasOrigin(state);
  ui.sort.value = state.sort || (hasOrigin(state) ? "distance" : "relevance");
  ui.collapse.checked = state.collapse === "partner";
  renderFilterSummary();
  renderOriginChip();
}

function renderFilterSummary() {
  const ui = store.ui, state = store.state, n = filterCount(state);
  ui.filterCount.textContent = n ? "(" + n + ")" : "";
  ui.filterSummary.textContent = LIST_PARAMS.reduce(function (all, name) {
    return all.concat(state.filters[name].map(function (v) { return facetLabel(name, v); }));
  }, []).join(", ");
  ui.clearFilters.hidden = n === 0;
}

/** A distance from a link that the list lacks gets its own option, in order. */
function ensureOption(select, value, label) {
  if (!value || !isFinite(Number(value)) || select.querySelector('option[value="' + CSS.escape(value) + '"]')) return;
  const option = el("option", { value: value, text: label(value) });
  const before = Array.from(select.options).filter(function (o) { return Number(o.value) > Number(value); })[0] || null;
  select.insertBefore(option, before);
}

export function originLabel() {
  const state = store.state, origin = store.lastResponse && store.lastResponse.origin;
  if (state.lat !== null && state.lon !== null && !state.place && !state.near) return "your location";
  if (origin && origin.label) return origin.label;
  return state.near || (state.place ? "the chosen place" : "");
}

function renderOriginChip() {
  const chip = store.ui.originChip, show = hasOrigin(store.state);
  chip.hidden = !show;
  if (show) chip.querySelector(".origin-label").textContent = "Near " + originLabel();
}
