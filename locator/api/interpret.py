"""What a visitor's free text means (``GET /api/v1/partners?text=``), read on the server in one cascade.

1. The whole text is a country: a name in any UI language, an English exonym or a native name
   ("Denmark", "Dänemark", "Danmark", "デンマーク"), or exactly a two-letter ISO code ("DK", "dk").
   The country becomes a filter; no origin.
2. The whole text is a place the gazetteer knows ("Aarhus", "Springfield, MO", "Paris France") or a
   postal code that listed sites carry (the centre of those sites): it becomes the origin, as
   ``near=`` does.
3. A place, or a country, plus words ("Aarhus retail", "security in Zürich", "Denmark retail"):
   the place at the start or the end of the text gives the origin (the country a filter), the rest
   the words. Linking words next to the place ("in", "bei", "près de") are dropped. So that a
   company's name is not taken for a hamlet, the place must be named by its own name, or be a city
   of at least ``BIG_PLACE`` people (whose exonyms are reliable: "München", "東京").
4. Otherwise the words (``q``); when they match nothing, places with a similar name are offered.

Pure: the lookups (gazetteer, postal codes in the index) are passed in, so the rules are tested on
tables of inputs without a cluster (tests/unit/test_interpret.py) and on the real node
(tests/integration/test_text_search.py).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Protocol

from locator.core.places import name_keys

COUNTRY, PLACE, PLACE_WORDS, COUNTRY_WORDS, WORDS = "country", "place", "place+words", "country+words", "words"
KINDS = (COUNTRY, PLACE, PLACE_WORDS, COUNTRY_WORDS, WORDS)
MAX_PLACE_WORDS = 4       # "Rio de Janeiro, BR" is four
MIN_PLACE_CHARS = 3       # "de", "in", "es" inside a text are words, never places or countries
BIG_PLACE = 100_000
MAX_ALTERNATIVES = 4
MAX_WORDS_FOR_PLACE_HINTS = 3  # a short text that is no place may be a misspelt one
# Words that link a place to the rest in the five UI languages ("security in Aarhus", "Sicherheit bei
# Hamburg", "vidéo près de Lyon", "seguridad en Madrid"); Japanese particles are written joined.
CONNECTORS = frozenset({"in", "near", "around", "at", "bei", "nahe", "um", "im", "a", "à", "au", "aux", "pres", "près",
                        "de", "du", "des", "en", "cerca", "del"})
_POSTAL_CODE = re.compile(r"(?=[^\d]*\d)[A-Za-z0-9][A-Za-z0-9 -]{1,9}")


@dataclass(frozen=True)
class Area:
    """Where a reading puts the origin: a gazetteer place, or the centre of a postal code's sites."""
    id: str | None
    label: str
    lat: float
    lon: float
    name: str = ""        # the place's own name ("" for a postal code)
    population: int = 0

    def out(self) -> dict:
        return {"id": self.id, "label": self.label, "lat": self.lat, "lon": self.lon}


class Lookups(Protocol):
    def country_named(self, text: str) -> str | None: ...
    def places_named(self, text: str) -> list[Area]: ...   # best first
    def postal_areas(self, code: str) -> list[Area]: ...   # best first
    def closest_places(self, text: str) -> list[Area]: ...


@dataclass(frozen=True)
class Reading:
    kind: str
    country: str | None = None
    place: Area | None = None
    words: str | None = None
    alternatives: tuple[dict, ...] = ()

    def out(self) -> dict:
        """The answer's ``interpreted_as``."""
        return {"kind": self.kind, "country": self.country, "place": self.place.out() if self.place else None,
                "words": self.words, "alternatives": list(self.alternatives)}


def read_text(text: str, lookups: Lookups) -> Reading:
    """The first reading of the cascade that fits the whole text."""
    text = " ".join(text.split())
    country = lookups.country_named(text)
    if country:
        return Reading(COUNTRY, country=country, alternatives=_places_out(lookups.places_named(text)))
    areas = whole_place(text, lookups)
    if areas:
        return Reading(PLACE, place=areas[0], alternatives=_places_out(areas[1:]))
    split = place_and_words(text, lookups)
    if split:
        return split
    return Reading(WORDS, words=text)


def with_place_hints(reading: Reading, lookups: Lookups) -> Reading:
    """Words that matched nothing: a short text may be a misspelt place, so the places with the
    closest names become its alternatives (asked for only then: finding them costs milliseconds)."""
    if reading.kind != WORDS or len(reading.words.split()) > MAX_WORDS_FOR_PLACE_HINTS:
        return reading
    return replace(reading, alternatives=_places_out(lookups.closest_places(reading.words)))


def whole_place(text: str, lookups: Lookups) -> list[Area]:
    """The places the whole text names, best first: a postal code that listed sites carry, else a place."""
    if _POSTAL_CODE.fullmatch(text):
        areas = lookups.postal_areas(text)
        if areas:
            return areas
    return lookups.places_named(text) if len(text) >= MIN_PLACE_CHARS else []


def place_and_words(text: str, lookups: Lookups) -> Reading | None:
    """A country or place at the start or end of the text and the words around it, else None.

    A country beats a place; between places the most populous wins, then the longer name.
    """
    best: tuple[tuple, Reading] | None = None
    for part, rest in _splits(text.split()):
        if len(part) < MIN_PLACE_CHARS or not rest:
            continue
        country = lookups.country_named(part)
        if country:
            candidate = ((1, 0, len(part)), Reading(COUNTRY_WORDS, country=country, words=rest))
        else:
            places = lookups.places_named(part)
            if not places or not _named_reliably(places[0], part):
                continue
            candidate = ((0, places[0].population, len(part)),
                         Reading(PLACE_WORDS, place=places[0], words=rest, alternatives=_places_out(places[1:])))
        if best is None or candidate[0] > best[0]:
            best = candidate
    return best[1] if best else None


def _splits(words: list[str]):
    """(place part, the other words) for the first and the last 1..MAX_PLACE_WORDS words; linking
    words next to the place part are dropped from the other words."""
    for n in range(1, min(MAX_PLACE_WORDS, len(words) - 1) + 1):
        head, tail = words[:n], words[n:]
        while tail and _connector(tail[0]):
            tail = tail[1:]
        yield " ".join(head).rstrip(","), " ".join(tail)
        head, tail = words[:-n], words[-n:]
        while head and _connector(head[-1]):
            head = head[:-1]
        yield " ".join(tail), " ".join(head).rstrip(",")


def _connector(word: str) -> bool:
    return word.lower().strip(",") in CONNECTORS


def _named_reliably(place: Area, part: str) -> bool:
    """The part is the place's own name ("Aarhus", "Springfield, MO"), or the place is big enough that
    its other names are reliable; not a hamlet that happens to share a word with a company."""
    city = part.split(",")[0]
    return place.population >= BIG_PLACE or bool(name_keys(city) & name_keys(place.name))


def _places_out(areas: list[Area]) -> tuple[dict, ...]:
    seen, out = set(), []
    for area in areas:
        if area.label not in seen and len(out) < MAX_ALTERNATIVES:
            seen.add(area.label)
            out.append({"kind": PLACE, "place": area.out()})
    return tuple(out)
