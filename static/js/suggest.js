/* The search box: country, place and partner suggestions as you type; a submitted text goes to the
 * server as it is (text=), which reads it. */
import { getJSON, replaceAbort } from "./api.js";
import { clear, debounce, el } from "./dom.js";
import { countryName } from "./format.js";
import { t } from "./i18n.js";
import { changeSearch } from "./search.js";
import { fixSort, store } from "./state.js";

const SUGGEST_DELAY_MS = 120;
const MIN_SUGGEST_CHARS = 2;

export function onInput() {
  const text = store.ui.input.value.trim();
  store.suggest.searched = null;
  if (text.length >= MIN_SUGGEST_CHARS) fetchSuggestions(text);
  else { store.suggest.items = []; ++store.suggest.seq; closeSuggestions(); }
}

export function onKeydown(e) {
  const ui = store.ui;
  if (e.key === "ArrowDown") {
    e.preventDefault();
    if (ui.suggestions.hidden && store.suggest.items.length) renderSuggestions();
    moveSuggestion(1);
  } else if (e.key === "ArrowUp") { e.preventDefault(); moveSuggestion(-1); }
  else if (e.key === "Escape") { if (!ui.suggestions.hidden) { e.preventDefault(); closeSuggestions(); } }
}

export function onSubmit(e) {
  e.preventDefault();
  if (store.suggest.active >= 0) { chooseSuggestion(store.suggest.active); return; }
  closeSuggestions();
  searchText(store.ui.input.value);
}

const fetchSuggestions = debounce(function (text) {
  const suggest = store.suggest;
  if (text === suggest.searched) return;
  const seq = ++suggest.seq;
  suggest.abort = replaceAbort(suggest.abort);
  getJSON("/suggest", new URLSearchParams({ q: text.slice(0, 100) }), suggest.abort && suggest.abort.signal).then(function (data) {
    if (seq !== suggest.seq || store.ui.input.value.trim() !== text) return;
    const labels = {};
    const places = (data.places || []).filter(function (p) { // two places of one name and country read the same
      if (labels[p.label]) return false;
      labels[p.label] = true;
      return true;
    });
    suggest.items = (data.countries || []).map(function (c) { return { kind: "country", data: c }; })
      .concat(places.map(function (p) { return { kind: "place", data: p }; }))
      .concat((data.companies || []).map(function (c) { return { kind: "company", data: c }; }));
    renderSuggestions();
  }, function () { /* suggestions are a convenience: stay quiet */ });
}, SUGGEST_DELAY_MS);

const GROUP_TITLES = { country: t("Countries"), place: t("Places"), company: t("Partners") };

function renderSuggestions() {
  const ui = store.ui, items = store.suggest.items;
  clear(ui.suggestions);
  store.suggest.active = -1;
  ui.input.removeAttribute("aria-activedescendant");
  if (!items.length || document.activeElement !== ui.input) { closeSuggestions(); return; }
  let group = null;
  items.forEach(function (s, i) {
    if (s.kind !== group) {
      group = s.kind;
      ui.suggestions.appendChild(el("li", { class: "suggestion-group", role: "presentation", text: GROUP_TITLES[group] }));
    }
    ui.suggestions.appendChild(suggestionOption(s, i));
  });
  ui.suggestions.hidden = false;
  ui.input.setAttribute("aria-expanded", "true");
}

function suggestionOption(s, i) {
  const option = el("li", { id: "suggestion-" + i, role: "option", class: "suggestion suggestion-" + s.kind, "aria-selected": "false",
                            dataset: { index: String(i) } }, suggestionText(s));
  option.addEventListener("mousedown", function (e) { e.preventDefault(); }); // keep the focus in the box
  option.addEventListener("click", function () { chooseSuggestion(i); });
  return option;
}

function suggestionText(s) {
  if (s.kind === "country") {
    return [el("span", { class: "suggestion-main", text: countryName(s.data.code) }),
            el("span", { class: "suggestion-sub", text: t("Country") })];
  }
  if (s.kind === "place") {
    return [el("span", { class: "suggestion-main", translate: "no", text: s.data.name || s.data.label }),
            el("span", { class: "suggestion-sub", text: countryName(s.data.country) })];
  }
  return [el("span", { class: "suggestion-main", translate: "no", text: s.data.company }),
          el("span", { class: "suggestion-sub", text: t("Partner") })];
}

export function closeSuggestions() {
  const ui = store.ui;
  ui.suggestions.hidden = true;
  ui.input.setAttribute("aria-expanded", "false");
  ui.input.removeAttribute("aria-activedescendant");
  store.suggest.active = -1;
}

function moveSuggestion(delta) {
  const ui = store.ui, suggest = store.suggest, n = suggest.items.length;
  if (ui.suggestions.hidden || !n) return;
  suggest.active = (suggest.active + delta + n + 1) % (n + 1); // one step past the end is the box itself
  if (suggest.active === n) suggest.active = -1;
  ui.suggestions.querySelectorAll("[role=option]").forEach(function (node) {
    const on = Number(node.dataset.index) === suggest.active;
    node.setAttribute("aria-selected", on ? "true" : "false");
    node.classList.toggle("is-active", on);
    if (on) node.scrollIntoView({ block: "nearest" });
  });
  if (suggest.active >= 0) ui.input.setAttribute("aria-activedescendant", "suggestion-" + suggest.active);
  else ui.input.removeAttribute("aria-activedescendant");
}

function chooseSuggestion(i) {
  const s = store.suggest.items[i];
  closeSuggestions();
  if (!s) return;
  if (s.kind === "country") searchText(countryName(s.data.code));
  else if (s.kind === "place") choosePlace(s.data);
  else chooseCompany(s.data);
}

export function choosePlace(place) {
  store.ui.input.value = place.label;
  store.lastResponse = store.lastResponse && Object.assign({}, store.lastResponse, { origin: { label: place.label } });
  changeSearch(function (s) {
    s.place = String(place.id); s.near = null; s.lat = null; s.lon = null; s.q = null; s.text = null; s.bbox = null;
    if (s.sort === "distance") s.sort = null;
  });
}

function chooseCompany(company) {
  store.ui.input.value = company.company;
  changeSearch(function (s) { s.q = company.company; s.text = null; fixSort(s); });
}

/** Text submitted without picking a suggestion: the server reads what it means (a country, a
 *  place, a place and words, or words) and says how in its answer; the page never guesses. */
function searchText(text) {
  text = text.trim();
  ++store.suggest.seq; // suggestions still on their way (or about to be asked for) are for a text already searched
  store.suggest.items = [];
  store.suggest.searched = text;
  store.ui.input.value = text;
  changeSearch(function (s) {
    s.text = text || null; s.q = null; s.near = null; s.place = null; s.bbox = null;
    if (s.sort === "distance") s.sort = null; // the text may not name a place
  });
}
