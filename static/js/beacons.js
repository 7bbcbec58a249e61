/* The pages' analytics beacons (issue 18, docs/privacy.md): the page reports what it showed and what
 * the customer did with it; the server believes only what it signed (the answer's search_token, or a
 * site page's event token), so a beacon carries that token and nothing about the visitor.
 *
 *   {type, token, nonce, site_id (interactions only), lang, source}  POSTed with navigator.sendBeacon
 *
 * - nonce: random per page load and kept only in this module: never in a cookie, storage or the URL.
 *   It lets the server refuse the same report twice; it is not kept with the event.
 * - source: the embedding page's host (embed.js passes its origin as `embed_origin`), else "direct".
 *   The server checks that host against the embed allowlist; the page just reports it.
 * - Nothing is sent with Global Privacy Control or Do Not Track on, with `analytics=off` (an embed's
 *   data-analytics="off"), without a token (analytics off on the server), or without sendBeacon
 *   (no fetch fallback: a lost report costs less than a second code path).
 * Both pages' URLs are rewritten later (main.js), so all of this is read once, when the module loads.
 * A leaf: it imports nothing and is handed the state (main.js) or the page's data (site.js). */

const ENDPOINT = new URL("../../api/v1/events", import.meta.url).href; // the locator's root, wherever it is mounted
const LANGUAGES = ["en", "de", "fr", "es", "ja"];

const params = new URLSearchParams(window.location.search);
const allowed = !privacySignal() && params.get("analytics") !== "off" && typeof navigator.sendBeacon === "function";
const nonce = allowed ? randomNonce() : null;
const source = embeddingHost(params);
const sent = new Set(); // each report once per page load: the server would refuse the second anyway

function privacySignal() {
  return navigator.globalPrivacyControl === true || navigator.doNotTrack === "1" || window.doNotTrack === "1";
}

/** 16 random bytes, base64url (22 characters of [A-Za-z0-9_-]); null where the browser has no crypto. */
function randomNonce() {
  if (!window.crypto || !window.crypto.getRandomValues) return null;
  const bytes = window.crypto.getRandomValues(new Uint8Array(16));
  return btoa(String.fromCharCode.apply(null, bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** The host (and port) of `embed_origin` when the page is embedded and it is an http(s) origin. */
function embeddingHost(query) {
  const embed = query.get("embed"), value = query.get("embed_origin");
  if ((embed !== "1" && embed !== "true") || !value) return "direct";
  let url;
  try { url = new URL(value); } catch (e) { return "direct"; }
  const originOnly = url.pathname === "/" && !url.search && !url.hash && !url.username && !url.password;
  return (url.protocol === "http:" || url.protocol === "https:") && originOnly && url.host ? url.host.toLowerCase() : "direct";
}

/** The UI language: <html lang> is "de" or "de-CH"; the server takes the five UI languages only. */
function language() {
  const lang = (document.documentElement.lang || "").split("-")[0].toLowerCase();
  return LANGUAGES.indexOf(lang) >= 0 ? lang : "en";
}

/** Report `type` ("search", or an interaction with `siteId`) of the answer or page `token` signed. */
export function report(type, token, siteId) {
  if (!allowed || !nonce || typeof token !== "string" || !token) return;
  const body = { type: type, token: token, nonce: nonce };
  if (type !== "search") {
    if (!siteId) return;
    body.site_id = siteId;
  }
  body.lang = language();
  body.source = source;
  const text = JSON.stringify(body);
  if (sent.has(text)) return;
  sent.add(text);
  try {
    navigator.sendBeacon(ENDPOINT, new Blob([text], { type: "application/json" }));
  } catch (e) { /* analytics never break the page */ }
}

let shown = null, handled = null;

/** The search page's subscriber (main.js): a "search" for every answer shown, and each interaction
 *  with a listing of that answer. A listing the answer did not show (a map marker off this page, a
 *  partner's other site) is not reported: the server could not verify it against the token. */
export function followSearchPage(state) {
  const answer = state.response;
  if (answer !== shown) {
    shown = answer;
    if (answer) report("search", answer.search_token, null);
  }
  const done = state.interaction;
  if (!done || done === handled) return;
  handled = done;
  const listed = answer && (answer.results || []).some(function (site) { return site.site_id === done.site_id; });
  if (listed) report(done.type, answer.search_token, done.site_id);
}
