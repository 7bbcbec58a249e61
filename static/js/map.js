/* The map (Leaflet, the vendored global window.L): markers for every match in view, the search's
 * origin, and after the visitor moves it, the offer to search the area it shows ("Search this area",
 * a button of the page: the search then has a bbox, and the map stays where the visitor put it). */
import { getJSON, replaceAbort } from "./api.js";
import { openDetail } from "./detail.js";
import { debounce, el } from "./dom.js";
import { formatNumber, tierLabel } from "./format.js";
import { t, tn } from "./i18n.js";
import { apiParams, radiusKm, store } from "./state.js";
import { COLORS, addTiles, addZoom, siteMarkerStyle } from "./mapbase.js";

const MARKERS_DELAY_MS = 150;

const USER_MOVES = ["pointerdown", "wheel", "keydown", "touchstart"]; // on the map: what the visitor does, not the page

/** The map view for a container, or null when Leaflet or the container is missing. `areaButton`
 *  is shown when the visitor has moved the map (its click is the page's business). */
export function createMapView(container, areaButton) {
  if (!window.L || !container) return null;
  const L = window.L;
  let map;
  try {
    map = L.map(container, { worldCopyJump: true, minZoom: 1, maxZoom: 18, zoomControl: false, attributionControl: true })
      .setView([35, 10], 2);
    addZoom(L, map);
  } catch (e) {
    return null;
  }
  addTiles(L, map, container, store.ui.mapNote);
  addLegend(L, map);
  // This map's own state: its layers and the markers request in flight.
  const view = { L: L, map: map, container: container, markers: L.layerGroup().addTo(map), origin: L.layerGroup().addTo(map),
                 highlighted: L.layerGroup().addTo(map), abort: null, seq: 0, lastKey: "", touched: false, areaButton: areaButton };
  const loadSoon = debounce(function () { loadMarkers(view, false); }, MARKERS_DELAY_MS);
  USER_MOVES.forEach(function (type) { container.addEventListener(type, function () { view.touched = true; }, { passive: true }); });
  map.on("moveend", function () {
    loadSoon();
    if (view.touched && areaButton) areaButton.hidden = false;
  });
  return {
    map: map,
    bbox: function () { return bboxParam(map); },
    showSearch: function (data) { showSearch(view, data); },
    highlight: function (site) { highlight(view, site); },
    focusSite: function (site) { focusSite(view, site); },
    reload: function () { loadMarkers(view, true); }
  };
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

function loadMarkers(view, force) {
  const params = apiParams(store.state, true);
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
    drawMarkers(view, data);
  }, function (error) {
    if ((error && error.name === "AbortError") || seq !== view.seq) return;
    view.container.setAttribute("aria-busy", "false");
    view.markers.clearLayers();
    view.lastKey = "";
  });
}

function drawMarkers(view, data) {
  view.markers.clearLayers();
  view.container.dataset.markerMode = data.mode;
  view.container.dataset.markerTotal = String(data.total);
  (data.points || []).forEach(function (point) { view.markers.addLayer(pointMarker(view.L, point)); });
  (data.clusters || []).forEach(function (cluster) { view.markers.addLayer(clusterMarker(view, cluster)); });
}

function pointMarker(L, point) {
  const marker = L.circleMarker([point.lat, point.lon], siteMarkerStyle(point.tier));
  marker.bindTooltip(el("span", { translate: "no", text: point.company + " (" + tierLabel(point.tier) + ")" }), { direction: "top", offset: [0, -6] });
  marker.on("click", function () { openDetail(point.site_id, null); });
  return marker;
}

function clusterMarker(view, cluster) {
  const L = view.L, n = cluster.count;
  const size = n < 10 ? 30 : n < 100 ? 36 : n < 1000 ? 42 : 50;
  const label = el("span", { text: n >= 10000 ? t("%(thousands)sk", { thousands: formatNumber(Math.round(n / 1000)) }) : formatNumber(n) });
  const marker = L.marker([cluster.lat, cluster.lon], {
    icon: L.divIcon({ className: "cluster-marker", html: label, iconSize: [size, size] }),
    title: tn("%(count)s partner site: zoom in", "%(count)s partner sites: zoom in", n, { count: formatNumber(n) }),
    alt: tn("%(count)s partner site", "%(count)s partner sites", n, { count: formatNumber(n) }), keyboard: true
  });
  marker.on("click", function () { view.map.setView([cluster.lat, cluster.lon], Math.min(view.map.getZoom() + 2, 18)); });
  return marker;
}

/** A new answer: its origin and radius, the view fitted to what it found (or to the area searched),
 *  fresh markers. */
function showSearch(view, data) {
  const L = view.L;
  view.touched = false; // the moves that follow are the page's
  if (view.areaButton) view.areaButton.hidden = true;
  view.origin.clearLayers();
  view.highlighted.clearLayers();
  const points = [];
  if (data && data.origin) {
    const center = [data.origin.lat, data.origin.lon];
    points.push(center);
    L.circleMarker(center, { radius: 6, color: COLORS.origin, weight: 3, fillColor: "#ffffff", fillOpacity: 1, className: "origin-marker" })
      .bindTooltip(el("span", { text: data.origin.label || t("Your location") }))
      .addTo(view.origin);
    const radius = !data.nearest_fallback && !(data.interpreted_as && data.interpreted_as.country) && !store.state.bbox;
    if (radius) { // a country or an area has no radius
      L.circle(center, { radius: Number(radiusKm(store.state)) * 1000, color: COLORS.origin, weight: 1,
                         opacity: 0.5, fillOpacity: 0.04, interactive: false }).addTo(view.origin);
    }
  }
  (data ? data.results : []).forEach(function (site) { if (site.location) points.push([site.location.lat, site.location.lon]); });
  if (store.state.bbox) fitArea(view, store.state.bbox);
  else if (points.length === 1) view.map.setView(points[0], 11);
  else if (points.length > 1) view.map.fitBounds(L.latLngBounds(points), { padding: [24, 24], maxZoom: data && data.origin ? 13 : 10 });
  loadMarkers(view, true);
}

/** The map shows the area searched ("S,W,N,E"; W > E crosses the antimeridian) unless it already does. */
function fitArea(view, bbox) {
  if (bboxParam(view.map) === bbox) return;
  const [south, west, north, east] = bbox.split(",").map(Number);
  if ([south, west, north, east].some(isNaN)) return;
  view.map.fitBounds([[south, west], [north, east < west ? east + 360 : east]]);
}

function highlight(view, site) {
  view.highlighted.clearLayers();
  if (!site || !site.location) return;
  view.L.circleMarker([site.location.lat, site.location.lon], { radius: 14, color: COLORS.highlight, weight: 3, fill: false, interactive: false })
    .addTo(view.highlighted);
}

function focusSite(view, site) {
  view.map.setView([site.location.lat, site.location.lon], Math.max(view.map.getZoom(), 13));
  highlight(view, site);
  view.container.scrollIntoView({ block: "nearest" });
}
