"""What the analytics may keep of a search answer: its kind, where, the filters, what it found;
never the words typed, the coordinates, or an industry the index does not know."""
from __future__ import annotations

import json

from locator.api.analytics_facts import search_facts, search_kind
from locator.core.coarse_area import CoarseArea

AARHUS_AREA = CoarseArea("place", "2624652", "DK", 56.1567, 10.2108)


def answer(total=2, results=("S0000001", "S0000002"), origin=None, reading=None, nearest=False, page=1):
    return {"total": total, "page": page, "origin": origin, "nearest_fallback": nearest, "interpreted_as": reading,
            "results": [{"site_id": site_id} for site_id in results]}


def facts(params, found, industries=("Retail", "Banking")):
    return search_facts(params, found, lambda lat, lon: AARHUS_AREA, industries)


def test_a_point_search_keeps_its_coarse_area_never_its_coordinates():
    params = {"lat": 56.123456, "lon": 10.187654, "radius_km": 50.0, "page": 1}
    kept = facts(params, answer(origin={"lat": 56.123456, "lon": 10.187654, "label": None, "place_id": None}))
    assert (kept["kind"], kept["area"], kept["country"], kept["radius_km"]) == ("point", "2624652", "DK", 50.0)
    assert "56.12" not in json.dumps(kept) and "10.18" not in json.dumps(kept)


def test_typed_words_are_kept_as_how_many_never_what():
    reading = {"kind": "place+words", "country": "DK", "place": {"id": "2624652"}, "words": "fire alarm"}
    kept = facts({"text": "Aarhus fire alarm", "page": 1, "radius_km": 100.0},
                 answer(total=0, results=(), reading=reading, nearest=True,
                        origin={"lat": 56.15, "lon": 10.21, "label": "Aarhus, DK", "place_id": "2624652"}))
    assert (kept["kind"], kept["place"], kept["country"], kept["words"]) == ("place", "2624652", "DK", 2)
    assert kept["zero"] and kept["nearest"] and kept["sites"] == []
    assert "fire" not in json.dumps(kept) and "alarm" not in json.dumps(kept)


def test_filters_are_kept_and_an_unknown_industry_is_other():
    params = {"country": ["SE"], "tier": ["premier", "advanced"], "cert": ["MCDE"], "language": ["sv"],
              "industry": ["Retail", "my secret project"], "page": 2}
    kept = facts(params, answer(page=2))
    assert (kept["kind"], kept["country"], kept["page"], kept["radius_km"]) == ("country", "SE", 2, None)
    assert (kept["tier"], kept["cert"], kept["language"]) == (["advanced", "premier"], ["MCDE"], ["sv"])
    assert kept["industry"] == ["Retail", "other"]
    assert kept["sites"] == ["S0000001", "S0000002"] and kept["total"] == 2 and not kept["zero"]


def test_the_kind_is_read_as_the_api_read_the_search():
    assert search_kind({"bbox": (1, 2, 3, 4), "q": "x"}, None) == "area"
    assert search_kind({"near": "Oslo"}, None) == "place"
    assert search_kind({"text": "Denmark"}, {"kind": "country"}) == "country"
    assert search_kind({"text": "acme"}, {"kind": "words"}) == "words"
    assert search_kind({"q": "acme"}, None) == "words"
    assert search_kind({"country": ["DK"]}, None) == "country"  # an embed's preset country: that is where
    assert search_kind({"country": ["DK"], "q": "acme"}, None) == "words"
    assert search_kind({}, None) == "browse"
