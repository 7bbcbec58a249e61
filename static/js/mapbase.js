/* What the search page's map (map.js) and a site page's map (site.js) share: the colours and style
 * of a site's marker, zoom buttons in the page's language, and the background. */
import { t } from "./i18n.js";

export const COLORS = { premier: "#b7791f", advanced: "#1d5fa8", origin: "#0b2545", highlight: "#d94f00" };

/** Leaflet circleMarker options of a listed site of that tier. */
export function siteMarkerStyle(tier) {
  const premier = tier === "premier";
  return { radius: premier ? 8 : 7, weight: 2, color: "#ffffff", fillColor: premier ? COLORS.premier : COLORS.advanced,
           fillOpacity: 0.95, className: "site-marker" };
}

/** The tile layer from the container's data attributes: data-tile-url, data-tile-max-zoom and
 *  data-tile-attribution (the server writes them from its settings, and the page's
 *  Content-Security-Policy allows images from that server only). Maps work without tiles: when
 *  they fail, `note` says so. */
export function addTiles(L, map, container, note) {
  const tileUrl = container.dataset.tileUrl;
  map.attributionControl.setPrefix(false);
  if (!tileUrl) { container.classList.add("tiles-failed"); return; }
  let failed = 0; // per layer
  const tiles = L.tileLayer(tileUrl, {
    maxZoom: Number(container.dataset.tileMaxZoom) || 19,
    attribution: container.dataset.tileAttribution ? escapeForLeaflet(container.dataset.tileAttribution) : ""
  });
  tiles.on("tileerror", function () {
    failed += 1;
    if (failed !== 1) return;
    if (note) {
      note.textContent = t("Map background unavailable; partner locations are still shown.");
      note.hidden = false;
    }
    container.classList.add("tiles-failed");
  });
  tiles.on("tileload", function () {
    if (!failed) return;
    failed = 0;
    if (note) note.hidden = true;
    container.classList.remove("tiles-failed");
  });
  tiles.addTo(map);
}

/** Zoom buttons whose titles are in the page's language (Leaflet's own are English). */
export function addZoom(L, map) {
  L.control.zoom({ zoomInTitle: t("Zoom in"), zoomOutTitle: t("Zoom out") }).addTo(map);
}

function escapeForLeaflet(text) {
  // Leaflet puts attribution text in with innerHTML: hand it text only.
  const div = document.createElement("div");
  div.textContent = text;
  return div.innerHTML;
}

/** Groups whose markers would overlap on screen, merged into one (their counts added, placed at
 *  their weighted centre), so that every group is a touch target of its own with space around it
 *  (at least 24 px, WCAG 2.2 target size; Lighthouse flags overlapping ones). The server groups by
 *  grid cells, and two cells' groups can sit on either side of the line between them.
 *  `clusters`: [{key, lat, lon, count}]; `pixelOf(lat, lon)` -> {x, y}; `diameterOf(count)` in px.
 *  Returns groups of the same shape; a merged one's key names every cell it holds. */
export function mergeOverlapping(clusters, pixelOf, diameterOf, gap) {
  // Each group's place on screen is projected once, and again only when a merge moves it.
  let groups = clusters.map(function (c) { return { key: c.key, lat: c.lat, lon: c.lon, count: c.count, at: pixelOf(c.lat, c.lon) }; });
  for (let pass = 0; pass < 4; pass++) { // a merged group moves and grows: look again, a few times at most
    const merged = [];
    let changed = false;
    groups.sort(function (a, b) { return b.count - a.count; }).forEach(function (group) {
      const near = merged.find(function (other) {
        return Math.hypot(other.at.x - group.at.x, other.at.y - group.at.y) < (diameterOf(other.count) + diameterOf(group.count)) / 2 + gap;
      });
      if (!near) { merged.push(group); return; }
      const count = near.count + group.count;
      near.lat = (near.lat * near.count + group.lat * group.count) / count;
      near.lon = (near.lon * near.count + group.lon * group.count) / count;
      near.key = near.key + "+" + group.key;
      near.count = count;
      near.at = pixelOf(near.lat, near.lon);
      changed = true;
    });
    groups = merged;
    if (!changed) break;
  }
  return groups.map(function (g) { return { key: g.key, lat: g.lat, lon: g.lon, count: g.count }; });
}
