/* The search box and its suggestions: countries, places and partners as you type; a submitted
 * text goes to the server as it is (text=), which reads it. */
import * as actions from "./actions.js";
import { changes, clear, el } from "./dom.js";
import { countryName } from "./format.js";
import { t } from "./i18n.js";

const GROUP_TITLES = { country: t("Countries"), place: t("Places"), company: t("Partners") };
const BLUR_CLOSE_MS = 150; // after a click on a suggestion, which takes the focus away first

let ui = null;
let items = [], active = -1; // the suggestions drawn: what Enter and a click choose from
let boxQuery = 0; // the keystroke count the box last followed (state.suggest.query)
const fresh = { box: changes(), list: changes() };

export function init(elements) {
  ui = elements;
  ui.form.addEventListener("submit", function (e) {
    e.preventDefault();
    if (active >= 0) choose(items[active]);
    else actions.searchText(ui.input.value);
  });
  ui.input.addEventListener("input", function () { actions.typed(ui.input.value); });
  ui.input.addEventListener("keydown", function (e) {
    if (e.key === "ArrowDown") { e.preventDefault(); actions.moveSuggestion(1); }
    else if (e.key === "ArrowUp") { e.preventDefault(); actions.moveSuggestion(-1); }
    else if (e.key === "Escape" && !ui.suggestions.hidden) { e.preventDefault(); actions.closeSuggestions(); }
  });
  ui.input.addEventListener("blur", function () { setTimeout(actions.closeSuggestions, BLUR_CLOSE_MS); });
}

export function render(state) {
  renderBox(state);
  if (fresh.list(state.suggest)) renderList(state.suggest);
}

/** The box shows what was searched (the text or words, else the place searched near), except while
 *  the visitor types in it; a choice made from it (a place, a partner) is written there at once. */
function renderBox(state) {
  const suggest = state.suggest, typedNow = suggest.query !== boxQuery, origin = state.response && state.response.origin;
  boxQuery = suggest.query;
  if (!fresh.box(state.search, state.response, suggest.text)) return;
  if (document.activeElement === ui.input) {
    if (!typedNow && suggest.text !== ui.input.value.trim()) ui.input.value = suggest.text;
    return;
  }
  const search = state.search;
  ui.input.value = search.text || search.q || search.near || (search.place ? (origin && origin.label) || ui.input.value : "");
}

function renderList(suggest) {
  items = suggest.items;
  active = suggest.open ? suggest.active : -1;
  if (!suggest.open || !items.length || document.activeElement !== ui.input) { close(); return; }
  clear(ui.suggestions);
  let group = null;
  items.forEach(function (item, i) {
    if (item.kind !== group) {
      group = item.kind;
      ui.suggestions.appendChild(el("li", { class: "suggestion-group", role: "presentation", text: GROUP_TITLES[group] }));
    }
    ui.suggestions.appendChild(option(item, i));
  });
  ui.suggestions.hidden = false;
  ui.input.setAttribute("aria-expanded", "true");
  if (active >= 0) {
    ui.input.setAttribute("aria-activedescendant", "suggestion-" + active);
    document.getElementById("suggestion-" + active).scrollIntoView({ block: "nearest" });
  } else {
    ui.input.removeAttribute("aria-activedescendant");
  }
}

function option(item, i) {
  const on = i === active;
  const node = el("li", { id: "suggestion-" + i, role: "option", class: "suggestion suggestion-" + item.kind + (on ? " is-active" : ""),
                          "aria-selected": on ? "true" : "false", dataset: { index: String(i) } }, optionText(item));
  node.addEventListener("mousedown", function (e) { e.preventDefault(); }); // keep the focus in the box
  node.addEventListener("click", function () { choose(item); });
  return node;
}

function optionText(item) {
  if (item.kind === "country") {
    return [el("span", { class: "suggestion-main", text: countryName(item.data.code) }),
            el("span", { class: "suggestion-sub", text: t("Country") })];
  }
  if (item.kind === "place") {
    return [el("span", { class: "suggestion-main", translate: "no", text: item.data.name || item.data.label }),
            el("span", { class: "suggestion-sub", text: countryName(item.data.country) })];
  }
  return [el("span", { class: "suggestion-main", translate: "no", text: item.data.company }),
          el("span", { class: "suggestion-sub", text: t("Partner") })];
}

function close() {
  clear(ui.suggestions);
  ui.suggestions.hidden = true;
  ui.input.setAttribute("aria-expanded", "false");
  ui.input.removeAttribute("aria-activedescendant");
}

function choose(item) {
  if (!item) return;
  if (item.kind === "country") actions.searchText(countryName(item.data.code));
  else if (item.kind === "place") actions.choosePlace(item.data);
  else actions.chooseCompany(item.data.company);
}
