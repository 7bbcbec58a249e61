/* The filters: one group of checkboxes per facet, with the counts of the current search. */
import { clear, el } from "./dom.js";
import { CERTS, TIERS, capitalise, certName, countryName, formatNumber, languageName, tierLabel } from "./format.js";
import { catalog, t } from "./i18n.js";
import { changeSearch } from "./search.js";
import { LIST_PARAMS, store } from "./state.js";

const FACET_TITLE = { tier: t("Partner tier"), cert: t("Certified staff"), country: t("Country"), language: t("Language"),
                      industry: t("Industry") };
const FACET_VISIBLE = 8; // values shown before "Show all"

export function renderFacets(facets) {
  const filters = store.ui.filters;
  clear(filters);
  LIST_PARAMS.forEach(function (name) {
    const counts = (facets && facets[name]) || {};
    const values = facetValues(name, counts, store.state.filters[name]);
    if (values.length) filters.appendChild(facetGroup(name, values, counts));
  });
  if (!filters.firstChild) filters.appendChild(el("p", { class: "muted", text: t("No filters for this search.") }));
}

/** Tiers and certifications always all, in their order; others by count, then name, selected ones kept. */
function facetValues(name, counts, selected) {
  if (name === "tier") return TIERS.slice();
  if (name === "cert") return CERTS.slice();
  const values = Object.keys(counts).filter(function (v) { return counts[v] > 0 || selected.indexOf(v) >= 0; });
  selected.forEach(function (v) { if (values.indexOf(v) < 0) values.push(v); });
  return values.sort(function (a, b) {
    return (counts[b] || 0) - (counts[a] || 0) || facetLabel(name, a).localeCompare(facetLabel(name, b), catalog.locale);
  });
}

function facetGroup(name, values, counts) {
  const selected = store.state.filters[name];
  const fieldset = el("fieldset", { class: "facet", "data-facet": name }, el("legend", { text: FACET_TITLE[name] }));
  const list = el("ul", { class: "facet-values" });
  const limit = store.expandedFacets[name] ? values.length : Math.max(FACET_VISIBLE, countSelectedIn(values, selected));
  values.forEach(function (value, i) {
    const checked = selected.indexOf(value) >= 0;
    const item = facetItem(name, value, counts[value] || 0, checked);
    if (i >= limit && !checked) item.hidden = true;
    list.appendChild(item);
  });
  fieldset.appendChild(list);
  if (values.length > limit) {
    fieldset.appendChild(el("button", {
      type: "button", class: "btn btn-link facet-more", "aria-expanded": "false", text: t("Show all %(count)s", { count: formatNumber(values.length) }),
      onclick: function () { store.expandedFacets[name] = true; renderFacets(store.lastFacets); }
    }));
  }
  return fieldset;
}

function facetItem(name, value, count, checked) {
  const id = "f-" + name + "-" + String(value).replace(/[^A-Za-z0-9_-]/g, "_");
  const input = el("input", { type: "checkbox", id: id, name: name, value: value, checked: checked,
                              onchange: function () { toggleFilter(name, value, input.checked); } });
  const label = el("label", { for: id, title: name === "cert" ? certName(value) : null },
    el("span", { class: "facet-label", translate: name === "industry" || name === "cert" ? "no" : null, text: facetLabel(name, value) }),
    el("span", { class: "facet-count", text: formatNumber(count) }));
  return el("li", { class: count === 0 && !checked ? "facet-value is-empty" : "facet-value" }, input, label);
}

/** How many values to show so that every selected one is visible. */
function countSelectedIn(values, selected) {
  let last = -1;
  values.forEach(function (v, i) { if (selected.indexOf(v) >= 0) last = i; });
  return last + 1;
}

export function facetLabel(name, value) {
  if (name === "tier") return tierLabel(value);
  if (name === "cert") return value;
  if (name === "country") return countryName(value);
  if (name === "language") return languageName(value);
  return capitalise(value);
}

function toggleFilter(name, value, on) {
  changeSearch(function (s) {
    const list = s.filters[name].filter(function (v) { return v !== value; });
    if (on) list.push(value);
    s.filters[name] = list;
  });
}
