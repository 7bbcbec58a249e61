/* The filters: one group of checkboxes per facet, with the counts of the current search (a page
 * past the first, or a failed search, keeps the first page's counts: the filters stay usable). */
import * as actions from "./actions.js";
import { changes, clear, el } from "./dom.js";
import { CERTS, TIERS, certName, formatNumber } from "./format.js";
import { catalog, t } from "./i18n.js";
import { facetLabel } from "./labels.js";
import { LIST_PARAMS } from "./state.js";

const FACET_TITLE = { tier: t("Partner tier"), cert: t("Certified staff"), country: t("Country"), language: t("Language"),
                      industry: t("Industry") };
const FACET_VISIBLE = 8; // values shown before "Show all"

let container = null;
const fresh = changes();

export function init(elements) { container = elements.filters; }

export function render(state) {
  if (!state.facets && state.busy) return; // "Loading filters…" until the first counts come
  if (!fresh(state.facets, state.search.filters, state.expanded)) return;
  const focused = document.activeElement && container.contains(document.activeElement) ? document.activeElement.id : null;
  clear(container);
  LIST_PARAMS.forEach(function (name) {
    const counts = (state.facets && state.facets[name]) || {};
    const values = facetValues(name, counts, state.search.filters[name]);
    if (values.length) container.appendChild(facetGroup(name, values, counts, state));
  });
  if (!container.firstChild) container.appendChild(el("p", { class: "muted", text: t("No filters for this search.") }));
  const again = focused && document.getElementById(focused);
  if (again) again.focus(); // a checkbox ticked with the keyboard keeps the focus
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

function facetGroup(name, values, counts, state) {
  const selected = state.search.filters[name];
  const fieldset = el("fieldset", { class: "facet", "data-facet": name }, el("legend", { text: FACET_TITLE[name] }));
  const list = el("ul", { class: "facet-values" });
  const limit = state.expanded[name] ? values.length : Math.max(FACET_VISIBLE, countSelectedIn(values, selected));
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
      onclick: function () { actions.expandFacet(name); }
    }));
  }
  return fieldset;
}

function facetItem(name, value, count, checked) {
  const id = "f-" + name + "-" + String(value).replace(/[^A-Za-z0-9_-]/g, "_");
  const input = el("input", { type: "checkbox", id: id, name: name, value: value, checked: checked,
                              onchange: function () { actions.toggleFilter(name, value, input.checked); } });
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
