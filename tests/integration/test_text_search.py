"""GET /api/v1/partners?text=: the visitor's words read on the server, against the real node.

Each reading is checked against the same search made with explicit parameters (country=, near=,
lat/lon, q): same total, same results in the same order.
"""
from __future__ import annotations

from collections import Counter

import pytest

from tests.integration.test_api_search import get_json, ids, search

DENMARK = ["Denmark", "Dänemark", "Danemark", "Dinamarca", "デンマーク", "Danmark", "DK", "dk"]


def same_search(api, text_params: dict, explicit: dict) -> dict:
    """The text search answers exactly as the explicit one; returns the text search's answer."""
    read, plain = search(api, **text_params, per_page=50), search(api, **explicit, per_page=50)
    assert (read["total"], read["total_relation"]) == (plain["total"], plain["total_relation"])
    assert ids(read["results"]) == ids(plain["results"])
    assert [site["distance_km"] for site in read["results"]] == [site["distance_km"] for site in plain["results"]]
    return read


@pytest.mark.parametrize("text", DENMARK)
def test_denmark_in_every_ui_language_natively_and_as_its_code_is_the_country(api, text):
    answer = same_search(api, {"text": text}, {"country": "DK"})
    assert answer["total"] > 20
    reading = answer["interpreted_as"]
    assert (reading["kind"], reading["country"], reading["place"], reading["words"]) == ("country", "DK", None, None)
    assert answer["origin"] is None
    # Denmark, South Carolina, is offered as what the visitor may have meant instead.
    assert text != "Denmark" or any(alt["place"]["label"].startswith("Denmark, ") and alt["place"]["label"].endswith(", US")
               for alt in reading["alternatives"])


@pytest.mark.parametrize(("text", "code"), [("Germany", "DE"), ("Deutschland", "DE"), ("Allemagne", "DE"),
                                            ("Alemania", "DE"), ("ドイツ", "DE"), ("de", "DE"), ("Spain", "ES"),
                                            ("España", "ES"), ("es", "ES"), ("in", "IN"), ("Sverige", "SE")])
def test_other_countries_by_name_and_code(api, text, code):
    answer = same_search(api, {"text": text}, {"country": code})
    assert answer["interpreted_as"]["country"] == code


def test_a_country_with_the_visitors_position_is_ordered_by_distance_without_a_radius(api):
    position = {"lat": 56.15674, "lon": 10.21076}
    answer = same_search(api, {"text": "Dänemark", **position}, {"country": "DK", **position, "radius_km": 20000})
    assert answer["total"] == search(api, country="DK")["total"]
    distances = [site["distance_km"] for site in answer["results"]]
    assert distances == sorted(distances)


def test_a_country_from_the_text_intersects_the_country_filter(api):
    assert search(api, text="Denmark", country="SE")["total"] == 0
    same_search(api, {"text": "Denmark", "country": ["SE", "DK"]}, {"country": "DK"})
    same_search(api, {"text": "Denmark", "tier": "premier"}, {"country": "DK", "tier": "premier"})


@pytest.mark.parametrize(("text", "near"), [("Aarhus", "Aarhus"), ("Springfield", "Springfield"),
                                            ("Springfield, MO", "Springfield, MO"), ("Springfield, IL", "Springfield, IL"),
                                            ("Paris France", "Paris France"), ("København", "København")])
def test_a_place_is_the_origin_as_near_would_make_it(api, text, near):
    answer = same_search(api, {"text": text, "radius_km": 250}, {"near": near, "radius_km": 250})
    reading = answer["interpreted_as"]
    assert (reading["kind"], reading["country"], reading["words"]) == ("place", None, None)
    assert reading["place"]["label"] == answer["origin"]["label"] == search(api, near=near)["origin"]["label"]


def test_springfield_without_a_region_is_the_biggest_and_offers_the_others(api):
    reading = search(api, text="Springfield")["interpreted_as"]
    assert reading["place"]["label"] == "Springfield, Missouri, US"
    labels = [alt["place"]["label"] for alt in reading["alternatives"]]
    assert "Springfield, Illinois, US" in labels
    assert search(api, text="Springfield, IL")["interpreted_as"]["place"]["label"] == "Springfield, Illinois, US"


def test_a_postal_code_of_listed_sites_is_the_centre_of_those_sites(api, listed_sample):
    codes = Counter((doc["address"].get("postal_code"), doc["country"]) for doc in listed_sample.documents.values())
    (code, country), _ = next(item for item in codes.most_common() if item[0][0] and any(c.isdigit() for c in item[0][0]))
    sites = [doc for doc in listed_sample.documents.values() if doc["address"].get("postal_code") == code]
    answer = search(api, text=code, radius_km=50)
    reading = answer["interpreted_as"]
    assert reading["kind"] == "place" and reading["place"]["id"] is None
    assert reading["place"]["label"].startswith(code) and reading["place"]["label"].endswith(", " + country)
    in_country = [doc for doc in sites if doc["country"] == country]
    centre = (sum(d["location"]["lat"] for d in in_country) / len(in_country),
              sum(d["location"]["lon"] for d in in_country) / len(in_country))
    assert (reading["place"]["lat"], reading["place"]["lon"]) == pytest.approx(centre, abs=1e-3)
    assert {doc["site_id"] for doc in in_country} <= set(ids(search(api, text=code, radius_km=50, per_page=50)["results"]))
    same_search(api, {"text": code, "radius_km": 50}, {"lat": reading["place"]["lat"], "lon": reading["place"]["lon"],
                                                       "radius_km": 50})


@pytest.mark.parametrize(("text", "near", "words"), [
    ("Aarhus retail", "Aarhus", "retail"), ("retail in Aarhus", "Aarhus", "retail"),
    ("security København", "København", "security"), ("retail de Aarhus", "Aarhus", "retail"),
])
def test_a_place_and_words_search_the_words_around_the_place(api, text, near, words):
    answer = same_search(api, {"text": text, "radius_km": 250}, {"near": near, "q": words, "radius_km": 250})
    reading = answer["interpreted_as"]
    assert (reading["kind"], reading["words"], reading["country"]) == ("place+words", words, None)
    assert answer["total"] > 0


def test_a_country_and_words_search_the_words_in_the_country(api):
    answer = same_search(api, {"text": "Denmark retail"}, {"country": "DK", "q": "retail"})
    assert answer["interpreted_as"]["kind"] == "country+words" and answer["total"] > 0


@pytest.mark.parametrize("text", ["retail es", "video in", "security de", "Qxzqxzville", "retail"])
def test_everything_else_is_words(api, text):
    answer = same_search(api, {"text": text}, {"q": text})
    reading = answer["interpreted_as"]
    assert (reading["kind"], reading["words"], reading["country"], reading["place"]) == ("words", text, None, None)
    # Only words that match nothing come with places of a similar name (a misspelt place?).
    assert bool(reading["alternatives"]) == (answer["total"] == 0 and len(text.split()) <= 3)


def test_words_with_the_visitors_position_search_around_it(api):
    position = {"lat": 56.15674, "lon": 10.21076, "radius_km": 100}
    same_search(api, {"text": "retail", **position}, {"q": "retail", **position})


def test_text_cannot_be_combined_with_q_near_or_place_and_the_400_names_both(api):
    for other in ("q", "near", "place"):
        error = get_json(api, "/api/v1/partners", {"text": "Aarhus", other: "2624652"}, status=400)["error"]
        assert set(error["fields"]) == {"text", other}


def test_sort_by_distance_needs_the_text_to_be_a_place(api):
    assert search(api, text="Aarhus", sort="distance")["interpreted_as"]["kind"] == "place"
    error = get_json(api, "/api/v1/partners", {"text": "Denmark", "sort": "distance"}, status=400)["error"]
    assert set(error["fields"]) == {"sort"}


def test_the_map_reads_the_text_as_the_search_does(api):
    bbox = {"bbox": "54,7,58,13", "zoom": 6}
    assert get_json(api, "/api/v1/partners/markers", {**bbox, "text": "Danmark"}) == \
        get_json(api, "/api/v1/partners/markers", {**bbox, "country": "DK"})
    assert get_json(api, "/api/v1/partners/markers", {**bbox, "text": "Aarhus retail"}) == \
        get_json(api, "/api/v1/partners/markers", {**bbox, "q": "retail"})


def test_suggest_offers_countries_in_any_language(api):
    for typed in ("Dän", "Denm", "Danm", "デンマ"):
        assert get_json(api, "/api/v1/suggest", {"q": typed})["countries"][0] == {"code": "DK", "name": "Denmark"}
    assert get_json(api, "/api/v1/suggest", {"q": "Aarh"})["countries"] == []


def test_without_text_the_answer_says_nothing_was_read(api):
    assert search(api, near="Aarhus")["interpreted_as"] is None
