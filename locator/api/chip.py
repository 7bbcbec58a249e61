"""The chip saying how the search was read ("Showing partners near Aarhus, DK. Did you mean ...?"),
rendered by the server with the page's first results, exactly as static/js/controls.js renderChip
draws it (tests/browser/test_phone.py compares the two). Without it the chip would appear, a line
or three tall, only once the script has come: on a phone the whole list would jump down then.

Pure: from the page's query, the API's answer and the visitor's Ui; the parts are text, a
``strong`` (``translate="no"`` for names) or a place button, in the order the message puts them.
"""
from __future__ import annotations

import re
from typing import Mapping

from locator.api.i18n import Ui

_PLACEHOLDER = re.compile(r"(%\([a-z_]+\)s)")
_NAME = re.compile(r"^%\(([a-z_]+)\)s$")
MAX_ALTERNATIVES = 3

# The reading's kind -> its message (the same msgids as controls.js readingText).
_READINGS = {
    "country": "Showing %(country)s, the country.",
    "country+words": "Showing %(country)s, the country, matching “%(words)s”.",
    "place": "Showing partners near %(place)s.",
    "place+words": "Showing partners near %(place)s matching “%(words)s”.",
}
_WORDS_ONLY = "Showing partners matching “%(words)s”."


def text(value: str) -> dict:
    return {"tag": None, "text": value}


def message_parts(ui: Ui, message: str, nodes: Mapping[str, list[dict]]) -> list[dict]:
    """The translated message split around its placeholders, each replaced by its parts (i18n.js tParts)."""
    out: list[dict] = []
    for piece in filter(None, _PLACEHOLDER.split(ui.gettext(message))):
        name = _NAME.match(piece)
        out.extend(nodes[name.group(1)] if name and name.group(1) in nodes else [text(piece)])
    return out


def reading_parts(reading: dict, ui: Ui, countries: Mapping[str, str]) -> list[dict]:
    country = reading.get("country")
    nodes = {
        "country": [{"tag": "strong", "text": countries.get(country, country or ""), "no_translate": False}],
        "place": [{"tag": "strong", "text": (reading.get("place") or {}).get("label") or "", "no_translate": True}],
        "words": [{"tag": "strong", "text": reading.get("words") or "", "no_translate": True}],
    }
    return message_parts(ui, _READINGS.get(reading["kind"], _WORDS_ONLY), nodes)


def alternatives(reading: dict, answer: dict) -> list[dict]:
    """The other places the text may mean; for words only when nothing matched them (controls.js)."""
    if reading["kind"] == "words" and answer["total"] > 0:
        return []
    places = [alt["place"] for alt in reading.get("alternatives") or () if alt.get("kind") == "place" and alt["place"].get("id")]
    return places[:MAX_ALTERNATIVES]


def origin_label(args: Mapping[str, str], answer: dict, ui: Ui) -> str:
    """labels.js originLabel: the answer's place, the visitor's position, or the place asked for."""
    origin = answer.get("origin") or {}
    if origin.get("label"):
        return origin["label"]
    if "lat" in args and "lon" in args:
        return ui.gettext("your location")
    return args.get("near") or (ui.gettext("the chosen place") if "place" in args else "")


def chip_view(args: Mapping[str, str], answer: dict | None, ui: Ui, countries: Mapping[str, str]) -> dict | None:
    """{"label": parts, "others": parts} as the script will draw it, or None: no chip."""
    if answer is None:
        return None
    reading = answer.get("interpreted_as") if args.get("text") else None
    has_origin = bool(args.get("place") or args.get("near") or ("lat" in args and "lon" in args))
    if not (reading or has_origin or args.get("bbox")):
        return None
    if args.get("bbox"):
        return {"label": [text(ui.gettext("Showing partners in the map area."))], "others": []}
    if not reading:
        return {"label": [text(ui.gettext("Near %(place)s", place=origin_label(args, answer, ui)))], "others": []}
    others: list[dict] = []
    places = alternatives(reading, answer)
    if places:
        buttons = [part for i, place in enumerate(places)
                   for part in ([{"tag": "button", "text": place["label"]}] + ([text(", ")] if i < len(places) - 1 else []))]
        others = [text(" ")] + message_parts(ui, "Did you mean %(places)s?", {"places": buttons})
    return {"label": reading_parts(reading, ui, countries), "others": others}
