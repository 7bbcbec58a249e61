/* The message above the results: why a search failed, what an empty answer or the nearest-sites
 * fallback means, the other places a name may mean, and why "Near me" could not work. */
import * as actions from "./actions.js";
import { append, changes, clear, el } from "./dom.js";
import { formatDistance } from "./format.js";
import { catalog, t, tParts } from "./i18n.js";
import { placeButtons, scopeText } from "./labels.js";
import { filterCount, radiusKm, unitOf } from "./state.js";

let box = null;
const fresh = changes();

export function init(elements) { box = elements.message; }

export function render(state) {
  if (state.busy || !fresh(state.response, state.error, state.location.problem)) return;
  const message = state.location.problem ? locationMessage(state.location.problem)
    : state.error ? errorMessage(state.error, state.search)
    : state.response ? answerMessage(state.response, state.search) : null;
  clear(box);
  box.hidden = !message;
  if (!message) return;
  box.className = "message message-" + message.kind + (message.fallback ? " fallback" : "");
  append(box, message.content);
}

function locationMessage(problem) {
  if (problem === "unsupported") {
    return { kind: "error", content: el("p", { text: t("Your browser cannot tell us where you are. Type a country, a city or a postal code instead.") }) };
  }
  const why = problem === "denied" ? t("Location access was not allowed.") : t("Your location could not be found.");
  return { kind: "error", content: [el("p", { class: "message-title", text: why }),
                                    el("p", { text: t("Type a country, a city or a postal code instead.") })] };
}

/** The API's own messages are for developers (English): the page says it in the visitor's language. */
function errorMessage(error, search) {
  if (error.status === 400 && error.fields && error.fields.near && error.suggestions) {
    return { kind: "error", content: unknownPlace(search.near, error.suggestions) };
  }
  if (error.status === 400 && error.fields && error.fields.place) {
    return { kind: "error", content: [el("p", { class: "message-title", text: t("The place in this link is not known any more.") }),
                                      el("p", { text: t("Type a country, a city or a postal code to search again.") })] };
  }
  if (error.status === 400) {
    return { kind: "error", content: [el("p", { class: "message-title", text: t("Some search settings were not understood:") }),
                                      fieldList(error.fields),
                                      el("button", { type: "button", class: "btn", text: t("Start a new search"), onclick: actions.reset })] };
  }
  if (error.status === 503 || error.status === 429) {
    return { kind: "error", content: [el("p", { class: "message-title", text: t("The partner search is temporarily unavailable.") }),
                                      el("p", { text: t("Please try again in a moment.") }), retryButton()] };
  }
  if (error.status === 0) {
    return { kind: "error", content: [el("p", { class: "message-title", text: t("The partner search could not be reached.") }),
                                      el("p", { text: t("Check your internet connection and try again.") }), retryButton()] };
  }
  return { kind: "error", content: [el("p", { class: "message-title", text: t("Sorry, something went wrong with this search.") }),
                                    el("p", { text: t("Please try again in a moment.") }), retryButton()] };
}

function unknownPlace(text, suggestions) {
  return [
    el("p", { class: "message-title", text: t("We don’t know a place called “%(place)s”.", { place: text || "" }) }),
    suggestions && suggestions.length
      ? el("p", {}, tParts("Did you mean %(places)s?", { places: placeButtons(suggestions.slice(0, 5), actions.choosePlace) })) : null,
    el("p", { text: t("Try a city name, a city with its country (“Paris, FR”), or use “Near me”.") })
  ];
}

/** The parameters the API refused, by name (the names are the URL's own). */
function fieldList(fields) {
  return el("ul", { class: "field-errors" }, Object.keys(fields || {}).map(function (name) {
    return el("li", {}, tParts("The value of %(name)s", { name: el("code", { translate: "no", text: name }) }));
  }));
}

function retryButton() { return el("button", { type: "button", class: "btn", text: t("Try again"), onclick: actions.retry }); }

/** The nearest sites beyond the radius, nothing found, or a place name that may mean others. */
function answerMessage(data, search) {
  const radius = formatDistance(Number(radiusKm(search)), unitOf(search)), scope = scopeText(search, data, radius);
  if (data.nearest_fallback) {
    return { kind: "info", fallback: true, content: [
      el("p", { class: "message-title", text: t("No partner %(scope)s; the nearest ones:", { scope: scope }) }), widenRadiusButton(search)] };
  }
  if (!data.results.length) {
    const words = search.q || (data.interpreted_as && data.interpreted_as.words), filters = filterCount(search);
    return { kind: "info", content: [
      el("p", { class: "message-title", text: scope ? t("No partner site found %(scope)s.", { scope: scope }) : t("No partner site found.") }),
      el("p", { text: filters ? (words ? t("Try removing some filters or other words.") : t("Try removing some filters.")) :
                      words ? t("Check the spelling or try other words.") : t("Try another search.") }),
      filters ? el("button", { type: "button", class: "btn", text: t("Clear all filters"), onclick: actions.clearFilters }) : null] };
  }
  const alternatives = data.origin && data.origin.alternatives;
  if (alternatives && alternatives.length && search.near) {
    return { kind: "hint", content: [
      el("span", { text: t("Showing results near %(place)s.", { place: data.origin.label }) }), " ",
      el("span", {}, tParts("Did you mean %(places)s?", { places: placeButtons(alternatives.slice(0, 4), actions.choosePlace) }))] };
  }
  return null;
}

function widenRadiusButton(search) {
  const radius = Number(radiusKm(search));
  const wider = catalog.units[unitOf(search)].radii.filter(function (r) { return Number(r.value) > radius + 0.001; })[0];
  if (radius >= Number(catalog.any_distance)) return null;
  return el("button", {
    type: "button", class: "btn", text: wider ? t("Search within %(radius)s", { radius: wider.label }) : t("Search at any distance"),
    onclick: function () { actions.changeSearch(function (s) { s.radius_km = wider ? wider.value : catalog.any_distance; }); }
  });
}
