/* Messages above the results: the box itself and what to say when a search fails. */
import { renderControls } from "./controls.js";
import { append, clear, el } from "./dom.js";
import { renderFacets } from "./facets.js";
import { capitalise } from "./format.js";
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
    return [el("button", { type: "button", class: "btn btn-link", text: place.label, onclick: function () { choosePlace(place); } }),
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

/** Sets the status line for an error and returns the message explaining it. */
function errorContent(error) {
  const status = store.ui.status, near = store.state.near;
  if (error.status === 400 && error.fields && error.fields.near && error.suggestions) {
    status.textContent = "We don't know a place called \u201c" + (near || "") + "\u201d.";
    store.ui.originChip.hidden = true;
    return unknownPlaceMessage(near, error.suggestions);
  }
  if (error.status === 400 && error.fields && error.fields.place) {
    status.textContent = "That place is not known any more.";
    return [el("p", { class: "message-title", text: "The place in this link is not known any more." }),
            el("p", { text: "Type a city or postal code to search again." })];
  }
  if (error.status === 400) {
    status.textContent = "Some search settings were not understood.";
    return [el("p", { class: "message-title", text: "Some search settings were not understood:" }),
            fieldList(error.fields),
            el("button", { type: "button", class: "btn", text: "Start a new search", onclick: resetSearch })];
  }
  if (error.status === 503 || error.status === 429) {
    status.textContent = "The search is busy right now.";
    return [el("p", { class: "message-title", text: "The partner search is temporarily unavailable." }),
            el("p", { text: "Please try again in a moment." }), retryButton()];
  }
  if (error.status === 0) {
    status.textContent = "The search could not be reached.";
    return [el("p", { class: "message-title", text: "The partner search could not be reached." }),
            el("p", { text: "Check your internet connection and try again." }), retryButton()];
  }
  status.textContent = "Something went wrong.";
  return [el("p", { class: "message-title", text: "Sorry, something went wrong with this search." }),
          el("p", { text: error.message ? capitalise(error.message) + "." : "" }), retryButton()];
}

function unknownPlaceMessage(text, suggestions) {
  return [
    el("p", { class: "message-title", text: "We don't know a place called \u201c" + (text || "") + "\u201d." }),
    suggestions && suggestions.length
      ? el("p", {}, el("span", { text: "Did you mean: " }), placeButtons(suggestions.slice(0, 5)), "?") : null,
    el("p", { text: "Try a city name, a city with its country (\u201cParis, FR\u201d), or use \u201cNear me\u201d." })
  ];
}

function fieldList(fields) {
  const list = el("ul", { class: "field-errors" });
  Object.keys(fields || {}).forEach(function (name) {
    const messages = [].concat(fields[name]).join("; ");
    list.appendChild(el("li", {}, el("code", { text: name }), ": " + messages));
  });
  return list;
}

function retryButton() { return el("button", { type: "button", class: "btn", text: "Try again", onclick: function () { runSearch(); } }); }
