/* Messages above the results: the box itself and what to say when a search fails. */
import { renderControls } from "./controls.js";
import { append, clear, el } from "./dom.js";
import { renderFacets } from "./facets.js";
import { t, tParts } from "./i18n.js";
import { resetSearch, runSearch } from "./search.js";
import { store } from "./state.js";
import { choosePlace } from "./suggest.js";

export function showMessage(kind, content) {
  const box = store.ui.message;
  box.className = "message message-" + kind;
  clear(box);
  append(box, content);
  box.hidden = false;
}

/** "A, B, C": one button per place, each searching near it. */
export function placeButtons(places) {
  return places.map(function (place, i, all) {
    return [el("button", { type: "button", class: "btn btn-link", translate: "no", text: place.label,
                           onclick: function () { choosePlace(place); } }),
            i < all.length - 1 ? ", " : ""];
  });
}

export function renderError(error) {
  const ui = store.ui;
  renderControls();
  renderFacets(store.lastFacets); // keep the filters usable: a bad one can be unticked
  clear(ui.results);
  ui.pagination.hidden = true;
  showMessage("error", errorContent(error));
}

/** Sets the status line for an error and returns the message explaining it. The API's own
 *  messages are for developers (English): the page says it in the visitor's language. */
function errorContent(error) {
  const status = store.ui.status, near = store.state.near;
  if (error.status === 400 && error.fields && error.fields.near && error.suggestions) {
    status.textContent = t("We don’t know a place called “%(place)s”.", { place: near || "" });
    store.ui.originChip.hidden = true;
    return unknownPlaceMessage(near, error.suggestions);
  }
  if (error.status === 400 && error.fields && error.fields.place) {
    status.textContent = t("That place is not known any more.");
    return [el("p", { class: "message-title", text: t("The place in this link is not known any more.") }),
            el("p", { text: t("Type a country, a city or a postal code to search again.") })];
  }
  if (error.status === 400) {
    status.textContent = t("Some search settings were not understood.");
    return [el("p", { class: "message-title", text: t("Some search settings were not understood:") }),
            fieldList(error.fields),
            el("button", { type: "button", class: "btn", text: t("Start a new search"), onclick: resetSearch })];
  }
  if (error.status === 503 || error.status === 429) {
    status.textContent = t("The search is busy right now.");
    return [el("p", { class: "message-title", text: t("The partner search is temporarily unavailable.") }),
            el("p", { text: t("Please try again in a moment.") }), retryButton()];
  }
  if (error.status === 0) {
    status.textContent = t("The search could not be reached.");
    return [el("p", { class: "message-title", text: t("The partner search could not be reached.") }),
            el("p", { text: t("Check your internet connection and try again.") }), retryButton()];
  }
  status.textContent = t("Something went wrong.");
  return [el("p", { class: "message-title", text: t("Sorry, something went wrong with this search.") }),
          el("p", { text: t("Please try again in a moment.") }), retryButton()];
}

function unknownPlaceMessage(text, suggestions) {
  return [
    el("p", { class: "message-title", text: t("We don’t know a place called “%(place)s”.", { place: text || "" }) }),
    suggestions && suggestions.length
      ? el("p", {}, tParts("Did you mean %(places)s?", { places: placeButtons(suggestions.slice(0, 5)) })) : null,
    el("p", { text: t("Try a city name, a city with its country (“Paris, FR”), or use “Near me”.") })
  ];
}

/** The parameters the API refused, by name (the names are the URL's own). */
function fieldList(fields) {
  return el("ul", { class: "field-errors" }, Object.keys(fields || {}).map(function (name) {
    return el("li", {}, tParts("The value of %(name)s", { name: el("code", { translate: "no", text: name }) }));
  }));
}

function retryButton() { return el("button", { type: "button", class: "btn", text: t("Try again"), onclick: function () { runSearch(); } }); }
