"""Reading a visitor's text: the cascade on tables of inputs, with small lookup tables instead of the
gazetteer and the index (the real ones: tests/integration/test_text_search.py)."""
from __future__ import annotations

import pytest

from locator.api.interpret import Area, read_text, with_place_hints
from locator.core.text import fold

AARHUS = Area("2624652", "Aarhus, DK", 56.16, 10.21, "Aarhus", 285_000)
ZURICH = Area("2657896", "Zürich, CH", 47.37, 8.55, "Zurich", 341_000)
DENMARK_SC = Area("4578737", "Denmark, South Carolina, US", 33.33, -81.14, "Denmark", 3_000)
SPRINGFIELD_MO = Area("4409896", "Springfield, Missouri, US", 37.22, -93.30, "Springfield", 166_000)
SPRINGFIELD_IL = Area("4250542", "Springfield, Illinois, US", 39.80, -89.64, "Springfield", 114_000)
SECURITY = Area("5439752", "Security-Widefield, Colorado, US", 38.75, -104.71, "Security-Widefield", 29_000)
POSTAL_8000 = Area(None, "8000 Aarhus, DK", 56.15, 10.20, population=3)


class Tables:
    """interpret.Lookups over dicts keyed by folded text."""

    countries = {"denmark": "DK", "danmark": "DK", "danemark": "DK", "dk": "DK", "in": "IN", "de": "DE", "es": "ES",
                 "テンマーク": "DK"}
    places = {"aarhus": [AARHUS], "zurich": [ZURICH], "denmark": [DENMARK_SC],
              "springfield": [SPRINGFIELD_MO, SPRINGFIELD_IL], "springfield, mo": [SPRINGFIELD_MO],
              "security": [SECURITY]}
    postal = {"8000": [POSTAL_8000]}

    def __init__(self):
        self.asked = []

    def country_named(self, text):
        code = self.countries.get(fold(text))
        return None if code and len(text) == 2 and not text.isalpha() else code

    def places_named(self, text):
        return list(self.places.get(fold(text), []))

    def postal_areas(self, code):
        self.asked.append(code)
        return list(self.postal.get(code, []))

    def closest_places(self, text):
        return [AARHUS] if fold(text).startswith("aar") else []


def read(text):
    return read_text(text, Tables()).out()


@pytest.mark.parametrize("text", ["Denmark", "Danmark", "Dänemark", "Danemark", "デンマーク", "DK", "dk", "  denmark "])
def test_a_country_in_any_language_or_as_a_code_is_a_country(text):
    answer = read(text)
    assert (answer["kind"], answer["country"], answer["place"], answer["words"]) == ("country", "DK", None, None)


def test_a_country_that_is_also_a_town_offers_the_town():
    assert read("Denmark")["alternatives"] == [{"kind": "place", "place": DENMARK_SC.out()}]


@pytest.mark.parametrize(("text", "place"), [("Aarhus", AARHUS), ("Springfield", SPRINGFIELD_MO),
                                             ("Springfield, MO", SPRINGFIELD_MO), ("8000", POSTAL_8000)])
def test_a_place_or_a_postal_code_of_listed_sites_is_the_origin(text, place):
    answer = read(text)
    assert (answer["kind"], answer["place"], answer["country"], answer["words"]) == ("place", place.out(), None, None)


def test_the_other_places_of_a_name_are_alternatives():
    assert read("Springfield")["alternatives"] == [{"kind": "place", "place": SPRINGFIELD_IL.out()}]


@pytest.mark.parametrize(("text", "place", "words"), [
    ("Aarhus retail", AARHUS, "retail"), ("security Zürich", ZURICH, "security"), ("security in Zurich", ZURICH, "security"),
    ("video de Aarhus", AARHUS, "video"), ("Springfield, MO retail", SPRINGFIELD_MO, "retail"),
    ("seguridad en Aarhus", AARHUS, "seguridad"), ("Sicherheit bei Aarhus", AARHUS, "Sicherheit"),
])
def test_a_place_and_words_give_an_origin_and_the_words(text, place, words):
    answer = read(text)
    assert (answer["kind"], answer["place"], answer["words"], answer["country"]) == ("place+words", place.out(), words, None)


def test_a_country_and_words_give_a_country_and_the_words():
    answer = read("Denmark retail")
    assert (answer["kind"], answer["country"], answer["place"], answer["words"]) == ("country+words", "DK", None, "retail")


@pytest.mark.parametrize("text", ["retail in", "video de", "es retail", "in", "es"])
def test_two_letter_words_inside_a_longer_text_are_words_never_countries(text):
    answer = read(text)
    assert answer["kind"] == ("country" if len(text) == 2 else "words")
    if len(text) > 2:
        assert (answer["country"], answer["words"]) == (None, text)


def test_a_word_that_is_only_a_hamlets_other_name_is_not_taken_for_it():
    # "Security" is an alternate name of Security-Widefield (29,000 people): a company word, not a place.
    answer = read("security cameras")
    assert (answer["kind"], answer["words"]) == ("words", "security cameras")


def test_nonsense_is_words_and_if_they_match_nothing_the_places_they_may_be_a_misspelling_of():
    answer = read("Aarhsu")
    assert (answer["kind"], answer["words"], answer["place"], answer["country"], answer["alternatives"]) == (
        "words", "Aarhsu", None, None, [])
    hinted = with_place_hints(read_text("Aarhsu", Tables()), Tables()).out()
    assert hinted == {**answer, "alternatives": [{"kind": "place", "place": AARHUS.out()}]}
    assert with_place_hints(read_text("Qxzqxzville", Tables()), Tables()).out()["alternatives"] == []
    many_words = read_text("aarhsu video systems retail", Tables())
    assert with_place_hints(many_words, Tables()) == many_words  # a sentence is not a misspelt place
    country = read_text("Denmark", Tables())
    assert with_place_hints(country, Tables()) == country


def test_only_text_that_looks_like_a_postal_code_is_looked_up_in_the_index():
    tables = Tables()
    read_text("Aarhus retail", tables)
    read_text("8000", tables)
    read_text("SW1A 1AA", tables)
    assert tables.asked == ["8000", "SW1A 1AA"]
