/* Every intent a view can express, one function each, written into the store (it imports only the
 * state). An intent that needs the outside world asks for it in the state: search.js runs the
 * searches, fetches the listings and asks the browser where it is; main.js's URL subscriber records
 * the URL and leaves the page for another language. Views call these and draw what comes back. */
import { LIST_PARAMS, PAGE_PARAMS, changed, current, emptySearch, fixSort, readUrl, update } from "./state.js";

// ------------------------------------------------------------------ the search

/** The page opened: the search its URL says and, when the server rendered its answer (`initial`),
 *  that answer (nothing is asked again); a listing in the URL (?site=) opens too. */
export function start(query, embedded, initial) {
  const read = readUrl(query);
  update(function (s) {
    s.search = read.search;
    s.embedded = embedded;
    if (initial) {
      s.response = initial;
      s.facets = initial.facets || null;
    } else {
      ask(s, null);
    }
  });
  if (read.site) openSite(read.site, null);
}

/** A new search: `change(search)` edits a copy of the one shown; a new history entry, the first page
 *  (unless `keepPage`), the listing closed from the URL, and a new answer asked for. */
export function changeSearch(change, options) {
  update(function (s) { newSearch(s, change, options); });
}

/** Inside an update: one store change per search, whatever else the intent changes with it. */
function newSearch(s, change, options) {
  s.search = changed(s.search, function (search) {
    change(search);
    if (!(options && options.keepPage)) search.page = 1;
  });
  s.site = null;
  ask(s, "push");
}

function ask(s, history) {
  s.history = history;
  s.request += 1;
  s.busy = true;
  s.location = { asking: false, problem: null };
}

/** The suggestions closed, the box showing `text` (searched, when `submitted`). */
function suggestionsFor(s, text, submitted) {
  return { text: text, items: [], active: -1, open: false, query: s.suggest.query, submitted: submitted };
}

/** Text submitted without picking a suggestion: the server reads what it means (a country, a place,
 *  a place and words, or words) and says how in its answer; the page never guesses. */
export function searchText(text) {
  text = text.trim();
  update(function (s) {
    s.suggest = suggestionsFor(s, text, text);
    newSearch(s, function (search) {
      search.text = text || null; search.q = null; search.near = null; search.place = null; search.bbox = null;
      if (search.sort === "distance") search.sort = null; // the text may not name a place
    });
  });
}

/** A place from the suggestions or from "Did you mean": search near it, by its id. */
export function choosePlace(place) {
  update(function (s) {
    s.suggest = suggestionsFor(s, place.label, null);
    if (s.response) s.response = Object.assign({}, s.response, { origin: { label: place.label } }); // the chip's label until the answer
    newSearch(s, function (search) {
      search.place = String(place.id); search.near = null; search.lat = null; search.lon = null; search.q = null;
      search.text = null; search.bbox = null;
      if (search.sort === "distance") search.sort = null;
    });
  });
}

/** A partner from the suggestions: its name as the words searched. */
export function chooseCompany(company) {
  update(function (s) {
    s.suggest = suggestionsFor(s, company, null);
    newSearch(s, function (search) { search.q = company; search.text = null; fixSort(search); });
  });
}

export function clearOrigin() {
  changeSearch(function (search) {
    search.text = null; search.place = null; search.near = null; search.lat = null; search.lon = null; search.bbox = null;
    fixSort(search);
  });
}

export function toggleFilter(name, value, on) {
  changeSearch(function (search) {
    const values = search.filters[name].filter(function (v) { return v !== value; });
    if (on) values.push(value);
    search.filters[name] = values;
  });
}

export function clearFilters() {
  changeSearch(function (search) { LIST_PARAMS.forEach(function (name) { search.filters[name] = []; }); });
}

/** A radius (km, as the API takes it); the unit's default is left out of the URL. */
export function setRadius(km, unitDefault) {
  changeSearch(function (search) { search.radius_km = km === unitDefault ? null : km; });
}

/** The order; the default one (distance with an origin, else relevance) is left out of the URL. */
export function setSort(sort, byDefault) {
  changeSearch(function (search) { search.sort = sort === byDefault ? null : sort; });
}

export function setCollapse(on) { changeSearch(function (search) { search.collapse = on ? "partner" : null; }); }

export function goToPage(page) { changeSearch(function (search) { search.page = page; }, { keepPage: true }); }

/** "Search this area": the box the map shows becomes where to search (the list follows the map);
 *  the words searched stay, a place or a country read from the text gives way to the box, and the
 *  visitor's own position (near me) stays to order by distance. */
export function searchArea(bbox) {
  const reading = current().response && current().response.interpreted_as;
  changeSearch(function (search) {
    search.q = search.q || (reading && reading.words) || null;
    search.text = null; search.place = null; search.near = null; search.bbox = bbox;
    if (search.sort === "distance" && (search.lat === null || search.lon === null)) search.sort = null;
  });
}

/** Start again with nothing searched (the page's own parameters stay: its language, unit, embedding). */
export function reset() {
  update(function (s) {
    s.suggest = suggestionsFor(s, "", null);
    newSearch(s, function (search) {
      const kept = {};
      PAGE_PARAMS.forEach(function (name) { kept[name] = search[name]; });
      Object.assign(search, emptySearch(), kept);
    });
  });
}

/** The same search again (after a failure). */
export function retry() { update(function (s) { ask(s, null); }); }

/** Back or forward in the browser's history: the search its URL says, the listing closed (the
 *  entry is replaced by the same search without it). */
export function restoreFromUrl(query) {
  const read = readUrl(query);
  update(function (s) {
    s.search = read.search;
    s.site = null;
    s.detail = Object.assign({}, s.detail, { site: null });
    ask(s, "replace");
  });
}

/** "Near me": search.js asks the browser where the visitor is. */
export function nearMe() {
  update(function (s) { s.location = { asking: true, problem: null }; });
}

/** The browser told where the visitor is: search around it. */
export function located(lat, lon) {
  changeSearch(function (search) { search.lat = lat; search.lon = lon; search.place = null; search.near = null; search.bbox = null; });
}

/** The browser could not tell: "unsupported", "denied" or "unavailable". */
export function notLocated(problem) {
  update(function (s) { s.location = { asking: false, problem: problem }; });
}

// ------------------------------------------------------------------ units and languages

/** The same search, its distances written in the other unit (the radius kept as it was). */
export function switchUnit(unit, unitDefault, radiusDefault, radius) {
  changeSearch(function (search) {
    search.unit = unit === unitDefault ? null : unit;
    search.radius_km = radius === radiusDefault ? null : radius;
  });
}

/** The page in another language: main.js's URL subscriber loads it. */
export function switchLanguage(lang) {
  update(function (s) { s.leaving = { lang: lang }; });
}

// ------------------------------------------------------------------ the filters' own display

export function expandFacet(name) {
  update(function (s) { s.expanded = Object.assign({}, s.expanded, { [name]: true }); });
}

// ------------------------------------------------------------------ suggestions

const MIN_SUGGEST_CHARS = 2; // suggestions are asked for from this many characters

/** The visitor typed: from MIN_SUGGEST_CHARS search.js asks for suggestions, shorter text has none. */
export function typed(text) {
  text = text.trim();
  update(function (s) {
    s.suggest = text.length < MIN_SUGGEST_CHARS ? suggestionsFor(s, text, null)
      : { text: text, items: s.suggest.items, active: -1, open: s.suggest.open, query: s.suggest.query + 1, submitted: null };
  });
}

/** Suggestions arrived for `text` (search.js). */
export function suggested(text, items) {
  const suggest = current().suggest;
  if (suggest.text !== text || suggest.submitted === text) return; // typed on, or already searched
  update(function (s) {
    s.suggest = { text: text, items: items, active: -1, open: items.length > 0, query: s.suggest.query, submitted: null };
  });
}

/** Arrow keys: one step past either end is the search box itself (-1). */
export function moveSuggestion(delta) {
  const suggest = current().suggest, n = suggest.items.length;
  if (!n || (!suggest.open && delta < 0)) return; // down opens the list again, up does not
  let active = suggest.open ? (suggest.active + delta + n + 1) % (n + 1) : 0;
  if (active === n) active = -1;
  update(function (s) { s.suggest = Object.assign({}, s.suggest, { active: active, open: true }); });
}

export function closeSuggestions() {
  if (!current().suggest.open) return;
  update(function (s) { s.suggest = Object.assign({}, s.suggest, { open: false, active: -1 }); });
}

// ------------------------------------------------------------------ a listing and what visitors do with it

/** Show one listing in the detail dialog (search.js fetches it); `from`: the card it was opened from. */
export function openSite(siteId, from) {
  update(function (s) {
    s.site = siteId;
    s.history = "replace";
    s.detail = { request: s.detail.request + 1, site: siteId, listing: null, error: null, from: from || null };
    recordInteraction(s, "detail", siteId);
  });
}

/** The dialog closed (any way): the URL forgets the listing. */
export function closeSite() {
  if (!current().detail.site && !current().site) return;
  update(listingClosed);
}

/** Inside an update: no listing shown, and the URL entry replaced without it. */
function listingClosed(s) {
  s.site = null;
  s.history = "replace";
  s.detail = Object.assign({}, s.detail, { site: null });
}

/** A visitor used a listing's contact: "phone", "email", "website" or "directions". */
export function contacted(type, siteId) {
  update(function (s) { recordInteraction(s, type, siteId); });
}

/** Inside an update: what a customer did with a listing, numbered so that the same one twice is two. */
function recordInteraction(s, type, siteId) {
  s.interaction = { type: type, site_id: siteId, seq: (s.interaction ? s.interaction.seq : 0) + 1 };
}

/** The pointer is on a result (the map marks it), or on none (null). */
export function pointAt(site) {
  if (current().pointed === site) return;
  update(function (s) { s.pointed = site; });
}

/** The map is drawn (Leaflet loaded after the list was shown), or it cannot be. */
export function mapReady(shown) { update(function (s) { s.mapShown = shown; }); }

/** "Show on map": the dialog closes and the map goes to the site. */
export function showOnMap(site) {
  update(function (s) {
    listingClosed(s);
    s.mapFocus = { site: site, seq: (s.mapFocus ? s.mapFocus.seq : 0) + 1 };
  });
}
