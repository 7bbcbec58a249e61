/* The staff dashboard's map (locator/staff/templates/staff_dashboard.html): a circle per searched
 * place of the report (#staff-map-data, written by the server), sized by searches and coloured by
 * the share that found nothing (a band-N class: staff.css holds the colours, the page the legend).
 * Everything else on the page is there without script; the places' numbers are in the table under
 * the map. Texts come translated from the container's data attributes: this file has none. */

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

function tip(text) {
  const span = document.createElement("span");
  span.textContent = text; // a label is data: never markup
  return span;
}

function drawMap(container, data) {
  if (!window.L || !container || !data) return;
  const L = window.L;
  const points = JSON.parse(data.textContent);
  const map = L.map(container, { zoomControl: false, scrollWheelZoom: false, attributionControl: true, worldCopyJump: true });
  L.control.zoom({ zoomInTitle: container.dataset.zoomIn, zoomOutTitle: container.dataset.zoomOut }).addTo(map);
  addTiles(L, map, container);
  const most = points.reduce(function (top, point) { return Math.max(top, point.searches); }, 1);
  const circles = points.map(function (point) {
    return L.circleMarker([point.lat, point.lon], {
      radius: 5 + 13 * Math.sqrt(point.searches / most), weight: 1.5, color: "#ffffff", fillOpacity: 0.8,
      className: "searched-area band-" + point.band
    }).bindTooltip(tip(point.tip));
  });
  const layer = L.featureGroup(circles).addTo(map);
  if (circles.length) map.fitBounds(layer.getBounds(), { padding: [28, 28], maxZoom: 7 });
  else map.setView([30, 0], 1);
  container.dataset.drawn = String(circles.length); // how many circles are on the map (the tests read it)
}

drawMap(document.getElementById("staff-map"), document.getElementById("staff-map-data"));
