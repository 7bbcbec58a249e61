/* Inside an embedding page (embed.js): report the content's height so the frame grows to fit it,
 * and the page's title (in the page's language), which the frame takes as its accessible name. */

const REPORT_EVERY_MS = 1000; // a safety net for changes no observer sees (fonts, images)

/** Report from now on; an open `dialog` (the detail panel, placed where the visitor is) counts too. */
export function watchHeight(dialog) {
  if (window.parent === window) return;
  let reported = 0;
  const report = function () {
    let height = Math.ceil(document.body.scrollHeight); // the content, not the frame's current size
    if (dialog && dialog.open) height = Math.max(height, Math.ceil(dialog.getBoundingClientRect().bottom + window.scrollY + 16));
    if (height === reported) return;
    reported = height;
    window.parent.postMessage({ type: "partner-locator:height", height: height, title: document.title }, "*");
  };
  if (window.ResizeObserver) new ResizeObserver(report).observe(document.body);
  window.addEventListener("load", report);
  setInterval(report, REPORT_EVERY_MS);
}
