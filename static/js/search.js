/* What the intents ask of the outside world: it follows the store, asks the API (the search, the
 * suggestions, a listing) and the browser (where the visitor is), and writes each answer or error
 * into the store. It draws nothing and imports no view.
 *
 * Only the newest request of each kind may write: an answer that arrives after a newer intent is
 * dropped, and the request it belonged to is aborted when the browser can. */
import { located, notLocated, suggested } from "./actions.js";
import { getJSON, replaceAbort } from "./api.js";
import { debounce } from "./dom.js";
import { apiParams, subscribe, update } from "./state.js";

const SUGGEST_DELAY_MS = 120;
const MAX_SUGGEST_TEXT = 100;

/** Follow the store from now on: each new request of a kind is run once. */
export function follow() {
  const seen = { request: 0, suggest: 0, detail: 0, asking: false };
  let searching = null, suggesting = null;
  subscribe(function (s) {
    if (s.request !== seen.request) {
      seen.request = s.request;
      searching = replaceAbort(searching);
      search(s, searching);
    }
    if (s.suggest.query !== seen.suggest) {
      seen.suggest = s.suggest.query;
      suggesting = replaceAbort(suggesting);
      suggestSoon(s.suggest.text, suggesting);
    }
    if (s.detail.request !== seen.detail) {
      seen.detail = s.detail.request;
      if (s.detail.site) fetchListing(s.detail.request, s.detail.site);
    }
    if (s.location.asking !== seen.asking) {
      seen.asking = s.location.asking;
      if (s.location.asking) locate();
    }
  });
}

function search(s, abort) {
  const request = s.request, params = apiParams(s.search, false, s.embedded && s.embedded.perPage);
  if (!s.facets) params.set("facets", "true"); // a page opened past page 1 has no filter counts yet: ask for them
  getJSON("/partners", params, abort && abort.signal).then(function (data) { answered(request, data); }, function (error) {
    if (error && error.name === "AbortError") return;
    update(function (st) {
      if (st.request !== request) return;
      st.busy = false;
      st.response = null;
      st.error = error;
    });
  });
}

function answered(request, data) {
  update(function (st) {
    if (st.request !== request) return;
    st.busy = false;
    st.error = null;
    st.response = data;
    if (data.facets) st.facets = data.facets; // later pages come without: the filters stay page 1's
  });
}

const suggestSoon = debounce(function (text, abort) {
  getJSON("/suggest", new URLSearchParams({ q: text.slice(0, MAX_SUGGEST_TEXT) }), abort && abort.signal).then(function (data) {
    suggested(text, suggestionItems(data));
  }, function () { /* suggestions are a convenience: stay quiet */ });
}, SUGGEST_DELAY_MS);

/** Countries, then places (two of one name and country read the same: shown once), then partners. */
function suggestionItems(data) {
  const labels = {};
  const places = (data.places || []).filter(function (p) {
    if (labels[p.label]) return false;
    labels[p.label] = true;
    return true;
  });
  return (data.countries || []).map(function (c) { return { kind: "country", data: c }; })
    .concat(places.map(function (p) { return { kind: "place", data: p }; }))
    .concat((data.companies || []).map(function (c) { return { kind: "company", data: c }; }));
}

function fetchListing(request, siteId) {
  const written = function (change) {
    update(function (st) { if (st.detail.request === request) st.detail = Object.assign({}, st.detail, change); });
  };
  getJSON("/partners/" + encodeURIComponent(siteId)).then(function (listing) { written({ listing: listing }); },
    function (error) { written({ error: error }); });
}

function locate() {
  if (!navigator.geolocation) { notLocated("unsupported"); return; }
  navigator.geolocation.getCurrentPosition(function (position) {
    located(position.coords.latitude.toFixed(4), position.coords.longitude.toFixed(4));
  }, function (err) {
    notLocated(err && err.code === 1 ? "denied" : "unavailable");
  }, { enableHighAccuracy: false, timeout: 10000, maximumAge: 600000 });
}
