/* The page's search state, its URL form and the API query it makes; `store` holds all mutable state.
 *
 * The page's query string uses the API's own parameter names (q, place, near, lat, lon, radius_km,
 * tier, cert, country, language, industry, sort, page, collapse), so a shared or bookmarked URL
 * repeats exactly the same search. Page-only parameters: `site` (the listing shown in the detail
 * panel) and `embed` (set by embed.js: compact layout, height reported to the embedding page).
 */

export const LIST_PARAMS = ["tier", "cert", "country", "language", "industry"];
const SCALAR_PARAMS = ["q", "place", "near", "lat", "lon", "radius_km", "sort", "page", "per_page", "collapse"];
export const DEFAULT_RADIUS = 100;

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
  suggest: { abort: null, seq: 0, items: [], active: -1, lastText: "" },
  detail: { seq: 0, returnFocus: null },
  lastHeight: 0              // the height last reported to the embedding page
};

export function emptyState() {
  const s = { q: null, place: null, near: null, lat: null, lon: null, radius_km: null, sort: null, page: 1,
              per_page: null, collapse: null, site: null, filters: {} };
  LIST_PARAMS.forEach(function (name) { s.filters[name] = []; });
  return s;
}

export function readState(search) {
  const params = new URLSearchParams(search);
  const s = emptyState();
  SCALAR_PARAMS.forEach(function (name) {
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

/** The API query of a state (search or markers); only the API's own parameters. */
export function apiParams(s, forMarkers) {
  const params = new URLSearchParams();
  if (s.q) params.set("q", s.q);
  if (!forMarkers) {
    if (s.place) params.set("place", s.place);
    else if (s.near) params.set("near", s.near);
    else if (s.lat !== null && s.lon !== null) { params.set("lat", s.lat); params.set("lon", s.lon); }
    if (s.radius_km !== null && hasOrigin(s)) params.set("radius_km", s.radius_km);
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
  if (s.radius_km !== null && !hasOrigin(s)) params.set("radius_km", s.radius_km);
  if (s.site) params.set("site", s.site);
  if (store.embedded) params.set("embed", "1");
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
