/* Inside an embedding page (embed.js): report the content's height so the frame grows to fit it,
 * and the page's title (in the page's language), which the frame takes as its accessible name. */
import { store } from "./state.js";

const REPORT_EVERY_MS = 1000; // a safety net for changes no observer sees (fonts, images)

export function watchHeight() {
  if (!store.embedded || window.parent === window) return;
  if (window.ResizeObserver) new ResizeObserver(reportHeight).observe(document.body);
  window.addEventListener("load", reportHeight);
  setInterval(reportHeight, REPORT_EVERY_MS);
}

function reportHeight() {
  const detail = store.ui.detail;
  let height = Math.ceil(document.body.scrollHeight); // the content, not the frame's current size
  if (detail.open) height = Math.max(height, Math.ceil(detail.getBoundingClientRect().bottom + window.scrollY + 16));
  if (height === store.lastHeight) return;
  store.lastHeight = height;
  window.parent.postMessage({ type: "partner-locator:height", height: height, title: document.title }, "*");
}
