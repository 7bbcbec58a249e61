/* The map (Leaflet, the vendored global window.L): markers for every match in view, the search's origin. */
import { getJSON, replaceAbort } from "./api.js";
import { openDetail } from "./detail.js";
import { debounce, el } from "./dom.js";
import { formatNumber, tierLabel } from "./format.js";
import { t, tn } from "./i18n.js";
import { apiParams, radiusKm, store } from "./state.js";

const MARKERS_DELAY_MS = 150;
const COLORS = { premier: "#b7791f", advanced: "#1d5fa8", origin: "#0b2545", highlight: "#d94f00" };

/** The map view for a container, or null when Leaflet or the container is missing. */
export function createMapView(container) {
  if (!window.L || !container) return null;
  const L = window.L;
  let map;
  try {
    map = L.map(container, { worldCopyJump: true, minZoom: 1, maxZoom: 18, zoomControl: false, attributionControl: true })
      .setView([35, 10], 2);
    L.control.zoom({ zoomInTitle: t("Zoom in"), zoomOutTitle: t("Zoom out") }).addTo(map); // Leaflet's own titles are English
  } catch (e) {
    return null;
  }
  addTiles(L, map, container);
  map.attributionControl.setPrefix(false);
  addLegend(L, map);
  // This map's own state: its layers and the markers request in flight.
  const view = { L: L, map: map, container: container, markers: L.layerGroup().addTo(map), origin: L.layerGroup().addTo(map),
                 highlighted: L.layerGroup().addTo(map), abort: null, seq: 0, lastKey: "" };
  const loadSoon = debounce(function () { loadMarkers(view, false); }, MARKERS_DELAY_MS);
  map.on("moveend", function () { loadSoon(); });
  return {
    map: map,
    showSearch: function (data) { showSearch(view, data); },
    highlight: function (site) { highlight(view, site); },
    focusSite: function (site) { focusSite(view, site); },
    reload: function () { loadMarkers(view, true); }
  };
}

/** The tile layer from the container's data attributes; the list and markers work without tiles. */
function addTiles(L, map, container) {
  const tileUrl = container.dataset.tileUrl;
  if (!tileUrl) { container.classList.add("tiles-failed"); return; }
  const note = store.ui.mapNote;
  let failed = 0; // per layer
  const tiles = L.tileLayer(tileUrl, {
    maxZoom: Number(container.dataset.tileMaxZoom) || 19,
    attribution: container.dataset.tileAttribution ? escapeForLeaflet(container.dataset.tileAttribution) : ""
  });
  tiles.on("tileerror", function () {
    failed += 1;
    if (failed !== 1) return;
    note.textContent = t("Map background unavailable; partner locations are still shown.");
    note.hidden = false;
    container.classList.add("tiles-failed");
  });
  tiles.on("tileload", function () { if (failed) { failed = 0; note.hidden = true; container.classList.remove("tiles-failed"); } });
  tiles.addTo(map);
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
  const premier = point.tier === "premier";
  const marker = L.circleMarker([point.lat, point.lon], {
    radius: premier ? 8 : 7, weight: 2, color: "#ffffff",
    fillColor: premier ? COLORS.premier : COLORS.advanced, fillOpacity: 0.95, className: "site-marker"
  });
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

/** A new answer: its origin and radius, the view fitted to what it found, fresh markers. */
function showSearch(view, data) {
  const L = view.L;
  view.origin.clearLayers();
  view.highlighted.clearLayers();
  const points = [];
  if (data && data.origin) {
    const center = [data.origin.lat, data.origin.lon];
    points.push(center);
    L.circleMarker(center, { radius: 6, color: COLORS.origin, weight: 3, fillColor: "#ffffff", fillOpacity: 1, className: "origin-marker" })
      .bindTooltip(el("span", { text: data.origin.label || t("Your location") }))
      .addTo(view.origin);
    if (!data.nearest_fallback && !(data.interpreted_as && data.interpreted_as.country)) { // a country has no radius
      L.circle(center, { radius: Number(radiusKm(store.state)) * 1000, color: COLORS.origin, weight: 1,
                         opacity: 0.5, fillOpacity: 0.04, interactive: false }).addTo(view.origin);
    }
  }
  (data ? data.results : []).forEach(function (site) { if (site.location) points.push([site.location.lat, site.location.lon]); });
  if (points.length === 1) view.map.setView(points[0], 11);
  else if (points.length > 1) view.map.fitBounds(L.latLngBounds(points), { padding: [24, 24], maxZoom: data && data.origin ? 13 : 10 });
  loadMarkers(view, true);
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

function escapeForLeaflet(text) {
  // Leaflet puts attribution text in with innerHTML: hand it text only.
  const div = document.createElement("div");
  div.textContent = text;
  return div.innerHTML;
}
