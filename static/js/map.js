/* The map (Leaflet, the vendored global window.L, loaded once the list is shown: main.js): markers
 * for every match in view, the search's origin, and after the visitor moves it, the offer to search
 * the area it shows ("Search this area": the search then has a bbox, and the map stays where the
 * visitor put it).
 *
 * It follows the state like every view: a new answer fits the view and draws the origin; a result
 * pointed at, or a listing opened, is marked. Its markers are its own (asked for the area it shows,
 * whenever it moves) and are updated by difference: a marker still there stays, a moved one moves,
 * a new one is added, a gone one removed; nothing is redrawn that did not change. */
import * as actions from "./actions.js";
import { getJSON, replaceAbort } from "./api.js";
import { changes, debounce, el } from "./dom.js";
import { formatNumber, tierLabel } from "./format.js";
import { t, tn } from "./i18n.js";
import { COLORS, addTiles, addZoom, mergeOverlapping, siteMarkerStyle } from "./mapbase.js";
import { apiParams, radiusKm } from "./state.js";

const MARKERS_DELAY_MS = 150;
const CLUSTER_GAP_PX = 6; // between two groups' markers: each a touch target with room around it
const USER_MOVES = ["pointerdown", "wheel", "keydown", "touchstart"]; // on the map: what the visitor does, not the page

let ui = null;
let view = null; // once drawn: the map, its layers, its markers by key, the markers request in flight
let shown = null; // the state last rendered (its search asks for the markers)
let fresh = {};

export function init(elements) {
  ui = elements;
  ui.searchArea.addEventListener("click", function () { if (view) actions.searchArea(bboxParam(view.map)); });
}

/** Draw the map with Leaflet `L`; false when it cannot be (the list then shows every result). */
export function attach(L) {
  const container = ui.map;
  let map;
  try {
    map = L.map(container, { worldCopyJump: true, minZoom: 1, maxZoom: 18, zoomControl: false, attributionControl: true })
      .setView([35, 10], 2);
    addZoom(L, map);
  } catch (e) {
    return false;
  }
  addTiles(L, map, container, ui.mapNote);
  addLegend(L, map);
  view = { L: L, map: map, container: container, markers: L.layerGroup().addTo(map), origin: L.layerGroup().addTo(map),
           highlighted: L.layerGroup().addTo(map), drawn: new Map(), abort: null, seq: 0, lastKey: "", touched: false };
  fresh = { answer: changes(), pointed: changes(), listing: changes(), focus: changes() };
  const loadSoon = debounce(function () { loadMarkers(false); }, MARKERS_DELAY_MS);
  USER_MOVES.forEach(function (type) { container.addEventListener(type, function () { view.touched = true; }, { passive: true }); });
  map.on("moveend", function () {
    loadSoon();
    if (view.touched) ui.searchArea.hidden = false;
  });
  return true;
}

/** No map here (Leaflet missing or failed): the list shows every result. */
export function unavailable() {
  document.documentElement.classList.add("no-map");
  ui.mapNote.textContent = t("The map is not available; the list shows every result.");
  ui.mapNote.hidden = false;
}

export function render(state) {
  shown = state;
  if (!view) return;
  if (!state.busy && fresh.answer(state.response, state.error)) showSearch(state.error ? null : state.response, state.search);
  if (fresh.pointed(state.pointed)) highlight(state.pointed);
  if (fresh.listing(state.detail.listing) && state.detail.listing) highlight(state.detail.listing);
  if (fresh.focus(state.mapFocus) && state.mapFocus) focusSite(state.mapFocus.site);
}

function addLegend(L, map) {
  const Legend = L.Control.extend({
    options: { position: "topright" },
    onAdd: function () {
      return el("div", { class: "map-legend", "aria-hidden": "true" },
        el("span", {}, el("i", { class: "dot dot-premier" }), tierLabel("premier")),
        el("span", {}, el("i", { class: "dot dot-advanced" }), tierLabel("advanced")),
        el("span", {}, el("i", { class: "dot dot-cluster" }), t("Group: zoom in")));
    }
  });
  new Legend().addTo(map);
}

function bboxParam(map) {
  const b = map.getBounds();
  const south = Math.max(-90, Math.min(90, b.getSouth())), north = Math.max(-90, Math.min(90, b.getNorth()));
  let west = b.getWest(), east = b.getEast();
  if (east - west >= 360) { west = -180; east = 180; } else { west = wrapLon(west); east = wrapLon(east); }
  const r = function (x) { return (Math.round(x * 1e5) / 1e5).toString(); };
  return [r(south), r(west), r(north), r(east)].join(",");
}

function wrapLon(lon) { return ((((lon + 180) % 360) + 360) % 360) - 180; }

function loadMarkers(force) {
  const params = apiParams(shown.search, true, null);
  params.set("bbox", bboxParam(view.map));
  params.set("zoom", String(Math.max(0, Math.min(22, Math.round(view.map.getZoom())))));
  const key = params.toString();
  if (!force && key === view.lastKey) return;
  view.lastKey = key;
  const seq = ++view.seq;
  view.abort = replaceAbort(view.abort);
  view.container.setAttribute("aria-busy", "true");
  getJSON("/partners/markers", params, view.abort && view.abort.signal).then(function (data) {
    if (seq !== view.seq) return;
    view.container.setAttribute("aria-busy", "false");
    drawMarkers(data);
  }, function (error) {
    if ((error && error.name === "AbortError") || seq !== view.seq) return;
    view.container.setAttribute("aria-busy", "false");
    drawMarkers({ mode: "", total: 0, points: [], clusters: [] });
    view.lastKey = "";
  });
}

/** The markers of an answer, by difference with those on the map. */
function drawMarkers(data) {
  view.container.dataset.markerMode = data.mode;
  view.container.dataset.markerTotal = String(data.total);
  const wanted = new Map();
  (data.points || []).forEach(function (point) { wanted.set("site:" + point.site_id, { point: point }); });
  const groups = mergeOverlapping(data.clusters || [], function (lat, lon) { return view.map.latLngToLayerPoint([lat, lon]); },
                                  clusterSize, CLUSTER_GAP_PX);
  groups.forEach(function (cluster) { wanted.set("cell:" + cluster.key, { cluster: cluster }); });
  view.drawn.forEach(function (drawn, key) {
    if (!wanted.has(key)) { view.markers.removeLayer(drawn.layer); view.drawn.delete(key); }
  });
  wanted.forEach(function (item, key) {
    const drawn = view.drawn.get(key);
    if (drawn) { update(drawn, item); return; }
    const layer = item.point ? pointMarker(item.point) : clusterMarker(item.cluster);
    view.markers.addLayer(layer);
    view.drawn.set(key, { item: item, layer: layer });
  });
}

/** A marker that stays: moved, restyled or relabelled only where its data changed. */
function update(drawn, item) {
  const before = drawn.item.point || drawn.item.cluster, after = item.point || item.cluster;
  if (before.lat !== after.lat || before.lon !== after.lon) drawn.layer.setLatLng([after.lat, after.lon]);
  if (item.point && (before.tier !== after.tier || before.company !== after.company)) {
    drawn.layer.setStyle(siteMarkerStyle(after.tier));
    drawn.layer.setTooltipContent(pointLabel(after));
  }
  if (item.cluster && before.count !== after.count) drawn.layer.setIcon(clusterIcon(after.count));
  drawn.item = item;
}

function pointLabel(point) { return el("span", { translate: "no", text: point.company + " (" + tierLabel(point.tier) + ")" }); }

function pointMarker(point) {
  const marker = view.L.circleMarker([point.lat, point.lon], siteMarkerStyle(point.tier));
  marker.bindTooltip(pointLabel(point), { direction: "top", offset: [0, -6] });
  marker.on("click", function () { actions.openSite(point.site_id, null); });
  return marker;
}

function clusterSize(n) { return n < 10 ? 30 : n < 100 ? 36 : n < 1000 ? 42 : 50; }

function clusterIcon(n) {
  const size = clusterSize(n);
  const label = el("span", { text: n >= 10000 ? t("%(thousands)sk", { thousands: formatNumber(Math.round(n / 1000)) }) : formatNumber(n) });
  return view.L.divIcon({ className: "cluster-marker", html: label, iconSize: [size, size] });
}

function clusterMarker(cluster) {
  const n = cluster.count;
  const marker = view.L.marker([cluster.lat, cluster.lon], {
    icon: clusterIcon(n),
    title: tn("%(count)s partner site: zoom in", "%(count)s partner sites: zoom in", n, { count: formatNumber(n) }),
    alt: tn("%(count)s partner site", "%(count)s partner sites", n, { count: formatNumber(n) }), keyboard: true
  });
  marker.on("click", function () { view.map.setView(marker.getLatLng(), Math.min(view.map.getZoom() + 2, 18)); });
  return marker;
}

/** A new answer (or a failure: null): its origin and radius, the view fitted to what it found (or to
 *  the area searched), the markers asked for again. */
function showSearch(data, search) {
  const L = view.L;
  view.touched = false; // the moves that follow are the page's
  ui.searchArea.hidden = true;
  view.origin.clearLayers();
  view.highlighted.clearLayers();
  const points = [];
  if (data && data.origin) {
    const center = [data.origin.lat, data.origin.lon];
    points.push(center);
    L.circleMarker(center, { radius: 6, color: COLORS.origin, weight: 3, fillColor: "#ffffff", fillOpacity: 1, className: "origin-marker" })
      .bindTooltip(el("span", { text: data.origin.label || t("Your location") }))
      .addTo(view.origin);
    const radius = !data.nearest_fallback && !(data.interpreted_as && data.interpreted_as.country) && !search.bbox;
    if (radius) { // a country or an area has no radius
      L.circle(center, { radius: Number(radiusKm(search)) * 1000, color: COLORS.origin, weight: 1,
                         opacity: 0.5, fillOpacity: 0.04, interactive: false }).addTo(view.origin);
    }
  }
  (data ? data.results : []).forEach(function (site) { if (site.location) points.push([site.location.lat, site.location.lon]); });
  if (search.bbox) fitArea(search.bbox);
  else if (points.length === 1) view.map.setView(points[0], 11);
  else if (points.length > 1) view.map.fitBounds(L.latLngBounds(points), { padding: [24, 24], maxZoom: data && data.origin ? 13 : 10 });
  loadMarkers(true);
}

/** The map shows the area searched ("S,W,N,E"; W > E crosses the antimeridian) unless it already does. */
function fitArea(bbox) {
  if (bboxParam(view.map) === bbox) return;
  const [south, west, north, east] = bbox.split(",").map(Number);
  if ([south, west, north, east].some(isNaN)) return;
  view.map.fitBounds([[south, west], [north, east < west ? east + 360 : east]]);
}

function highlight(site) {
  view.highlighted.clearLayers();
  if (!site || !site.location) return;
  view.L.circleMarker([site.location.lat, site.location.lon], { radius: 14, color: COLORS.highlight, weight: 3, fill: false, interactive: false })
    .addTo(view.highlighted);
}

function focusSite(site) {
  view.map.setView([site.location.lat, site.location.lon], Math.max(view.map.getZoom(), 13));
  highlight(site);
  view.container.scrollIntoView({ block: "nearest" });
}
