/* Partner Locator: the search page. Plain browser JavaScript, no build step, no CDN.
 *
 * The page's query string uses the API's own parameter names (q, place, near, lat, lon, radius_km,
 * tier, cert, country, language, industry, sort, page, collapse), so a shared or bookmarked URL
 * repeats exactly the same search. Page-only parameters: `site` (the listing shown in the detail
 * panel) and `embed` (set by embed.js: compact layout, height reported to the embedding page).
 *
 * Every text that comes from the API is put in the DOM with textContent / createTextNode, never
 * innerHTML; links from the data are checked (http/https, mailto, tel) before use.
 */
(function () {
  "use strict";

  var API = "api/v1"; // relative to the page, so the locator also works under a path prefix
  var LIST_PARAMS = ["tier", "cert", "country", "language", "industry"];
  var SCALAR_PARAMS = ["q", "place", "near", "lat", "lon", "radius_km", "sort", "page", "per_page", "collapse"];
  var DEFAULT_RADIUS = 100;
  var TIERS = ["premier", "advanced"];
  var TIER_LABEL = { premier: "Premier", advanced: "Advanced" };
  var CERTS = ["MCDE", "MCIT", "MCIE"];
  var CERT_NAME = {
    MCDE: "Milestone Certified Design Engineer",
    MCIT: "Milestone Certified Integration Technician",
    MCIE: "Milestone Certified Integration Engineer"
  };
  var FACET_TITLE = { tier: "Partner tier", cert: "Certified staff", country: "Country", language: "Language", industry: "Industry" };
  var FACET_VISIBLE = 8; // values shown before "Show all"
  var EARTH_RADIUS_KM = 6371.0088;

  var $ = function (id) { return document.getElementById(id); };
  var ui = {};
  var state = emptyState();
  var lastResponse = null;
  var lastFacets = null;
  var searchSeq = 0;
  var searchAbort = null;
  var notice = null; // a message shown above the results for the current search only
  var expandedFacets = {};
  var embedded = false;

  // ------------------------------------------------------------------ small helpers

  function emptyState() {
    var s = { q: null, place: null, near: null, lat: null, lon: null, radius_km: null, sort: null, page: 1,
              per_page: null, collapse: null, site: null, filters: {} };
    LIST_PARAMS.forEach(function (name) { s.filters[name] = []; });
    return s;
  }

  /** el("p", {class: "x", text: "..."}, child, ...): build DOM safely (text is never parsed as HTML). */
  function el(tag, attrs) {
    var node = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (key) {
        var value = attrs[key];
        if (value === null || value === undefined || value === false) return;
        if (key === "text") node.textContent = String(value);
        else if (key === "class") node.className = value;
        else if (key.slice(0, 2) === "on" && typeof value === "function") node.addEventListener(key.slice(2), value);
        else if (key === "dataset") Object.keys(value).forEach(function (k) { node.dataset[k] = value[k]; });
        else node.setAttribute(key, value === true ? "" : String(value));
      });
    }
    for (var i = 2; i < arguments.length; i++) append(node, arguments[i]);
    return node;
  }

  function append(node, child) {
    if (child === null || child === undefined || child === false) return;
    if (Array.isArray(child)) { child.forEach(function (c) { append(node, c); }); return; }
    node.appendChild(typeof child === "string" || typeof child === "number" ? document.createTextNode(String(child)) : child);
  }

  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }

  function displayName(type, code) {
    if (!code) return "";
    try {
      var names = new Intl.DisplayNames([document.documentElement.lang || "en"], { type: type });
      return names.of(type === "region" ? String(code).toUpperCase() : String(code)) || code;
    } catch (e) {
      return code;
    }
  }
  var countryName = function (code) { return displayName("region", code); };
  var languageName = function (code) { return displayName("language", code); };

  function capitalise(text) { text = String(text || ""); return text.charAt(0).toUpperCase() + text.slice(1); }

  function formatNumber(n) { return Number(n).toLocaleString("en"); }

  function formatKm(km) {
    if (km === null || km === undefined) return "";
    if (km < 10) return km.toFixed(1) + " km";
    return formatNumber(Math.round(km)) + " km";
  }

  function greatCircleKm(lat1, lon1, lat2, lon2) {
    var rad = Math.PI / 180, dLat = (lat2 - lat1) * rad, dLon = (lon2 - lon1) * rad;
    var a = Math.sin(dLat / 2) * Math.sin(dLat / 2) +
            Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.sin(dLon / 2) * Math.sin(dLon / 2);
    return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(a)));
  }

  function safeWebUrl(text) {
    if (!text) return null;
    try {
      var url = new URL(String(text), window.location.href);
      return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
    } catch (e) {
      return null;
    }
  }

  function safeEmail(text) {
    return text && /^[^\s@<>()"',;:]+@[^\s@<>()"',;:]+\.[^\s@<>()"',;:]+$/.test(text) ? "mailto:" + text : null;
  }

  function safeTel(text) {
    var digits = text ? String(text).replace(/[^\d+]/g, "") : "";
    return digits.length >= 5 ? "tel:" + digits : null;
  }

  function fold(text) {
    return String(text || "").normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase().trim();
  }

  function debounce(fn, ms) {
    var timer = null;
    return function () {
      var args = arguments, self = this;
      clearTimeout(timer);
      timer = setTimeout(function () { fn.apply(self, args); }, ms);
    };
  }

  /** GET JSON from the API; rejects with {status, code, message, fields, suggestions} on any failure. */
  function getJSON(path, params, signal) {
    var url = API + path + (params && params.toString() ? "?" + params.toString() : "");
    return fetch(url, { headers: { Accept: "application/json" }, signal: signal, credentials: "same-origin" })
      .then(function (response) {
        return response.json().catch(function () { return null; }).then(function (body) {
          if (response.ok && body) return body;
          var error = (body && body.error) || {};
          throw {
            status: error.status || response.status,
            code: error.code || "http_error",
            message: error.message || response.statusText || "request failed",
            fields: error.fields || null,
            suggestions: error.suggestions || null
          };
        });
      }, function (err) {
        if (err && err.name === "AbortError") throw err;
        throw { status: 0, code: "network", message: "the search service could not be reached" };
      });
  }

  // ------------------------------------------------------------------ state <-> URL <-> API

  function readState(search) {
    var params = new URLSearchParams(search);
    var s = emptyState();
    SCALAR_PARAMS.forEach(function (name) {
      var value = params.get(name);
      if (value !== null && value !== "") s[name] = value;
    });
    s.page = Math.max(1, parseInt(s.page, 10) || 1);
    LIST_PARAMS.forEach(function (name) {
      var seen = {};
      params.getAll(name).forEach(function (value) {
        value.split(",").forEach(function (v) {
          v = v.trim();
          if (!v) return;
          if (name === "country" || name === "cert") v = v.toUpperCase();
          if (name === "language" || name === "tier") v = v.toLowerCase();
          if (!seen[v]) { seen[v] = true; s.filters[name].push(v); }
        });
      });
    });
    s.site = params.get("site") || null;
    return s;
  }

  function hasOrigin(s) { return !!(s.place || s.near || (s.lat !== null && s.lon !== null)); }

  /** The API query of a state (search or markers); only the API's own parameters. */
  function apiParams(s, forMarkers) {
    var params = new URLSearchParams();
    if (s.q) params.set("q", s.q);
    if (!forMarkers) {
      if (s.place) params.set("place", s.place);
      else if (s.near) params.set("near", s.near);
      else if (s.lat !== null && s.lon !== null) { params.set("lat", s.lat); params.set("lon", s.lon); }
      if (s.radius_km !== null && hasOrigin(s)) params.set("radius_km", s.radius_km);
      if (s.sort) params.set("sort", s.sort);
      if (s.collapse) params.set("collapse", s.collapse);
      if (s.page > 1) params.set("page", String(s.page));
      if (s.per_page) params.set("per_page", s.per_page);
      else if (embedded) params.set("per_page", "10"); // a shorter page inside someone else's page
    }
    LIST_PARAMS.forEach(function (name) {
      s.filters[name].forEach(function (value) { params.append(name, value); });
    });
    return params;
  }

  function pageUrl(s) {
    var params = apiParams(s, false);
    if (s.radius_km !== null && !hasOrigin(s)) params.set("radius_km", s.radius_km);
    if (s.site) params.set("site", s.site);
    if (embedded) params.set("embed", "1");
    var query = params.toString();
    return window.location.pathname + (query ? "?" + query : "");
  }

  function syncUrl(push) {
    var url = pageUrl(state);
    if (url === window.location.pathname + window.location.search) return;
    if (push) history.pushState(null, "", url);
    else history.replaceState(null, "", url);
  }

  function filterCount(s) {
    return LIST_PARAMS.reduce(function (n, name) { return n + s.filters[name].length; }, 0);
  }

  // ------------------------------------------------------------------ search

  /** A user changed the search: new URL history entry, then run it. */
  function changeSearch(mutate, options) {
    mutate(state);
    if (!(options && options.keepPage)) state.page = 1;
    state.site = null;
    notice = null;
    syncUrl(true);
    return runSearch();
  }

  function runSearch() {
    var seq = ++searchSeq;
    if (searchAbort) searchAbort.abort();
    searchAbort = window.AbortController ? new AbortController() : null;
    renderControls();
    setBusy(true);
    return getJSON("/partners", apiParams(state, false), searchAbort && searchAbort.signal).then(function (data) {
      if (seq !== searchSeq) return;
      lastResponse = data;
      setBusy(false);
      renderResponse(data);
      if (mapView) mapView.showSearch(data);
      return data;
    }, function (error) {
      if (error && error.name === "AbortError") return;
      if (seq !== searchSeq) return;
      setBusy(false);
      lastResponse = null;
      renderError(error);
      if (mapView) mapView.showSearch(null);
      return null;
    });
  }

  function setBusy(busy) {
    ui.results.setAttribute("aria-busy", busy ? "true" : "false");
    document.body.classList.toggle("is-loading", busy);
    if (busy) ui.status.textContent = "Searching…";
  }

  // ------------------------------------------------------------------ rendering: controls

  function renderControls() {
    // The text box shows the words searched, else the place searched near.
    var origin = lastResponse && lastResponse.origin;
    if (document.activeElement !== ui.input) {
      ui.input.value = state.q || state.near || (state.place ? (origin && origin.label) || ui.input.value : "");
    }
    ensureOption(ui.radius, state.radius_km || String(DEFAULT_RADIUS), function (v) { return formatNumber(v) + " km"; });
    ui.radius.value = state.radius_km || String(DEFAULT_RADIUS);
    ui.radius.disabled = !hasOrigin(state);
    ui.radius.title = hasOrigin(state) ? "" : "Search near a place or near you to use a distance";
    var effectiveSort = state.sort || (hasOrigin(state) ? "distance" : "relevance");
    ui.sort.querySelector('option[value="distance"]').disabled = !hasOrigin(state);
    ui.sort.value = effectiveSort;
    ui.collapse.checked = state.collapse === "partner";
    var n = filterCount(state);
    ui.filterCount.textContent = n ? "(" + n + ")" : "";
    ui.filterSummary.textContent = LIST_PARAMS.reduce(function (all, name) {
      return all.concat(state.filters[name].map(function (v) { return facetLabel(name, v); }));
    }, []).join(", ");
    ui.clearFilters.hidden = n === 0;
    renderOriginChip();
  }

  function ensureOption(select, value, label) {
    if (!value || !isFinite(Number(value)) || select.querySelector('option[value="' + CSS.escape(value) + '"]')) return;
    var option = el("option", { value: value, text: label(value) });
    var options = Array.prototype.slice.call(select.options);
    var before = options.filter(function (o) { return Number(o.value) > Number(value); })[0] || null;
    select.insertBefore(option, before);
  }

  function originLabel() {
    var origin = lastResponse && lastResponse.origin;
    if (state.lat !== null && state.lon !== null && !state.place && !state.near) return "your location";
    if (origin && origin.label) return origin.label;
    return state.near || (state.place ? "the chosen place" : "");
  }

  function renderOriginChip() {
    var show = hasOrigin(state);
    ui.originChip.hidden = !show;
    if (show) ui.originChip.querySelector(".origin-label").textContent = "Near " + originLabel();
  }

  function renderFacets(facets) {
    clear(ui.filters);
    LIST_PARAMS.forEach(function (name) {
      var counts = (facets && facets[name === "cert" ? "cert" : name]) || {};
      var selected = state.filters[name];
      var values = Object.keys(counts).filter(function (v) { return counts[v] > 0 || selected.indexOf(v) >= 0; });
      selected.forEach(function (v) { if (values.indexOf(v) < 0) values.push(v); });
      if (name === "tier") values = TIERS.slice();
      if (name === "cert") values = CERTS.slice();
      if (name !== "tier" && name !== "cert") {
        values.sort(function (a, b) { return (counts[b] || 0) - (counts[a] || 0) || facetLabel(name, a).localeCompare(facetLabel(name, b)); });
      }
      if (!values.length) return;
      var fieldset = el("fieldset", { class: "facet", "data-facet": name }, el("legend", { text: FACET_TITLE[name] }));
      var list = el("ul", { class: "facet-values" });
      var limit = expandedFacets[name] ? values.length : Math.max(FACET_VISIBLE, countSelectedIn(values, selected));
      values.forEach(function (value, i) {
        var id = "f-" + name + "-" + String(value).replace(/[^A-Za-z0-9_-]/g, "_");
        var checked = selected.indexOf(value) >= 0;
        var count = counts[value] || 0;
        var input = el("input", { type: "checkbox", id: id, name: name, value: value, checked: checked,
                                  onchange: function () { toggleFilter(name, value, input.checked); } });
        var label = el("label", { for: id, title: name === "cert" ? CERT_NAME[value] : null },
          el("span", { class: "facet-label", text: facetLabel(name, value) }),
          el("span", { class: "facet-count", text: formatNumber(count) }));
        var item = el("li", { class: count === 0 && !checked ? "facet-value is-empty" : "facet-value" }, input, label);
        if (i >= limit && !checked) item.hidden = true;
        list.appendChild(item);
      });
      fieldset.appendChild(list);
      if (values.length > limit) {
        fieldset.appendChild(el("button", {
          type: "button", class: "btn btn-link facet-more", "aria-expanded": "false",
          text: "Show all " + values.length,
          onclick: function () { expandedFacets[name] = true; renderFacets(lastFacets); }
        }));
      }
      ui.filters.appendChild(fieldset);
    });
    if (!ui.filters.firstChild) ui.filters.appendChild(el("p", { class: "muted", text: "No filters for this search." }));
  }

  function countSelectedIn(values, selected) {
    var last = -1;
    values.forEach(function (v, i) { if (selected.indexOf(v) >= 0) last = i; });
    return last + 1;
  }

  function facetLabel(name, value) {
    if (name === "tier") return TIER_LABEL[value] || capitalise(value);
    if (name === "cert") return value;
    if (name === "country") return countryName(value);
    if (name === "language") return languageName(value);
    return capitalise(value);
  }

  function toggleFilter(name, value, on) {
    changeSearch(function (s) {
      var list = s.filters[name].filter(function (v) { return v !== value; });
      if (on) list.push(value);
      s.filters[name] = list;
    });
  }

  // ------------------------------------------------------------------ rendering: results

  function renderResponse(data) {
    lastFacets = data.facets;
    renderControls();
    renderFacets(data.facets);
    clear(ui.results);
    ui.message.hidden = true;
    clear(ui.message);
    var where = hasOrigin(state) ? " within " + formatNumber(Number(state.radius_km || DEFAULT_RADIUS)) + " km of " + originLabel() : "";
    var what = state.q ? " matching \u201c" + state.q + "\u201d" : "";

    if (notice) showMessage(notice.kind, notice.build());

    if (data.nearest_fallback) {
      var fallbackText = "No partner" + what + " within " + formatNumber(Number(state.radius_km || DEFAULT_RADIUS)) +
        " km of " + originLabel() + "; the nearest ones:";
      ui.status.textContent = "The " + data.results.length + " nearest partner site" + (data.results.length === 1 ? "" : "s") + " beyond " +
        formatNumber(Number(state.radius_km || DEFAULT_RADIUS)) + " km.";
      showMessage("info", [
        el("p", { class: "message-title", text: fallbackText }),
        widenRadiusButton()
      ]);
      ui.message.classList.add("fallback");
    } else if (!data.results.length) {
      ui.status.textContent = "No partner site found" + what + where + ".";
      showMessage("info", [
        el("p", { class: "message-title", text: "No partner site found" + what + where + "." }),
        el("p", { text: filterCount(state) ? "Try removing some filters" + (state.q ? " or other words." : ".") :
                        state.q ? "Check the spelling or try other words." : "Try another search." }),
        filterCount(state) ? el("button", { type: "button", class: "btn", text: "Clear all filters", onclick: clearAllFilters }) : null
      ]);
    } else {
      var first = (data.page - 1) * data.per_page + 1;
      var last = first + data.results.length - 1;
      var total = data.total_relation === "gte" ? "more than " + formatNumber(data.total) : formatNumber(data.total);
      var noun = state.collapse ? (data.total === 1 ? " partner" : " partners") : (data.total === 1 ? " partner site" : " partner sites");
      ui.status.textContent = (data.total > data.results.length ? "Showing " + first + "\u2013" + last + " of " : "") +
        total + noun + what + where + ".";
      if (data.origin && data.origin.alternatives && data.origin.alternatives.length && state.near) {
        showMessage("hint", [
          el("span", { text: "Showing results near " + data.origin.label + ". Did you mean " }),
          data.origin.alternatives.slice(0, 4).map(function (place, i, all) {
            return [el("button", { type: "button", class: "btn btn-link", text: place.label,
                                   onclick: function () { choosePlace(place); } }),
                    i < all.length - 1 ? ", " : ""];
          }),
          el("span", { text: "?" })
        ]);
      }
    }
    ui.results.classList.toggle("is-fallback", !!data.nearest_fallback);
    data.results.forEach(function (site) { ui.results.appendChild(resultItem(site)); });
    renderPagination(data);
  }

  function widenRadiusButton() {
    var radius = Number(state.radius_km || DEFAULT_RADIUS);
    var wider = [10, 25, 50, 100, 250, 500, 1000, 20000].filter(function (r) { return r > radius; })[0];
    if (!wider) return null;
    return el("button", {
      type: "button", class: "btn", text: wider >= 20000 ? "Search at any distance" : "Search within " + formatNumber(wider) + " km",
      onclick: function () { changeSearch(function (s) { s.radius_km = String(wider); }); }
    });
  }

  function showMessage(kind, content) {
    ui.message.className = "message message-" + kind;
    clear(ui.message);
    append(ui.message, content);
    ui.message.hidden = false;
  }

  function certificationSummary(certs) {
    certs = certs || {};
    return el("ul", { class: "certs", "aria-label": "Certified staff" }, CERTS.map(function (c) {
      var n = certs[c] || 0;
      return el("li", { class: n ? "cert" : "cert cert-none", title: CERT_NAME[c] + ": " + n + (n === 1 ? " person" : " people") },
        el("abbr", { title: CERT_NAME[c], text: c }), " ", el("span", { class: "cert-n", text: String(n) }));
    }));
  }

  function addressLines(address) {
    address = address || {};
    var cityLine = [address.postal_code, address.city].filter(Boolean).join(" ");
    return [address.street, cityLine, address.region, countryName(address.country)].filter(Boolean);
  }

  function contactLinks(contact) {
    contact = contact || {};
    var links = [];
    var tel = safeTel(contact.phone), mail = safeEmail(contact.email), web = safeWebUrl(contact.website);
    if (tel) links.push(el("a", { href: tel, class: "contact-phone", text: contact.phone }));
    if (mail) links.push(el("a", { href: mail, class: "contact-email", text: contact.email }));
    if (web) {
      var host = web;
      try { host = new URL(web).hostname.replace(/^www\./, ""); } catch (e) { /* keep the URL */ }
      links.push(el("a", { href: web, class: "contact-web", target: "_blank", rel: "noopener noreferrer nofollow",
                            text: host }, el("span", { class: "visually-hidden", text: " (opens in a new tab)" })));
    }
    return links.length ? el("p", { class: "contact" }, links) : null;
  }

  function tierBadge(tier) {
    return el("span", { class: "badge tier-" + (TIERS.indexOf(tier) >= 0 ? tier : "other"),
                        text: (TIER_LABEL[tier] || capitalise(tier)) + " partner" });
  }

  function resultItem(site) {
    var titleId = "r-" + site.site_id;
    var open = function () { openDetail(site.site_id, item); };
    var item = el("li", { class: "result", dataset: { siteId: site.site_id, distanceKm: site.distance_km === null ? "" : String(site.distance_km) } },
      el("article", { "aria-labelledby": titleId },
        el("div", { class: "result-head" },
          el("h3", { class: "result-title", id: titleId },
            el("button", { type: "button", class: "link-button company", onclick: open, text: site.company })),
          tierBadge(site.tier)),
        el("div", { class: "result-sub" },
          site.site_name ? el("span", { class: "site-name", text: site.site_name }) : null,
          site.distance_km !== null && site.distance_km !== undefined
            ? el("span", { class: "distance", text: formatKm(site.distance_km) + " away" }) : null),
        el("address", { class: "address" }, addressLines(site.address).join(", ")),
        certificationSummary(site.certifications),
        site.languages && site.languages.length
          ? el("p", { class: "languages" }, el("span", { class: "meta-label", text: "Speaks " }),
               site.languages.map(languageName).join(", ")) : null,
        site.industries && site.industries.length
          ? el("ul", { class: "tags", "aria-label": "Industries" }, site.industries.map(function (i) {
              return el("li", { text: capitalise(i) });
            })) : null,
        contactLinks(site.contact),
        site.other_matching_sites ? el("p", { class: "muted", text: "+ " + site.other_matching_sites + " other matching site" + (site.other_matching_sites === 1 ? "" : "s") }) : null,
        el("button", { type: "button", class: "btn btn-small details-button", onclick: open,
                       "aria-describedby": titleId, text: "Details" })));
    item.addEventListener("mouseenter", function () { if (mapView) mapView.highlight(site); });
    return item;
  }

  function renderPagination(data) {
    clear(ui.pagination);
    var pages = Math.ceil(Math.min(data.total, 10000) / data.per_page);
    if (data.nearest_fallback || pages <= 1) { ui.pagination.hidden = true; return; }
    ui.pagination.hidden = false;
    var current = data.page;
    var go = function (page) {
      return function () {
        changeSearch(function (s) { s.page = page; }, { keepPage: true }).then(function () { ui.results.focus(); });
      };
    };
    var list = el("ul");
    list.appendChild(el("li", {}, el("button", { type: "button", class: "btn", disabled: current <= 1, onclick: go(current - 1), text: "\u2039 Previous" })));
    pageWindow(current, pages).forEach(function (page) {
      if (page === null) { list.appendChild(el("li", { class: "gap", "aria-hidden": "true", text: "\u2026" })); return; }
      list.appendChild(el("li", {}, el("button", {
        type: "button", class: page === current ? "btn is-current" : "btn", "aria-current": page === current ? "page" : null,
        "aria-label": "Page " + page, onclick: page === current ? null : go(page), text: String(page) })));
    });
    list.appendChild(el("li", {}, el("button", { type: "button", class: "btn", disabled: current >= pages, onclick: go(current + 1), text: "Next \u203a" })));
    ui.pagination.appendChild(list);
  }

  function pageWindow(current, pages) {
    var out = [], wanted = {};
    [1, pages, current - 1, current, current + 1].forEach(function (p) { if (p >= 1 && p <= pages) wanted[p] = true; });
    var keys = Object.keys(wanted).map(Number).sort(function (a, b) { return a - b; });
    keys.forEach(function (p, i) { if (i && p - keys[i - 1] > 1) out.push(null); out.push(p); });
    return out;
  }

  // ------------------------------------------------------------------ rendering: errors

  function renderError(error) {
    renderControls();
    renderFacets(lastFacets); // keep the filters usable: a bad one can be unticked
    clear(ui.results);
    ui.pagination.hidden = true;
    var content;
    if (error.status === 400 && error.fields && error.fields.near && error.suggestions) {
      ui.status.textContent = "We don't know a place called \u201c" + (state.near || "") + "\u201d.";
      content = unknownPlaceMessage(state.near, error.suggestions);
      ui.originChip.hidden = true;
    } else if (error.status === 400 && error.fields && error.fields.place) {
      ui.status.textContent = "That place is not known any more.";
      content = [el("p", { class: "message-title", text: "The place in this link is not known any more." }),
                 el("p", { text: "Type a city or postal code to search again." })];
    } else if (error.status === 400) {
      ui.status.textContent = "Some search settings were not understood.";
      content = [el("p", { class: "message-title", text: "Some search settings were not understood:" }),
                 fieldList(error.fields),
                 el("button", { type: "button", class: "btn", text: "Start a new search", onclick: resetSearch })];
    } else if (error.status === 503 || error.status === 429) {
      ui.status.textContent = "The search is busy right now.";
      content = [el("p", { class: "message-title", text: "The partner search is temporarily unavailable." }),
                 el("p", { text: "Please try again in a moment." }), retryButton()];
    } else if (error.status === 0) {
      ui.status.textContent = "The search could not be reached.";
      content = [el("p", { class: "message-title", text: "The partner search could not be reached." }),
                 el("p", { text: "Check your internet connection and try again." }), retryButton()];
    } else {
      ui.status.textContent = "Something went wrong.";
      content = [el("p", { class: "message-title", text: "Sorry, something went wrong with this search." }),
                 el("p", { text: error.message ? capitalise(error.message) + "." : "" }), retryButton()];
    }
    showMessage("error", content);
  }

  function unknownPlaceMessage(text, suggestions) {
    return [
      el("p", { class: "message-title", text: "We don't know a place called \u201c" + (text || "") + "\u201d." }),
      suggestions && suggestions.length ? el("p", {},
        el("span", { text: "Did you mean: " }),
        suggestions.slice(0, 5).map(function (place, i, all) {
          return [el("button", { type: "button", class: "btn btn-link", text: place.label, onclick: function () { choosePlace(place); } }),
                  i < all.length - 1 ? ", " : ""];
        }), "?") : null,
      el("p", { text: "Try a city name, a city with its country (\u201cParis, FR\u201d), or use \u201cNear me\u201d." })
    ];
  }

  function fieldList(fields) {
    var list = el("ul", { class: "field-errors" });
    Object.keys(fields || {}).forEach(function (name) {
      var messages = [].concat(fields[name]).join("; ");
      list.appendChild(el("li", {}, el("code", { text: name }), ": " + messages));
    });
    return list;
  }

  function retryButton() { return el("button", { type: "button", class: "btn", text: "Try again", onclick: function () { runSearch(); } }); }

  function resetSearch() {
    var keep = embedded;
    state = emptyState();
    embedded = keep;
    notice = null;
    ui.input.value = "";
    syncUrl(true);
    runSearch();
  }

  function clearAllFilters() {
    changeSearch(function (s) { LIST_PARAMS.forEach(function (name) { s.filters[name] = []; }); });
  }

  // ------------------------------------------------------------------ the search box

  var suggestAbort = null;
  var suggestSeq = 0;
  var suggestions = []; // [{kind: "place"|"company", data}]
  var activeSuggestion = -1;
  var lastSuggestText = "";

  var fetchSuggestions = debounce(function (text) {
    var seq = ++suggestSeq;
    if (suggestAbort) suggestAbort.abort();
    suggestAbort = window.AbortController ? new AbortController() : null;
    getJSON("/suggest", new URLSearchParams({ q: text.slice(0, 100) }), suggestAbort && suggestAbort.signal).then(function (data) {
      if (seq !== suggestSeq || ui.input.value.trim() !== text) return;
      lastSuggestText = text;
      var labels = {};
      var places = (data.places || []).filter(function (p) { // two places of one name and country read the same
        if (labels[p.label]) return false;
        labels[p.label] = true;
        return true;
      });
      suggestions = places.map(function (p) { return { kind: "place", data: p }; })
        .concat((data.companies || []).map(function (c) { return { kind: "company", data: c }; }));
      renderSuggestions();
    }, function () { /* suggestions are a convenience: stay quiet */ });
  }, 120);

  function renderSuggestions() {
    clear(ui.suggestions);
    activeSuggestion = -1;
    ui.input.removeAttribute("aria-activedescendant");
    if (!suggestions.length || document.activeElement !== ui.input) { closeSuggestions(); return; }
    var group = null;
    suggestions.forEach(function (s, i) {
      if (s.kind !== group) {
        group = s.kind;
        ui.suggestions.appendChild(el("li", { class: "suggestion-group", role: "presentation", text: group === "place" ? "Places" : "Partners" }));
      }
      var option = el("li", { id: "suggestion-" + i, role: "option", class: "suggestion suggestion-" + s.kind, "aria-selected": "false",
                              dataset: { index: String(i) } },
        s.kind === "place"
          ? [el("span", { class: "suggestion-main", text: s.data.name || s.data.label }),
             el("span", { class: "suggestion-sub", text: countryName(s.data.country) })]
          : [el("span", { class: "suggestion-main", text: s.data.company }),
             el("span", { class: "suggestion-sub", text: "Partner" })]);
      option.addEventListener("mousedown", function (e) { e.preventDefault(); });
      option.addEventListener("click", function () { chooseSuggestion(i); });
      ui.suggestions.appendChild(option);
    });
    ui.suggestions.hidden = false;
    ui.input.setAttribute("aria-expanded", "true");
  }

  function closeSuggestions() {
    ui.suggestions.hidden = true;
    ui.input.setAttribute("aria-expanded", "false");
    ui.input.removeAttribute("aria-activedescendant");
    activeSuggestion = -1;
  }

  function moveSuggestion(delta) {
    if (ui.suggestions.hidden || !suggestions.length) return;
    activeSuggestion = (activeSuggestion + delta + suggestions.length + 1) % (suggestions.length + 1);
    if (activeSuggestion === suggestions.length) activeSuggestion = -1;
    Array.prototype.forEach.call(ui.suggestions.querySelectorAll("[role=option]"), function (node) {
      var on = Number(node.dataset.index) === activeSuggestion;
      node.setAttribute("aria-selected", on ? "true" : "false");
      node.classList.toggle("is-active", on);
      if (on) node.scrollIntoView({ block: "nearest" });
    });
    if (activeSuggestion >= 0) ui.input.setAttribute("aria-activedescendant", "suggestion-" + activeSuggestion);
    else ui.input.removeAttribute("aria-activedescendant");
  }

  function chooseSuggestion(i) {
    var s = suggestions[i];
    closeSuggestions();
    if (!s) return;
    if (s.kind === "place") choosePlace(s.data);
    else chooseCompany(s.data);
  }

  function choosePlace(place) {
    ui.input.value = place.label;
    lastResponse = lastResponse && Object.assign({}, lastResponse, { origin: { label: place.label } });
    changeSearch(function (s) {
      s.place = String(place.id); s.near = null; s.lat = null; s.lon = null; s.q = null;
      if (s.sort === "distance") s.sort = null;
    });
  }

  function chooseCompany(company) {
    ui.input.value = company.company;
    changeSearch(function (s) { s.q = company.company; if (s.sort === "distance" && !hasOrigin(s)) s.sort = null; });
  }

  /** Free text submitted without picking a suggestion: a place if it is one, else words to search for. */
  function submitText(text) {
    text = text.trim();
    closeSuggestions();
    if (!text) {
      changeSearch(function (s) { s.q = null; if (s.near || s.place) { s.near = null; s.place = null; } fixSort(s); });
      return;
    }
    var folded = fold(text);
    var origin = lastResponse && lastResponse.origin;
    if (state.place && !state.q && origin && origin.label === text) { changeSearch(function () {}); return; }
    if (lastSuggestText === text) {
      for (var i = 0; i < suggestions.length; i++) {
        var s = suggestions[i];
        if (s.kind === "place" && (fold(s.data.name) === folded || fold(s.data.label) === folded)) { choosePlace(s.data); return; }
        if (s.kind === "company" && fold(s.data.company) === folded) { chooseCompany(s.data); return; }
      }
    }
    // Try it as a place; the gazetteer knows spellings ("Aarhus", "Paris, US") the box may not have suggested.
    var attempt = cloneState(state);
    attempt.q = null; attempt.place = null; attempt.lat = null; attempt.lon = null; attempt.near = text; attempt.page = 1; attempt.site = null;
    if (attempt.sort === "distance") attempt.sort = null;
    var seq = ++searchSeq;
    if (searchAbort) searchAbort.abort();
    setBusy(true);
    getJSON("/partners", apiParams(attempt, false)).then(function (data) {
      if (seq !== searchSeq) return;
      state = attempt; notice = null;
      syncUrl(true);
      lastResponse = data;
      setBusy(false);
      renderResponse(data);
      if (mapView) mapView.showSearch(data);
    }, function (error) {
      if (seq !== searchSeq) return;
      if (!(error.status === 400 && error.fields && error.fields.near)) {
        state = attempt; syncUrl(true); setBusy(false); renderError(error); return;
      }
      // Not a place: search the words instead (company, address, industries, description).
      var words = cloneState(state);
      words.q = text; words.near = null; words.place = null; words.page = 1; words.site = null;
      if (!hasOrigin(words) && words.sort === "distance") words.sort = null;
      getJSON("/partners", apiParams(words, false)).then(function (data) {
        if (seq !== searchSeq) return;
        if (!data.results.length && !data.nearest_fallback) {
          state = attempt; syncUrl(true); setBusy(false); lastResponse = null; renderError(error);
          if (mapView) mapView.showSearch(null);
          return;
        }
        state = words;
        notice = { kind: "hint", build: function () {
          return [el("span", { text: "No place called \u201c" + text + "\u201d is known, so these partners match the words you typed." }),
                  error.suggestions && error.suggestions.length ? [el("span", { text: " Did you mean the place " }),
                    el("button", { type: "button", class: "btn btn-link", text: error.suggestions[0].label,
                                   onclick: function () { choosePlace(error.suggestions[0]); } }), "?"] : null];
        } };
        syncUrl(true);
        lastResponse = data; setBusy(false); renderResponse(data);
        if (mapView) mapView.showSearch(data);
      }, function (err2) {
        if (seq !== searchSeq) return;
        state = words; syncUrl(true); setBusy(false); renderError(err2);
      });
    });
  }

  function cloneState(s) { return JSON.parse(JSON.stringify(s)); }

  function fixSort(s) { if (s.sort === "distance" && !hasOrigin(s)) s.sort = null; }

  function nearMe() {
    if (!navigator.geolocation) {
      showMessage("error", [el("p", { text: "Your browser cannot tell us where you are. Type a city or postal code instead." })]);
      return;
    }
    ui.nearMe.disabled = true;
    ui.status.textContent = "Finding your location…";
    navigator.geolocation.getCurrentPosition(function (position) {
      ui.nearMe.disabled = false;
      var lat = position.coords.latitude.toFixed(4), lon = position.coords.longitude.toFixed(4);
      changeSearch(function (s) { s.lat = lat; s.lon = lon; s.place = null; s.near = null; });
    }, function (err) {
      ui.nearMe.disabled = false;
      ui.status.textContent = "";
      var why = err && err.code === 1 ? "Location access was not allowed." : "Your location could not be found.";
      showMessage("error", [el("p", { class: "message-title", text: why }),
                            el("p", { text: "Type a city or postal code instead." })]);
    }, { enableHighAccuracy: false, timeout: 10000, maximumAge: 600000 });
  }

  // ------------------------------------------------------------------ detail

  var detailSeq = 0;
  var detailReturnFocus = null;

  function openDetail(siteId, fromElement) {
    var seq = ++detailSeq;
    detailReturnFocus = fromElement && fromElement.querySelector ? fromElement.querySelector(".details-button") : document.activeElement;
    state.site = siteId;
    syncUrl(false);
    clear(ui.detailBody);
    ui.detailBody.appendChild(el("p", { class: "muted", id: "detail-title", text: "Loading…" }));
    showDialog(fromElement);
    getJSON("/partners/" + encodeURIComponent(siteId)).then(function (site) {
      if (seq !== detailSeq) return;
      renderDetail(site);
      if (mapView) mapView.highlight(site);
    }, function (error) {
      if (seq !== detailSeq) return;
      clear(ui.detailBody);
      ui.detailBody.appendChild(el("h2", { id: "detail-title", text: error.status === 404 ? "Listing not found" : "Could not load this listing" }));
      ui.detailBody.appendChild(el("p", { text: error.status === 404
        ? "This partner site is not listed (any more)." : "Please try again in a moment." }));
    });
  }

  function showDialog(fromElement) {
    if (ui.detail.open) return;
    if (embedded) {
      // Inside an iframe sized to its content a centred modal may be off-screen: open it where the user is.
      var top = fromElement && fromElement.getBoundingClientRect ? fromElement.getBoundingClientRect().top + window.scrollY : window.scrollY + 20;
      ui.detail.style.top = Math.max(8, top) + "px";
      ui.detail.show();
      ui.detail.scrollIntoView({ block: "nearest" });
    } else if (ui.detail.showModal) {
      ui.detail.showModal();
    } else {
      ui.detail.setAttribute("open", "");
    }
    ui.detailClose.focus();
  }

  function closeDetail() {
    if (ui.detail.open) ui.detail.close(); // the "close" event (async) forgets the site and restores focus
  }

  function renderDetail(site) {
    clear(ui.detailBody);
    var origin = lastResponse && lastResponse.origin;
    var km = origin && site.location ? greatCircleKm(origin.lat, origin.lon, site.location.lat, site.location.lon) : null;
    var contact = site.contact || {};
    ui.detailBody.appendChild(el("div", { class: "detail-head" },
      el("h2", { id: "detail-title", text: site.company }), tierBadge(site.tier)));
    if (site.site_name) ui.detailBody.appendChild(el("p", { class: "site-name", text: site.site_name }));
    if (km !== null) ui.detailBody.appendChild(el("p", { class: "distance", text: formatKm(km) + " from " + (origin.label || "your location") }));
    var facts = el("dl", { class: "facts" });
    var fact = function (term, value) { if (value) facts.appendChild(el("div", {}, el("dt", { text: term }), el("dd", {}, value))); };
    fact("Address", el("address", {}, addressLines(site.address).map(function (line, i) { return [i ? el("br") : null, line]; })));
    fact("Phone", safeTel(contact.phone) ? el("a", { href: safeTel(contact.phone), text: contact.phone }) : contact.phone);
    fact("Email", safeEmail(contact.email) ? el("a", { href: safeEmail(contact.email), text: contact.email }) : contact.email);
    fact("Website", safeWebUrl(contact.website) ? el("a", { href: safeWebUrl(contact.website), target: "_blank", rel: "noopener noreferrer nofollow", text: contact.website }) : null);
    fact("Languages", (site.languages || []).map(languageName).join(", "));
    fact("Industries", (site.industries || []).map(capitalise).join(", "));
    fact("Certified staff", el("ul", { class: "cert-list" }, CERTS.map(function (c) {
      var n = (site.certifications || {})[c] || 0;
      return el("li", {}, el("strong", { text: String(n) }), " " + CERT_NAME[c] + " (" + c + ")");
    })));
    ui.detailBody.appendChild(facts);
    if (site.description) ui.detailBody.appendChild(el("p", { class: "description", text: site.description }));
    var actions = el("p", { class: "detail-actions" });
    if (mapView && site.location) {
      actions.appendChild(el("button", { type: "button", class: "btn", text: "Show on map",
        onclick: function () { closeDetail(); mapView.focusSite(site); } }));
    }
    actions.appendChild(el("a", { class: "btn btn-link", href: listingLink(site.site_id), target: embedded ? "_blank" : null,
                                   rel: embedded ? "noopener" : null, text: "Link to this listing" }));
    ui.detailBody.appendChild(actions);
    var others = site.other_sites_in_country || [];
    if (others.length) {
      ui.detailBody.appendChild(el("h3", { text: "Other " + site.company + " sites in " + countryName(site.address && site.address.country) }));
      ui.detailBody.appendChild(el("ul", { class: "other-sites" }, others.map(function (other) {
        return el("li", {},
          el("button", { type: "button", class: "link-button", text: other.site_name || (other.address && other.address.city) || other.site_id,
                         onclick: function () { openDetail(other.site_id, null); } }),
          el("span", { class: "muted", text: " \u2013 " + addressLines(other.address).slice(0, 2).join(", ") }));
      })));
    }
  }

  function listingLink(siteId) {
    var params = new URLSearchParams({ site: siteId });
    return window.location.pathname + "?" + params.toString();
  }

  // ------------------------------------------------------------------ map (Leaflet, optional)

  var mapView = null;

  function createMapView(container) {
    if (!window.L || !container) return null;
    var L = window.L;
    var map;
    try {
      map = L.map(container, { worldCopyJump: true, minZoom: 1, maxZoom: 18, zoomControl: true, attributionControl: true })
        .setView([35, 10], 2);
    } catch (e) {
      return null;
    }
    var tileUrl = container.dataset.tileUrl;
    var tilesFailed = 0;
    if (tileUrl) {
      var tiles = L.tileLayer(tileUrl, {
        maxZoom: Number(container.dataset.tileMaxZoom) || 19,
        attribution: container.dataset.tileAttribution ? escapeForLeaflet(container.dataset.tileAttribution) : ""
      });
      tiles.on("tileerror", function () {
        tilesFailed += 1;
        if (tilesFailed === 1) {
          ui.mapNote.textContent = "Map background unavailable; partner locations are still shown.";
          ui.mapNote.hidden = false;
          container.classList.add("tiles-failed");
        }
      });
      tiles.on("tileload", function () { if (tilesFailed) { tilesFailed = 0; ui.mapNote.hidden = true; container.classList.remove("tiles-failed"); } });
      tiles.addTo(map);
    } else {
      container.classList.add("tiles-failed");
    }
    map.attributionControl.setPrefix(false);
    var Legend = L.Control.extend({
      options: { position: "topright" },
      onAdd: function () {
        return el("div", { class: "map-legend", "aria-hidden": "true" },
          el("span", {}, el("i", { class: "dot dot-premier" }), "Premier"),
          el("span", {}, el("i", { class: "dot dot-advanced" }), "Advanced"),
          el("span", {}, el("i", { class: "dot dot-cluster" }), "Group: zoom in"));
      }
    });
    new Legend().addTo(map);
    var markerLayer = L.layerGroup().addTo(map);
    var originLayer = L.layerGroup().addTo(map);
    var highlightLayer = L.layerGroup().addTo(map);
    var markersAbort = null, markersSeq = 0, lastMarkersKey = "";
    var programmaticMove = false;

    function bboxParam() {
      var b = map.getBounds();
      var south = Math.max(-90, Math.min(90, b.getSouth())), north = Math.max(-90, Math.min(90, b.getNorth()));
      var west = b.getWest(), east = b.getEast();
      if (east - west >= 360) { west = -180; east = 180; } else { west = wrapLon(west); east = wrapLon(east); }
      var r = function (x) { return (Math.round(x * 1e5) / 1e5).toString(); };
      return [r(south), r(west), r(north), r(east)].join(",");
    }

    function loadMarkers(force) {
      var params = apiParams(state, true);
      params.set("bbox", bboxParam());
      params.set("zoom", String(Math.max(0, Math.min(22, Math.round(map.getZoom())))));
      var key = params.toString();
      if (!force && key === lastMarkersKey) return;
      lastMarkersKey = key;
      var seq = ++markersSeq;
      if (markersAbort) markersAbort.abort();
      markersAbort = window.AbortController ? new AbortController() : null;
      container.setAttribute("aria-busy", "true");
      getJSON("/partners/markers", params, markersAbort && markersAbort.signal).then(function (data) {
        if (seq !== markersSeq) return;
        container.setAttribute("aria-busy", "false");
        drawMarkers(data);
      }, function (error) {
        if (error && error.name === "AbortError") return;
        if (seq !== markersSeq) return;
        container.setAttribute("aria-busy", "false");
        markerLayer.clearLayers();
        lastMarkersKey = "";
      });
    }

    var loadMarkersSoon = debounce(function () { loadMarkers(false); }, 150);

    function drawMarkers(data) {
      markerLayer.clearLayers();
      container.dataset.markerMode = data.mode;
      container.dataset.markerTotal = String(data.total);
      (data.points || []).forEach(function (point) {
        var marker = L.circleMarker([point.lat, point.lon], {
          radius: point.tier === "premier" ? 8 : 7, weight: 2, color: "#ffffff",
          fillColor: point.tier === "premier" ? "#b7791f" : "#1d5fa8", fillOpacity: 0.95, className: "site-marker"
        });
        marker.bindTooltip(el("span", { text: point.company + " (" + (TIER_LABEL[point.tier] || point.tier) + ")" }), { direction: "top", offset: [0, -6] });
        marker.on("click", function () { openDetail(point.site_id, null); });
        markerLayer.addLayer(marker);
      });
      (data.clusters || []).forEach(function (cluster) {
        var size = cluster.count < 10 ? 30 : cluster.count < 100 ? 36 : cluster.count < 1000 ? 42 : 50;
        var label = el("span", { text: cluster.count >= 10000 ? Math.round(cluster.count / 1000) + "k" : String(cluster.count) });
        var marker = L.marker([cluster.lat, cluster.lon], {
          icon: L.divIcon({ className: "cluster-marker", html: label, iconSize: [size, size] }),
          title: formatNumber(cluster.count) + " partner sites: zoom in", alt: formatNumber(cluster.count) + " partner sites",
          keyboard: true
        });
        marker.on("click", function () { map.setView([cluster.lat, cluster.lon], Math.min(map.getZoom() + 2, 18)); });
        markerLayer.addLayer(marker);
      });
    }

    map.on("moveend", function () { loadMarkersSoon(); });

    function showSearch(data) {
      originLayer.clearLayers();
      highlightLayer.clearLayers();
      var points = [];
      if (data && data.origin) {
        var center = [data.origin.lat, data.origin.lon];
        points.push(center);
        L.circleMarker(center, { radius: 6, color: "#0b2545", weight: 3, fillColor: "#ffffff", fillOpacity: 1, className: "origin-marker" })
          .bindTooltip(el("span", { text: data.origin.label || "Your location" }))
          .addTo(originLayer);
        if (!data.nearest_fallback) {
          L.circle(center, { radius: Number(state.radius_km || DEFAULT_RADIUS) * 1000, color: "#0b2545", weight: 1,
                             opacity: 0.5, fillOpacity: 0.04, interactive: false }).addTo(originLayer);
        }
      }
      (data ? data.results : []).forEach(function (site) { if (site.location) points.push([site.location.lat, site.location.lon]); });
      if (points.length === 1) map.setView(points[0], 11);
      else if (points.length > 1) map.fitBounds(L.latLngBounds(points), { padding: [24, 24], maxZoom: data && data.origin ? 13 : 10 });
      loadMarkers(true);
    }

    function highlight(site) {
      highlightLayer.clearLayers();
      if (!site || !site.location) return;
      L.circleMarker([site.location.lat, site.location.lon], { radius: 14, color: "#d94f00", weight: 3, fill: false, interactive: false })
        .addTo(highlightLayer);
    }

    function focusSite(site) {
      map.setView([site.location.lat, site.location.lon], Math.max(map.getZoom(), 13));
      highlight(site);
      container.scrollIntoView({ block: "nearest" });
    }

    return { map: map, showSearch: showSearch, highlight: highlight, focusSite: focusSite, reload: function () { loadMarkers(true); } };
  }

  function wrapLon(lon) { return ((((lon + 180) % 360) + 360) % 360) - 180; }

  function escapeForLeaflet(text) {
    // Leaflet puts attribution text in with innerHTML: hand it text only.
    var div = document.createElement("div");
    div.textContent = text;
    return div.innerHTML;
  }

  // ------------------------------------------------------------------ embedding

  function reportHeight() {
    if (!embedded || window.parent === window) return;
    var height = Math.ceil(document.body.scrollHeight); // the content, not the frame's current size
    if (ui.detail.open) height = Math.max(height, Math.ceil(ui.detail.getBoundingClientRect().bottom + window.scrollY + 16));
    if (height === reportHeight.last) return;
    reportHeight.last = height;
    window.parent.postMessage({ type: "partner-locator:height", height: height }, "*");
  }

  // ------------------------------------------------------------------ start

  function init() {
    ui = {
      form: $("search-form"), input: $("search-input"), suggestions: $("suggestions"), nearMe: $("near-me"),
      radius: $("radius"), sort: $("sort"), collapse: $("collapse"), originChip: $("origin-chip"), clearOrigin: $("clear-origin"),
      filters: $("filters"), filterCount: $("filter-count"), filterSummary: $("filter-summary"), clearFilters: $("clear-filters"),
      status: $("status"), message: $("message"), results: $("results"), pagination: $("pagination"),
      detail: $("detail"), detailBody: $("detail-body"), detailClose: $("detail-close"), mapNote: $("map-note")
    };
    var params = new URLSearchParams(window.location.search);
    embedded = params.get("embed") === "1" || params.get("embed") === "true";
    if (embedded) {
      document.documentElement.classList.add("embedded");
      var full = document.querySelector(".full-page-link");
      if (full) {
        params.delete("embed");
        full.href = window.location.pathname + (params.toString() ? "?" + params.toString() : "");
        full.hidden = false;
      }
      document.querySelectorAll(".site-header a[href*='api/v1/docs']").forEach(function (a) { a.target = "_blank"; a.rel = "noopener"; });
    }
    if (window.matchMedia && window.matchMedia("(max-width: 900px)").matches) $("filters-panel").open = false;

    state = readState(window.location.search);

    ui.form.addEventListener("submit", function (e) {
      e.preventDefault();
      if (activeSuggestion >= 0) { chooseSuggestion(activeSuggestion); return; }
      submitText(ui.input.value);
    });
    ui.input.addEventListener("input", function () {
      var text = ui.input.value.trim();
      if (text.length >= 2) fetchSuggestions(text);
      else { suggestions = []; ++suggestSeq; closeSuggestions(); }
    });
    ui.input.addEventListener("keydown", function (e) {
      if (e.key === "ArrowDown") { e.preventDefault(); if (ui.suggestions.hidden && suggestions.length) renderSuggestions(); moveSuggestion(1); }
      else if (e.key === "ArrowUp") { e.preventDefault(); moveSuggestion(-1); }
      else if (e.key === "Escape") { if (!ui.suggestions.hidden) { e.preventDefault(); closeSuggestions(); } }
    });
    ui.input.addEventListener("blur", function () { setTimeout(closeSuggestions, 150); });
    ui.nearMe.addEventListener("click", nearMe);
    ui.radius.addEventListener("change", function () {
      var value = ui.radius.value;
      changeSearch(function (s) { s.radius_km = value === String(DEFAULT_RADIUS) ? null : value; });
    });
    ui.sort.addEventListener("change", function () {
      var value = ui.sort.value;
      var byDefault = hasOrigin(state) ? "distance" : "relevance";
      changeSearch(function (s) { s.sort = value === byDefault ? null : value; });
    });
    ui.collapse.addEventListener("change", function () {
      var on = ui.collapse.checked;
      changeSearch(function (s) { s.collapse = on ? "partner" : null; });
    });
    ui.clearOrigin.addEventListener("click", function () {
      if (!state.q) ui.input.value = "";
      changeSearch(function (s) { s.place = null; s.near = null; s.lat = null; s.lon = null; fixSort(s); });
    });
    ui.clearFilters.addEventListener("click", clearAllFilters);
    ui.detailClose.addEventListener("click", closeDetail);
    ui.detail.addEventListener("close", function () {
      state.site = null;
      syncUrl(false);
      if (detailReturnFocus && document.contains(detailReturnFocus)) detailReturnFocus.focus();
    });
    ui.detail.addEventListener("click", function (e) { if (e.target === ui.detail) closeDetail(); });
    document.addEventListener("keydown", function (e) { if (e.key === "Escape" && ui.detail.open) closeDetail(); });
    window.addEventListener("popstate", function () {
      state = readState(window.location.search);
      notice = null;
      closeDetail();
      runSearch();
    });

    mapView = createMapView($("map"));
    if (!mapView) {
      document.documentElement.classList.add("no-map");
      ui.mapNote.textContent = "The map is not available; the list shows every result.";
      ui.mapNote.hidden = false;
    }

    if (embedded && window.parent !== window) {
      if (window.ResizeObserver) new ResizeObserver(function () { reportHeight(); }).observe(document.body);
      window.addEventListener("load", reportHeight);
      setInterval(reportHeight, 1000);
    }

    var initialSite = state.site;
    runSearch().then(function () {
      if (initialSite) openDetail(initialSite, null);
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
