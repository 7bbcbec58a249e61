/* The page's one store, and the search it describes.
 *
 * Everything that changes while the page lives is in `state` (below) and nowhere else: the search
 * the URL says, the answer or the error, the filters' counts, the suggestions, the listing in the
 * detail dialog, where "Near me" stands. `update(mutate)` changes it and then tells every
 * subscriber once; `subscribe(fn)` is how the views (main.js renders them all), the URL (one
 * subscriber in main.js) and the search (search.js) follow it. Nothing replaces a value the views
 * compare in place: a changed search, answer or listing is a new object, so a view can tell what
 * changed by identity.
 *
 * The page's query string uses the API's own parameter names (text, q, place, near, lat, lon, bbox,
 * radius_km, tier, cert, country, language, industry, sort, page, collapse), so a shared or
 * bookmarked URL repeats exactly the same search. Page-only parameters: `site` (the listing shown
 * in the detail panel), `embed` (set by embed.js: compact layout, height reported to the embedding
 * page), `lang` (the page's language) and `unit` (km or mi, when the visitor switched it); and, kept
 * as given on every URL the page writes (a reload or back/forward must not lose them: beacons.js),
 * `embed_origin` and `analytics` (the embedding page's origin and its data-analytics="off").
 */
import { catalog } from "./i18n.js";

export const LIST_PARAMS = ["tier", "cert", "country", "language", "industry"];
const SCALAR_PARAMS = ["text", "q", "place", "near", "lat", "lon", "bbox", "radius_km", "sort", "page", "per_page", "collapse"];
export const PAGE_PARAMS = ["lang", "unit", "embed_origin", "analytics"]; // never sent to the API
const API_DEFAULT_RADIUS = "100"; // radius_km when the API is given none

const state = {
  search: emptySearch(),  // the search the URL says (a new object for every change)
  site: null,             // the listing in the detail dialog (?site= in the URL)
  history: null,          // how the URL records this change: "push" (a new search), "replace", null (it came from the URL)
  embedded: null,         // inside someone else's page (embed.js): {perPage}; compact, links out open a new tab
  request: 0,             // bumped by every intent that needs a new answer (search.js runs it)
  busy: false,            // an answer is on its way
  response: null,         // the answer to the search shown
  error: null,            // why there is no answer ({status, code, fields, suggestions})
  facets: null,           // the last filter counts: later pages and failures keep page 1's
  expanded: {},           // facet name -> "Show all" was pressed
  // query: bumped by every keystroke that asks for suggestions; submitted: the text searched last
  suggest: { text: "", items: [], active: -1, open: false, query: 0, submitted: null },
  location: { asking: false, problem: null }, // "Near me": asking the browser, or why it could not tell
  detail: { request: 0, site: null, listing: null, error: null, from: null }, // from: the card that opened it
  interaction: null,      // what a visitor last did with a listing: {type, site_id, seq}
  pointed: null,          // the result under the pointer (the map marks it)
  mapShown: false,        // the map is drawn (Leaflet loaded after the list), or it could not be (false)
  mapFocus: null,         // "Show on map": {site, seq}
  leaving: null           // {lang}: the visitor chose the page in another language
};
const subscribers = [], queued = [];
let notifying = false;

/** The state as it is now; read it, never change it: changes go through update(). */
export function current() { return state; }

/** Change the state (mutate gets it), then tell every subscriber, once. */
export function update(mutate) {
  if (notifying) { queued.push(mutate); return; } // a subscriber's own update: after this one has reached everyone
  mutate(state);
  notifying = true;
  try {
    subscribers.forEach(function (fn) { fn(state); });
  } finally {
    notifying = false;
  }
  if (queued.length) update(queued.shift());
}

export function subscribe(fn) { subscribers.push(fn); }

export function emptySearch() {
  const s = { text: null, q: null, place: null, near: null, lat: null, lon: null, bbox: null, radius_km: null, sort: null, page: 1,
              per_page: null, collapse: null, lang: null, unit: null, embed_origin: null, analytics: null, filters: {} };
  LIST_PARAMS.forEach(function (name) { s.filters[name] = []; });
  return s;
}

/** The search a query string describes, and the listing it opens (?site=). */
export function readUrl(query) {
  const params = new URLSearchParams(query);
  const s = emptySearch();
  SCALAR_PARAMS.concat(PAGE_PARAMS).forEach(function (name) {
    const value = params.get(name);
    if (value !== null && value !== "") s[name] = value;
  });
  s.page = Math.max(1, parseInt(s.page, 10) || 1);
  LIST_PARAMS.forEach(function (name) { s.filters[name] = listValues(params, name); });
  return { search: s, site: params.get("site") || null };
}

/** A repeatable parameter's values: also comma-separated, codes in the API's case, each once. */
function listValues(params, name) {
  const values = [];
  params.getAll(name).forEach(function (value) {
    value.split(",").forEach(function (v) {
      v = v.trim();
      if (!v) return;
      if (name === "country" || name === "cert") v = v.toUpperCase();
      if (name === "language" || name === "tier") v = v.toLowerCase();
      if (values.indexOf(v) < 0) values.push(v);
    });
  });
  return values;
}

/** A copy of a search with ``change`` applied to it (the one being shown is never changed in place). */
export function changed(search, change) {
  const copy = Object.assign({}, search, { filters: {} });
  LIST_PARAMS.forEach(function (name) { copy.filters[name] = search.filters[name].slice(); });
  change(copy);
  return copy;
}

export function hasOrigin(s) { return !!(s.place || s.near || (s.lat !== null && s.lon !== null)); }

/** The search may have an origin: one of its own, or a place its text names. */
function mayHaveOrigin(s) { return hasOrigin(s) || !!s.text; }

/** The visitor's unit: chosen with the switch, else the one of their region. */
export function unitOf(s) { return s.unit || catalog.unit; }

/** The radius searched, in km as the API takes it: the chosen one, else the default of the unit. */
export function radiusKm(s) { return s.radius_km || catalog.units[unitOf(s)].default_radius; }

export function filterCount(s) {
  return LIST_PARAMS.reduce(function (n, name) { return n + s.filters[name].length; }, 0);
}

/** Distance order needs an origin: without one the default order is used. */
export function fixSort(s) { if (s.sort === "distance" && !hasOrigin(s)) s.sort = null; }

/** The API query of a search (the answer, or the map's markers); only the API's own parameters.
 *  `perPage`: the page size when the search names none (a shorter page inside someone else's page). */
export function apiParams(s, forMarkers, perPage) {
  const params = new URLSearchParams();
  if (s.text) params.set("text", s.text);
  if (s.q) params.set("q", s.q);
  if (!forMarkers) {
    if (s.place) params.set("place", s.place);
    else if (s.near) params.set("near", s.near);
    else if (s.lat !== null && s.lon !== null) { params.set("lat", s.lat); params.set("lon", s.lon); }
    if (s.bbox) params.set("bbox", s.bbox); // the map's area ("Search this area"); markers ask for the view's own
    // The same rule as the server's first render (locator/api/pages.py search_query).
    if (mayHaveOrigin(s) && radiusKm(s) !== API_DEFAULT_RADIUS) params.set("radius_km", radiusKm(s));
    if (s.sort) params.set("sort", s.sort);
    if (s.collapse) params.set("collapse", s.collapse);
    if (s.page > 1) params.set("page", String(s.page));
    if (s.per_page) params.set("per_page", s.per_page);
    else if (perPage) params.set("per_page", perPage);
  }
  LIST_PARAMS.forEach(function (name) {
    s.filters[name].forEach(function (value) { params.append(name, value); });
  });
  return params;
}

/** The page's own query string for a state (what the URL shows). */
export function pageQuery(st) {
  const s = st.search, params = apiParams(s, false, null);
  if (s.radius_km !== null) params.set("radius_km", s.radius_km);
  else params.delete("radius_km"); // the unit's default: the page adds it to its queries itself
  if (st.site) params.set("site", st.site);
  if (st.embedded) params.set("embed", "1");
  PAGE_PARAMS.forEach(function (name) { if (s[name]) params.set(name, s[name]); });
  return params.toString();
}

/** The page's URL in another language (the language switch reloads the page in it). */
export function urlInLanguage(query, path, lang) {
  const params = new URLSearchParams(query);
  params.set("lang", lang);
  return path + "?" + params.toString();
}
