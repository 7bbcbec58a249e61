/* The staff dashboard's map (locator/staff/templates/staff_dashboard.html): a circle per searched
 * place of the report (#staff-map-data, written by the server), sized by searches and coloured by
 * the share that found nothing (a band-N class: staff.css holds the colours, the page the legend).
 * Everything else on the page is there without script; the places' numbers are in the table under
 * the map. Texts come translated from the container's data attributes: this file has none. */
import { fit, staffMap, tip } from "./staff_map.js";

function drawMap(container, data) {
  if (!data) return;
  const map = staffMap(container);
  if (!map) return;
  const L = window.L;
  const points = JSON.parse(data.textContent);
  const most = points.reduce(function (top, point) { return Math.max(top, point.searches); }, 1);
  const circles = points.map(function (point) {
    return L.circleMarker([point.lat, point.lon], {
      radius: 5 + 13 * Math.sqrt(point.searches / most), weight: 1.5, color: "#ffffff", fillOpacity: 0.8,
      className: "searched-area band-" + point.band
    }).bindTooltip(tip(point.tip));
  });
  const layer = L.featureGroup(circles).addTo(map);
  fit(map, layer.getBounds());
  container.dataset.drawn = String(circles.length); // how many circles are on the map (the tests read it)
}

drawMap(document.getElementById("staff-map"), document.getElementById("staff-map-data"));
