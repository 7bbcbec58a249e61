/* Partner Locator's search page, put together: the one place that knows every module.
 *
 *   visitor ──> view (controls, facets, results, messages, suggest, map, detail) ──> actions ──> state
 *   state ──> main.js: every view's render(state), once per change; the URL; search.js ──> API ──> state
 *
 * Views draw from the state and express intents through actions; actions write the state;
 * search.js follows it and writes the answers back. Nothing else holds app state, and no module
 * imports one that imports it back (tests/unit/test_layout.py). Plain browser modules, no build
 * step, no CDN. Every text from the API goes in with textContent (dom.js, template.js), never as
 * HTML; links from the data are checked first (links.js). */
import * as actions from "./actions.js";
import { followSearchPage } from "./beacons.js";
import * as controls from "./controls.js";
import * as detail from "./detail.js";
import { $, loadScript } from "./dom.js";
import * as facets from "./facets.js";
import { watchHeight } from "./height.js";
import * as map from "./map.js";
import * as messages from "./messages.js";
import * as results from "./results.js";
import { follow } from "./search.js";
import { pageQuery, subscribe, urlInLanguage } from "./state.js";
import * as suggest from "./suggest.js";

const VIEWS = [controls, suggest, facets, results, messages, detail, map];
const LEAFLET = new URL("../vendor/leaflet/leaflet.js", import.meta.url).href;
const LEAFLET_CSS = new URL("../vendor/leaflet/leaflet.css", import.meta.url).href;

function init() {
  const ui = {
    form: $("search-form"), input: $("search-input"), suggestions: $("suggestions"), nearMe: $("near-me"),
    radius: $("radius"), unit: $("unit"), sort: $("sort"), collapse: $("collapse"), language: $("ui-language"),
    originChip: $("origin-chip"), clearOrigin: $("clear-origin"),
    filters: $("filters"), filterCount: $("filter-count"), filterSummary: $("filter-summary"), clearFilters: $("clear-filters"),
    status: $("status"), message: $("message"), results: $("results"), pagination: $("pagination"),
    detail: $("detail"), detailBody: $("detail-body"), detailClose: $("detail-close"),
    map: $("map"), mapNote: $("map-note"), searchArea: $("search-area")
  };
  const embedded = setUpEmbedding();
  if (window.matchMedia && window.matchMedia("(max-width: 900px)").matches) $("filters-panel").open = false;
  VIEWS.forEach(function (view) { view.init(ui); });
  subscribe(render);
  subscribe(followUrl);
  subscribe(followSearchPage); // the analytics beacons (beacons.js: nothing with GPC, DNT or analytics=off)
  follow();
  window.addEventListener("popstate", function () { actions.restoreFromUrl(window.location.search); });
  if (embedded) watchHeight(ui.detail);
  actions.start(window.location.search, embedded, initialResponse());
  document.documentElement.classList.add("scripted"); // see .needs-script in styles.css
  afterFirstPaint(drawMap);
}

/** Every view draws its part of the state; each draws only what changed for it. */
function render(state) {
  performance.mark("partner-locator:render"); // counted by the browser tests: at most two per search
  VIEWS.forEach(function (view) { view.render(state); });
}

/** The URL follows the state: a new search is a new history entry, a listing opened or closed
 *  replaces the entry, a change that came from the URL (back, forward) leaves it alone. */
function followUrl(state) {
  if (state.leaving) {
    window.location.assign(urlInLanguage(window.location.search, window.location.pathname, state.leaving.lang));
    return;
  }
  if (!state.history) return;
  const query = pageQuery(state), url = window.location.pathname + (query ? "?" + query : "");
  if (url === window.location.pathname + window.location.search) return;
  if (state.history === "push") history.pushState(null, "", url);
  else history.replaceState(null, "", url);
}

/** In an iframe of another site (embed.js adds embed=1): compact, links out open a new tab. */
function setUpEmbedding() {
  const params = new URLSearchParams(window.location.search);
  if (params.get("embed") !== "1" && params.get("embed") !== "true") return null;
  document.documentElement.classList.add("embedded");
  const full = document.querySelector(".full-page-link");
  if (full) {
    params.delete("embed");
    params.delete("embed_origin"); // the full page is not embedded (an analytics=off stays)
    full.href = window.location.pathname + (params.toString() ? "?" + params.toString() : "");
    full.hidden = false;
  }
  document.querySelectorAll(".site-header a[href*='api/v1/docs']").forEach(function (a) { a.target = "_blank"; a.rel = "noopener"; });
  return { perPage: document.body.dataset.embedPerPage || "10" }; // the server renders the first, shorter, page
}

/** The server's answer to the page's own search, when it rendered one (then nothing is asked again). */
function initialResponse() {
  const block = $("initial-response");
  try {
    return block ? JSON.parse(block.textContent) : null;
  } catch (e) {
    return null; // the API is asked instead
  }
}

/** Once the list is painted: Leaflet (~45 KB) is not needed to read the results. */
function afterFirstPaint(then) {
  requestAnimationFrame(function () { setTimeout(then, 0); });
}

function drawMap() {
  const css = document.createElement("link");
  css.rel = "stylesheet";
  css.href = LEAFLET_CSS;
  document.head.appendChild(css);
  loadScript(LEAFLET).then(function () {
    if (!window.L || !map.attach(window.L)) throw new Error("no map");
    actions.mapReady(true);
  }).catch(function () {
    map.unavailable();
    actions.mapReady(false);
  });
}

init(); // modules run after the document is parsed
