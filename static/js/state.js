/* The page's search state, its URL form and the API query it makes; `store` holds all mutable state.
 *
 * The page's query string uses the API's own parameter names (text, q, place, near, lat, lon, bbox,
 * radius_km, tier, cert, country, language, industry, sort, page, collapse), so a shared or
 * bookmarked URL repeats exactly the same search. Page-only parameters: `site` (the listing shown
 * in the detail panel), `embed` (set by embed.js: compact layout, height reported to the embedding
 * page), `lang` (the page's language) and `unit` (km or mi, when the visitor switched it).
 */
import { catalog } from "./i18n.js";

export const LIST_PARAMS = ["tier", "cert", "country", "language", "industry"];
const SCALAR_PARAMS = ["text", "q", "place", "near", "lat", "lon", "bbox", "radius_km", "sort", "page", "per_page", "collapse"];
const PAGE_PARAMS = ["lang", "unit"];
export const API_DEFAULT_RADIUS = "100"; // radius_km when the API is given none

/** Every value that changes while the page lives, in one place; modules read and write it here. */
export const store = {
  state: emptyState(),       // the search shown (or being run)
  ui: {},                    // the page's elements, found once at start
  embedded: false,           // inside someone else's page (embed.js)
  lastResponse: null,        // the API's answer to the search shown
  lastFacets: null,          // the last facet counts (kept when a search fails)
  searchSeq: 0,              // only the newest search may draw
  searchAbort: null,
  notice: null,              // {kind, build} a message above the results of the current search only
  expandedFacets: {},        // facet name -> "Show all" was pressed
  mapView: null,             // map.js's view, or null without a map
  suggest: { abort: null, seq: 0, items: [], active: -1, searched: null }, // searched: the text submitted last
  detail: { seq: 0, returnFocus: null },
  lastHeight: 0              // the height last reported to the embedding page
};

export function emptyState() {
  const s = { text: null, q: null, place: null, near: null, lat: null, lon: null, bbox: null, radius_km: null, sort: null, page: 1,
              per_page: null, collapse: null, site: null, lang: null, unit: null, filters: {} };
  LIST_PARAMS.forEach(function (name) { s.filters[name] = []; });
  return s;
}

export function readState(search) {
  const params = new URLSearchParams(search);
  const s = emptyState();
  SCALAR_PARAMS.concat(PAGE_PARAMS).forEach(function (name) {
    const value = params.get(name);
    if (value !== null && value !== "") s[name] = value;
  });
  s.page = Math.max(1, parseInt(s.page, 10) || 1);
  LIST_PARAMS.forEach(function (name) { s.filters[name] = listValues(params, name); });
  s.site = params.get("site") || null;
  return s;
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

export function hasOrigin(s) { return !!(s.place || s.near || (s.lat !== null && s.lon !== null)); }

/** The search may have an origin: one of its own, or a place its text names. */
export function mayHaveOrigin(s) { return hasOrigin(s) || !!s.text; }

/** The visitor's unit: chosen with the switch, else the one of their region. */
export function unitOf(s) { return s.unit || catalog.unit; }

/** The radius searched, in km as the API takes it: the chosen one, else the default of the unit. */
export function radiusKm(s) { return s.radius_km || catalog.units[unitOf(s)].default_radius; }

/** The API query of a state (search or markers); only the API's own parameters. */
export function apiParams(s, forMarkers) {
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
    else if (store.embedded) params.set("per_page", embedPerPage());
  }
  LIST_PARAMS.forEach(function (name) {
    s.filters[name].forEach(function (value) { params.append(name, value); });
  });
  return params;
}

/** A shorter page inside someone else's page; the server says how short (it renders the first one). */
function embedPerPage() { return document.body.dataset.embedPerPage || "10"; }

function pageUrl(s) {
  const params = apiParams(s, false);
  if (s.radius_km !== null) params.set("radius_km", s.radius_km);
  else params.delete("radius_km"); // the unit's default: the page adds it to its queries itself
  if (s.site) params.set("site", s.site);
  if (store.embedded) params.set("embed", "1");
  PAGE_PARAMS.forEach(function (name) { if (s[name]) params.set(name, s[name]); });
  const query = params.toString();
  return window.location.pathname + (query ? "?" + query : "");
}

export function syncUrl(push) {
  const url = pageUrl(store.state);
  if (url === window.location.pathname + window.location.search) return;
  if (push) history.pushState(null, "", url);
  else history.replaceState(null, "", url);
}

export function filterCount(s) {
  return LIST_PARAMS.reduce(function (n, name) { return n + s.filters[name].length; }, 0);
}

export function cloneState(s) { return JSON.parse(JSON.stringify(s)); }

export function fixSort(s) { if (s.sort === "distance" && !hasOrigin(s)) s.sort = null; }

/** The page's URL in another language (the language switch reloads the page in it). */
export function urlInLanguage(lang) {
  const params = new URLSearchParams(window.location.search);
  params.set("lang", lang);
  return window.location.pathname + "?" + params.toString();
}
