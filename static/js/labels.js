/* Words and small pieces of markup that several views say alike, made from the values they are
 * given (pure: no store, no intents; a button's behaviour comes in as a function). */
import { el } from "./dom.js";
import { capitalise, countryName, languageName, tierLabel } from "./format.js";
import { t } from "./i18n.js";

/** A filter value as the page names it ("Premier", "Denmark", "Danish", "Retail"). */
export function facetLabel(name, value) {
  if (name === "tier") return tierLabel(value);
  if (name === "cert") return value;
  if (name === "country") return countryName(value);
  if (name === "language") return languageName(value);
  return capitalise(value);
}

/** "A, B, C": one button per place; `choose(place)` is what a click does. */
export function placeButtons(places, choose) {
  return places.map(function (place, i, all) {
    return [el("button", { type: "button", class: "btn btn-link", translate: "no", text: place.label,
                           onclick: function () { choose(place); } }),
            i < all.length - 1 ? ", " : ""];
  });
}

/** Where the search is: the answer's place label, the visitor's position or the place chosen. */
export function originLabel(search, response) {
  const origin = response && response.origin;
  if (origin && origin.label) return origin.label;
  if (search.lat !== null && search.lon !== null) return t("your location");
  return search.near || (search.place ? t("the chosen place") : "");
}

/** What was searched and where, as one phrase ("matching “x” within 100 km of Aarhus"), or "";
 *  `radius` is the radius searched as the visitor reads it ("100 km"). */
export function scopeText(search, data, radius) {
  const reading = data.interpreted_as, words = search.q || (reading && reading.words);
  const country = reading && reading.country ? countryName(reading.country) : null;
  const near = data.origin && !country ? { radius: radius, place: originLabel(search, data) } : null;
  if (search.bbox) return words ? t("matching “%(words)s” in the map area", { words: words }) : t("in the map area");
  if (words && near) return t("matching “%(words)s” within %(radius)s of %(place)s", Object.assign({ words: words }, near));
  if (words && country) return t("matching “%(words)s” in %(country)s", { words: words, country: country });
  if (words) return t("matching “%(words)s”", { words: words });
  if (near) return t("within %(radius)s of %(place)s", near);
  if (country) return t("in %(country)s", { country: country });
  return "";
}
