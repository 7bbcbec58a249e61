/* The coverage page's map (locator/staff/templates/staff_coverage.html), from #coverage-map-data
 * (written by the server: coverage_view.map_data): the listed sites that meet the filter and the
 * covered places as light dots (on a canvas: thousands of them, no tooltips), then a circle per
 * gap place, sized by population and coloured by the distance to the nearest qualified site (a
 * gap-N class: staff.css holds the colours, the page the legend). The tables under the map hold
 * the places shown here; texts come translated, in the data (tooltips) and the container. */
import { fit, staffMap, tip } from "./staff_map.js";

function lightDots(L, map, renderer, points, colour) {
  points.forEach(function (point) {
    L.circleMarker([point[0], point[1]], { renderer: renderer, radius: 2.5, stroke: false, fillColor: colour,
                                           fillOpacity: 0.6, interactive: false }).addTo(map);
  });
}

function drawMap(container, data) {
  if (!data) return;
  const map = staffMap(container);
  if (!map) return;
  const L = window.L;
  const shown = JSON.parse(data.textContent);
  // One canvas for every light dot. It takes no CSS class: their colours are staff.css custom properties (the legend's).
  const canvas = L.canvas({ padding: 0.2 });
  const style = getComputedStyle(container);
  lightDots(L, map, canvas, shown.sites, style.getPropertyValue("--site").trim());
  lightDots(L, map, canvas, shown.covered, style.getPropertyValue("--covered").trim());
  const most = shown.gaps.reduce(function (top, place) { return Math.max(top, place.population); }, 1);
  const circles = shown.gaps.map(function (place) {
    return L.circleMarker(place.at, {
      radius: 4 + 14 * Math.sqrt(place.population / most), weight: 1, color: "#ffffff", fillOpacity: 0.8,
      className: "gap-place gap-" + place.band
    }).bindTooltip(tip(place.tip));
  });
  L.featureGroup(circles).addTo(map);
  // The gap places when there are any, else the covered ones: the map opens on what the page is about.
  fit(map, L.latLngBounds(circles.length ? shown.gaps.map(function (place) { return place.at; }) : shown.covered));
  container.dataset.drawn = String(circles.length); // how many gap circles are on the map (the tests read it)
}

drawMap(document.getElementById("coverage-map"), document.getElementById("coverage-map-data"));
