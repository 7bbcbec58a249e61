/* The search box: place and partner suggestions as you type, and what a submitted text means. */
import { getJSON, replaceAbort } from "./api.js";
import { clear, debounce, el } from "./dom.js";
import { countryName, fold } from "./format.js";
import { changeSearch, setBusy, showFailure, showResults } from "./search.js";
import { placeButtons, renderError } from "./messages.js";
import { apiParams, cloneState, fixSort, hasOrigin, store, syncUrl } from "./state.js";

const SUGGEST_DELAY_MS = 120;
const MIN_SUGGEST_CHARS = 2;

export function onInput() {
  const text = store.ui.input.value.trim();
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
  submitText(store.ui.input.value);
}

const fetchSuggestions = debounce(function (text) {
  const suggest = store.suggest, seq = ++suggest.seq;
  suggest.abort = replaceAbort(suggest.abort);
  getJSON("/suggest", new URLSearchParams({ q: text.slice(0, 100) }), suggest.abort && suggest.abort.signal).then(function (data) {
    if (seq !== suggest.seq || store.ui.input.value.trim() !== text) return;
    suggest.lastText = text;
    const labels = {};
    const places = (data.places || []).filter(function (p) { // two places of one name and country read the same
      if (labels[p.label]) return false;
      labels[p.label] = true;
      return true;
    });
    suggest.items = places.map(function (p) { return { kind: "place", data: p }; })
      .concat((data.companies || []).map(function (c) { return { kind: "company", data: c }; }));
    renderSuggestions();
  }, function () { /* suggestions are a convenience: stay quiet */ });
}, SUGGEST_DELAY_MS);

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
      ui.suggestions.appendChild(el("li", { class: "suggestion-group", role: "presentation", text: group === "place" ? "Places" : "Partners" }));
    }
    ui.suggestions.appendChild(suggestionOption(s, i));
  });
  ui.suggestions.hidden = false;
  ui.input.setAttribute("aria-expanded", "true");
}

function suggestionOption(s, i) {
  const option = el("li", { id: "suggestion-" + i, role: "option", class: "suggestion suggestion-" + s.kind, "aria-selected": "false",
                            dataset: { index: String(i) } },
    s.kind === "place"
      ? [el("span", { class: "suggestion-main", text: s.data.name || s.data.label }),
         el("span", { class: "suggestion-sub", text: countryName(s.data.country) })]
      : [el("span", { class: "suggestion-main", text: s.data.company }),
         el("span", { class: "suggestion-sub", text: "Partner" })]);
  option.addEventListener("mousedown", function (e) { e.preventDefault(); }); // keep the focus in the box
  option.addEventListener("click", function () { chooseSuggestion(i); });
  return option;
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
  if (s.kind === "place") choosePlace(s.data);
  else chooseCompany(s.data);
}

export function choosePlace(place) {
  store.ui.input.value = place.label;
  store.lastResponse = store.lastResponse && Object.assign({}, store.lastResponse, { origin: { label: place.label } });
  changeSearch(function (s) {
    s.place = String(place.id); s.near = null; s.lat = null; s.lon = null; s.q = null;
    if (s.sort === "distance") s.sort = null;
  });
}

function chooseCompany(company) {
  store.ui.input.value = company.company;
  changeSearch(function (s) { s.q = company.company; if (s.sort === "distance" && !hasOrigin(s)) s.sort = null; });
}

/** Free text submitted without picking a suggestion: a place if it is one, else words to search for. */
function submitText(text) {
  text = text.trim();
  closeSuggestions();
  if (!text) {
    changeSearch(function (s) { s.q = null; if (s.near || s.place) { s.near = null; s.place = null; } fixSort(s); });
    return;
  }
  const origin = store.lastResponse && store.lastResponse.origin;
  if (store.state.place && !store.state.q && origin && origin.label === text) { changeSearch(function () {}); return; }
  if (store.suggest.lastText === text && chooseMatchingSuggestion(fold(text))) return;
  searchPlaceOrWords(text);
}

/** A suggestion shown for exactly this text is what was meant. */
function chooseMatchingSuggestion(folded) {
  return store.suggest.items.some(function (s) {
    if (s.kind === "place" && (fold(s.data.name) === folded || fold(s.data.label) === folded)) { choosePlace(s.data); return true; }
    if (s.kind === "company" && fold(s.data.company) === folded) { chooseCompany(s.data); return true; }
    return false;
  });
}

/** Try the text as a place; the gazetteer knows spellings ("Aarhus", "Paris, US") the box may not have suggested. */
function searchPlaceOrWords(text) {
  const attempt = cloneState(store.state);
  attempt.q = null; attempt.place = null; attempt.lat = null; attempt.lon = null; attempt.near = text; attempt.page = 1; attempt.site = null;
  if (attempt.sort === "distance") attempt.sort = null;
  const seq = ++store.searchSeq;
  if (store.searchAbort) store.searchAbort.abort();
  setBusy(true);
  getJSON("/partners", apiParams(attempt, false)).then(function (data) {
    if (seq !== store.searchSeq) return;
    store.state = attempt; store.notice = null;
    syncUrl(true);
    showResults(data);
  }, function (error) {
    if (seq !== store.searchSeq) return;
    if (error.status === 400 && error.fields && error.fields.near) { searchWords(text, attempt, error, seq); return; }
    store.state = attempt; syncUrl(true); setBusy(false); renderError(error);
  });
}

/** Not a place: search the words instead (company, address, industries, description). */
function searchWords(text, attempt, placeError, seq) {
  const words = cloneState(store.state);
  words.q = text; words.near = null; words.place = null; words.page = 1; words.site = null;
  if (!hasOrigin(words) && words.sort === "distance") words.sort = null;
  getJSON("/partners", apiParams(words, false)).then(function (data) {
    if (seq !== store.searchSeq) return;
    if (!data.results.length && !data.nearest_fallback) { store.state = attempt; syncUrl(true); showFailure(placeError); return; }
    store.state = words;
    store.notice = { kind: "hint", build: function () { return wordsNotice(text, placeError.suggestions); } };
    syncUrl(true);
    showResults(data);
  }, function (error) {
    if (seq !== store.searchSeq) return;
    store.state = words; syncUrl(true); setBusy(false); renderError(error);
  });
}

function wordsNotice(text, places) {
  return [el("span", { text: "No place called \u201c" + text + "\u201d is known, so these partners match the words you typed." }),
          places && places.length ? [el("span", { text: " Did you mean the place " }), placeButtons(places.slice(0, 1)), "?"] : null];
}
