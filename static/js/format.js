/* Names and numbers as the server writes them: the catalog the page ships (locator/api/display.py). */

const catalog = readCatalog();

/** The page's `#locator-catalog` JSON block: CLDR country and language names, tier and
 *  certification names, number symbols. Without it, codes are shown as they are. */
function readCatalog() {
  const block = document.getElementById("locator-catalog");
  const empty = { locale: "en", countries: {}, languages: {}, tiers: {}, certs: {}, number: { decimal: ".", group: "," } };
  try {
    return block ? Object.assign(empty, JSON.parse(block.textContent)) : empty;
  } catch (e) {
    return empty;
  }
}

export const TIERS = Object.keys(catalog.tiers);
export const CERTS = Object.keys(catalog.certs);

export function countryName(code) { return code ? catalog.countries[String(code).toUpperCase()] || String(code) : ""; }
export function languageName(code) { return code ? catalog.languages[String(code)] || String(code) : ""; }
export function tierLabel(tier) { return catalog.tiers[tier] || capitalise(tier); }
export function certName(code) { return catalog.certs[code] || code; }

export function capitalise(text) { text = String(text || ""); return text.charAt(0).toUpperCase() + text.slice(1); }

/** Grouped, rounded half up (toFixed), trailing zeros dropped down to minDecimals; display.format_number's twin. */
export function formatNumber(value, minDecimals = 0, maxDecimals = 3) {
  let [whole, fraction = ""] = Number(value).toFixed(maxDecimals).split(".");
  fraction = fraction.replace(/0+$/, "").padEnd(minDecimals, "0");
  whole = whole.replace(/\B(?=(\d{3})+(?!\d))/g, catalog.number.group);
  return fraction ? whole + catalog.number.decimal + fraction : whole;
}

/** "4.2 km" under 10 km, "1,234 km" from there. */
export function formatKm(km) {
  if (km === null || km === undefined) return "";
  return km < 10 ? formatNumber(km, 1, 1) + " km" : formatNumber(km, 0, 0) + " km";
}

/** Lower case without accents, to compare what was typed with a suggestion. */
export function fold(text) {
  return String(text || "").normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase().trim();
}
