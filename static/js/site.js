/* A listed site's page (locator/api/templates/site.html): everything is there without script; this
 * draws the small map of the site and, when the visitor came from a search, makes "Back to the
 * partner search" go back to that search rather than to an empty one. */
import { $ } from "./dom.js";
import { addTiles, addZoom, siteMarkerStyle } from "./mapbase.js";

const ZOOM = 14;

function drawMap(container) {
  if (!window.L || !container) return;
  const L = window.L, point = [Number(container.dataset.lat), Number(container.dataset.lon)];
  const map = L.map(container, { zoomControl: false, scrollWheelZoom: false, attributionControl: true }).setView(point, ZOOM);
  addZoom(L, map);
  addTiles(L, map, container, $("map-note"));
  L.circleMarker(point, siteMarkerStyle(container.dataset.tier)).addTo(map);
}

/** The search this page was opened from (same origin, the search page's path), if any. */
function backToTheSearch(link) {
  if (!link || !document.referrer) return;
  let from;
  try { from = new URL(document.referrer); } catch (e) { return; }
  const search = new URL(link.href);
  if (from.origin === search.origin && from.pathname === search.pathname) link.href = from.href;
}

drawMap($("site-map"));
backToTheSearch($("back-link"));
