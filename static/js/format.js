/* Names, numbers and distances as the server writes them (locator/api/display.py), from the catalog. */
import { catalog } from "./i18n.js";

export const TIERS = Object.keys(catalog.tiers);
export const CERTS = Object.keys(catalog.certs);

export function countryName(code) { return code ? catalog.countries[String(code).toUpperCase()] || String(code) : ""; }
export function languageName(code) { return code ? catalog.languages[String(code)] || String(code) : ""; }
export function tierLabel(tier) { return catalog.tiers[tier] || capitalise(tier); }
export function certName(code) { return catalog.certs[code] || code; }

export function capitalise(text) { text = String(text || ""); return text.charAt(0).toUpperCase() + text.slice(1); }

/** As Intl.NumberFormat writes it in the page's locale: Intl rounds (half away from zero, on the
 *  number's shortest decimal form), the catalog's CLDR symbols and grouping write the digits, so
 *  the server (display.format_number) writes exactly the same. */
export function formatNumber(value, minDecimals = 0, maxDecimals = 3) {
  const rules = catalog.number;
  const plain = new Intl.NumberFormat("en-US", { useGrouping: false, minimumFractionDigits: minDecimals,
                                                 maximumFractionDigits: maxDecimals }).format(Number(value));
  const [whole, fraction = ""] = plain.split(".");
  const sign = whole.charAt(0) === "-" ? "-" : "";
  let digits = sign ? whole.slice(1) : whole;
  if (digits.length >= 3 + rules.min_grouping) digits = digits.replace(/\B(?=(\d{3})+(?!\d))/g, rules.group);
  return sign + digits + (fraction ? rules.decimal + fraction : "");
}

/** A distance in km written in `unit` (the visitor's: state.js unitOf): "4.2 km" / "2.6 mi" under
 *  10, "1,234 km" from there. */
export function formatDistance(km, unit) {
  if (km === null || km === undefined) return "";
  const rules = catalog.units[unit] || catalog.units[catalog.unit];
  const value = km / rules.km;
  return rules.pattern.replace("{n}", value < 10 ? formatNumber(value, 1, 1) : formatNumber(value, 0, 0));
}
