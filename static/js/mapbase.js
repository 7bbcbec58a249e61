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
