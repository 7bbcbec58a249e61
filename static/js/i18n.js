/* The page's words in the visitor's language: the catalog the server ships as #locator-catalog
 * (locator/api/display.py catalog(): gettext messages, CLDR names, number and distance rules).
 *
 * Messages are their English source text, looked up as the server looks them up (Flask-Babel):
 *   t("Search"), t("Near %(place)s", {place: label}),
 *   tn("%(count)s partner site", "%(count)s partner sites", n, {count: formatNumber(n)}).
 * Placeholders are Python's %(name)s, so one catalog entry serves both sides. `make messages`
 * extracts t() and tn() calls from these files into locator/api/translations/messages.pot.
 */

export const catalog = readCatalog();

// The catalogs' plural rules (their Plural-Forms header, CLDR through Babel) as functions; the keys
// are the headers' own expressions (tests/unit/test_i18n.py checks that every UI language has one).
const PLURAL_RULES = {
  "(n != 1)": function (n) { return n !== 1 ? 1 : 0; },
  "(n == 0 || n == 1) ? 0 : n != 0 && n % 1000000 == 0 ? 1 : 2": function (n) {
    return n === 0 || n === 1 ? 0 : n !== 0 && n % 1000000 === 0 ? 1 : 2;
  },
  "(n == 1 ? 0 : n != 0 && n % 1000000 == 0 ? 1 : 2)": function (n) {
    return n === 1 ? 0 : n !== 0 && n % 1000000 === 0 ? 1 : 2;
  },
  "0": function () { return 0; }
};
const PLACEHOLDER = /%\(([a-z_]+)\)s/g;

function readCatalog() {
  const block = document.getElementById("locator-catalog");
  const empty = { locale: "en", language: "en", messages: {}, plural: "(n != 1)", countries: {}, languages: {}, tiers: {},
                  certs: {}, number: { decimal: ".", group: ",", min_grouping: 1 }, unit: "km", units: {}, ui_languages: {} };
  try {
    return block ? Object.assign(empty, JSON.parse(block.textContent)) : empty;
  } catch (e) {
    return empty;
  }
}

/** A message in the page's language, its placeholders filled. */
export function t(message, values) {
  const text = catalog.messages[message];
  return interpolate(typeof text === "string" && text ? text : message, values);
}

/** The form of a message for the count n (values.count is usually the formatted n). */
export function tn(singular, plural, n, values) {
  const forms = catalog.messages[singular];
  const rule = PLURAL_RULES[catalog.plural] || PLURAL_RULES["(n != 1)"];
  const text = Array.isArray(forms) && forms.length ? forms[Math.min(rule(n), forms.length - 1)] : (n === 1 ? singular : plural);
  return interpolate(text, values);
}

/** A message whose placeholders hold DOM nodes ("Did you mean %(places)s?"): strings and nodes, in
 *  the order the translation puts them, for dom.js el()/append(). Text values are filled in place. */
export function tParts(message, values) {
  const texts = {}, nodes = {};
  Object.keys(values || {}).forEach(function (name) {
    (typeof values[name] === "string" || typeof values[name] === "number" ? texts : nodes)[name] = values[name];
  });
  return interpolate(t(message), texts).split(/(%\([a-z_]+\)s)/).filter(Boolean).map(function (part) {
    const name = /^%\(([a-z_]+)\)s$/.exec(part);
    return name && name[1] in nodes ? nodes[name[1]] : part;
  });
}

function interpolate(text, values) {
  if (!values) return text;
  return text.replace(PLACEHOLDER, function (whole, name) { return name in values ? String(values[name]) : whole; });
}
