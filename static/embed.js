/* Partner Locator embed: one snippet puts the partner search on any page.
 *
 *   <div data-partner-locator data-country="DK" data-ui-lang="de"></div>
 *   <script src="https://locator.example/static/embed.js" async></script>
 *
 * Each element with `data-partner-locator` gets a sandboxed iframe of the locator's own page, from
 * the origin this script was loaded from. Two kinds of attributes, not to be confused:
 *   the search's own language: data-ui-lang="de" (en, de, fr, es or ja; else the visitor's browser
 *     decides), data-unit="km" or "mi" (else the visitor's region decides);
 *   presets, which become the page's query parameters: data-country="DK,SE"  data-tier="premier"
 *     data-language="da" (partners who speak Danish; data-lang is the same)  data-cert="MCIE"
 *     data-industry="retail"  data-text="Aarhus" (read as the search box reads it)  data-near="Aarhus"
 *     data-q="..."  data-radius="50" (km)  data-sort="name".
 * data-height="700" fixes the height; otherwise the frame grows with its content (postMessage).
 * Analytics (docs/privacy.md): the frame is told this page's origin (embed_origin=, the origin only,
 * never its path or query), so the locator can count searches per embedding site; the visitor's
 * Global Privacy Control or Do Not Track turns them off, and so does data-analytics="off" for every
 * visitor of this page (analytics=off in the frame's URL).
 * The frame's accessible name is data-title, else the page's own title in its language.
 * Call window.PartnerLocator.scan() after adding containers to the page later.
 */
(function () {
  "use strict";
  if (window.PartnerLocator && window.PartnerLocator.scan) { window.PartnerLocator.scan(); return; }

  var MESSAGE = "partner-locator:height";
  var MIN_HEIGHT = 320, MAX_HEIGHT = 20000, DEFAULT_HEIGHT = 720;
  var LISTS = { country: "country", tier: "tier", lang: "language", language: "language", cert: "cert", industry: "industry" };
  var SCALARS = { text: "text", near: "near", q: "q", radius: "radius_km", sort: "sort", place: "place", "ui-lang": "lang",
                  unit: "unit" };

  function scriptElement() {
    if (document.currentScript && document.currentScript.src) return document.currentScript;
    var scripts = document.getElementsByTagName("script");
    for (var i = scripts.length - 1; i >= 0; i--) {
      if (/\/static\/embed\.js(\?|#|$)/.test(scripts[i].src)) return scripts[i];
    }
    return null;
  }

  var script = scriptElement();
  if (!script) return;
  var scriptUrl = new URL(script.src, window.location.href);
  var origin = scriptUrl.origin;
  // The locator's page: the folder above /static/ (the locator may live under a path prefix).
  var pageUrl = new URL(scriptUrl.pathname.replace(/static\/embed\.js$/, ""), origin);
  var frames = [];

  // The frame's own box, "!important" so that the host page's CSS ("iframe { max-width: 50% }",
  // "* { border: ... !important }") cannot cut, shrink or frame it: inline important styles win.
  var FRAME_STYLE = { display: "block", width: "100%", "max-width": "100%", "min-width": "0", border: "0",
                      margin: "0", padding: "0", overflow: "hidden", "box-sizing": "border-box",
                      "min-height": "0", "max-height": "none", "pointer-events": "auto", visibility: "visible",
                      opacity: "1", position: "static", transform: "none", filter: "none" };

  function setStyles(element, styles) {
    Object.keys(styles).forEach(function (name) { element.style.setProperty(name, styles[name], "important"); });
  }

  function setHeight(iframe, height) { iframe.style.setProperty("height", height + "px", "important"); }

  function presets(container) {
    var params = new URLSearchParams();
    params.set("embed", "1");
    Object.keys(LISTS).forEach(function (key) {
      var value = container.getAttribute("data-" + key);
      if (!value) return;
      value.split(",").forEach(function (part) {
        part = part.trim();
        if (part) params.append(LISTS[key], part);
      });
    });
    Object.keys(SCALARS).forEach(function (key) {
      var value = container.getAttribute("data-" + key);
      if (value && value.trim()) params.set(SCALARS[key], value.trim());
    });
    if (/^https?:\/\//.test(window.location.origin)) params.set("embed_origin", window.location.origin);
    if ((container.getAttribute("data-analytics") || "").trim().toLowerCase() === "off") params.set("analytics", "off");
    return params;
  }

  function mount(container) {
    if (container.getAttribute("data-partner-locator-ready") !== null) return;
    container.setAttribute("data-partner-locator-ready", "");
    var fixed = parseInt(container.getAttribute("data-height"), 10);
    var iframe = document.createElement("iframe");
    if (container.getAttribute("data-title")) {
      iframe.title = container.getAttribute("data-title");
      iframe.setAttribute("data-fixed-title", "");
    }
    iframe.setAttribute("sandbox", "allow-scripts allow-same-origin allow-popups allow-popups-to-escape-sandbox allow-forms");
    iframe.setAttribute("allow", "geolocation");
    iframe.setAttribute("referrerpolicy", "strict-origin-when-cross-origin");
    iframe.setAttribute("loading", container.getAttribute("data-loading") === "eager" ? "eager" : "lazy");
    setStyles(iframe, FRAME_STYLE);
    setHeight(iframe, fixed > 0 ? fixed : DEFAULT_HEIGHT);
    if (fixed > 0) iframe.setAttribute("data-fixed-height", "");
    iframe.className = "partner-locator-frame";
    iframe.src = pageUrl.href + "?" + presets(container).toString(); // after sandbox and allow: they apply to it
    while (container.firstChild) container.removeChild(container.firstChild); // a fallback link, if any
    container.appendChild(iframe);
    frames.push(iframe);
  }

  function onMessage(event) {
    if (event.origin !== origin || !event.data || event.data.type !== MESSAGE) return;
    for (var i = 0; i < frames.length; i++) {
      var iframe = frames[i];
      if (iframe.contentWindow !== event.source) continue;
      if (typeof event.data.title === "string" && event.data.title && !iframe.hasAttribute("data-fixed-title")) {
        iframe.title = event.data.title.slice(0, 200);
      }
      if (iframe.hasAttribute("data-fixed-height")) return;
      var height = Number(event.data.height);
      if (!isFinite(height)) return;
      setHeight(iframe, Math.round(Math.max(MIN_HEIGHT, Math.min(MAX_HEIGHT, height))));
      return;
    }
  }

  function scan() {
    var containers = document.querySelectorAll("[data-partner-locator]");
    for (var i = 0; i < containers.length; i++) mount(containers[i]);
  }

  window.addEventListener("message", onMessage);
  window.PartnerLocator = { scan: scan, origin: origin };
  scan();
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", scan);
})();
