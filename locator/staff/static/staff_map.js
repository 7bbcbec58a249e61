/* What the staff pages' maps share (staff.js: the dashboard, coverage.js: the coverage page): a
 * Leaflet map in a container whose data attributes carry the tile server and the translated texts
 * (no text lives in the scripts), tiles when there are any (the map works without them), and
 * tooltips that take data as text, never as markup. */

function escapeForLeaflet(text) {
  // Leaflet puts attribution text in with innerHTML: hand it text only.
  const div = document.createElement("div");
  div.textContent = text;
  return div.innerHTML;
}

function addTiles(L, map, container) {
  const url = container.dataset.tileUrl;
  map.attributionControl.setPrefix(false);
  if (!url) { container.classList.add("tiles-failed"); return; }
  const tiles = L.tileLayer(url, {
    maxZoom: Number(container.dataset.tileMaxZoom) || 19,
    attribution: escapeForLeaflet(container.dataset.tileAttribution || "")
  });
  tiles.on("tileerror", function () { container.classList.add("tiles-failed"); });
  tiles.addTo(map);
}

export function tip(text) {
  const span = document.createElement("span");
  span.textContent = text; // a label is data: never markup
  return span;
}

/* The map in `container` with its zoom buttons and tiles, or null without Leaflet (the tables say it all). */
export function staffMap(container) {
  if (!window.L || !container) return null;
  const L = window.L;
  const map = L.map(container, { zoomControl: false, scrollWheelZoom: false, attributionControl: true, worldCopyJump: true });
  L.control.zoom({ zoomInTitle: container.dataset.zoomIn, zoomOutTitle: container.dataset.zoomOut }).addTo(map);
  addTiles(L, map, container);
  return map;
}

/* Show `bounds` (L.LatLngBounds), or the whole world when they hold nothing. */
export function fit(map, bounds) {
  if (bounds.isValid()) map.fitBounds(bounds, { padding: [28, 28], maxZoom: 7 });
  else map.setView([30, 0], 1);
}
