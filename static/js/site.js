/* A listed site's page (locator/api/templates/site.html): everything is there without script; this
 * draws the small map of the site and, when the visitor came from a search, makes "Back to the
 * partner search" go back to that search rather than to an empty one. It also reports the page seen
 * (one "site_page" beacon, with the token the server signed for it) and the site's phone, email,
 * website and directions used (beacons.js, which keeps quiet with GPC, Do Not Track or
 * analytics=off, and when the server gave no token). */
import { report } from "./beacons.js";
import { $ } from "./dom.js";
import { addTiles, addZoom, siteMarkerStyle } from "./mapbase.js";

const ZOOM = 14;
// The site's own contact links (its card, and the Directions button) and what using each reports.
const CONTACTS = { "contact-phone": "phone", "contact-email": "email", "contact-web": "website", "directions": "directions" };

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

function reportContacts(token, siteId) {
  document.addEventListener("click", function (event) {
    const link = event.target.closest ? event.target.closest("a") : null;
    const used = link && Object.keys(CONTACTS).filter(function (name) { return link.classList.contains(name); })[0];
    if (used) report(CONTACTS[used], token, siteId);
  });
}

report("site_page", document.body.dataset.eventToken, document.body.dataset.siteId); // first: a map that fails loses nothing
reportContacts(document.body.dataset.eventToken, document.body.dataset.siteId);
drawMap($("site-map"));
backToTheSearch($("back-link"));
