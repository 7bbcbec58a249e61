"""The other endpoints against the real node: places (near/place), markers, one listing, suggest,
health and the OpenAPI description - each checked against the indexed documents or the gazetteer.
"""
from __future__ import annotations

import json
import re
from collections import Counter
from math import floor, log, pi, radians, tan, cos

import pytest

from indexer.sample import generate
from locator.api import create_app
from locator.api.params import MarkersParams, SearchParams, SuggestParams
from locator.api.urls import site_path
from locator.core.es import connect
from locator.core.text import fold
from tests.conftest import SAMPLE_AS_OF, SAMPLE_SEED, SAMPLE_SITES
from tests.integration.test_api_search import AARHUS, controlled, doc_km, get_json, ids, search, search_all  # noqa: F401

RESULT_KEYS = {"site_id", "partner_id", "company", "site_name", "tier", "certifications", "address", "location",
               "contact", "languages", "industries", "description"}


# ---------------------------------------------------------------- 7. where: near= and place=

def test_near_resolves_a_typed_place_and_says_which(api, listed_sample):
    body = search(api, near="Aarhus")
    origin = body["origin"]
    assert origin["label"] in ("Aarhus, DK", "Århus, DK")
    assert (origin["lat"], origin["lon"]) == pytest.approx(AARHUS, abs=0.05)
    expected = {sid for sid, doc in listed_sample.documents.items() if doc_km(doc, *AARHUS) <= 100 - 0.05}
    found = search_all(api, near="Aarhus")[0]
    assert expected <= set(ids(found)) and all(result["distance_km"] <= 100 for result in found)


def test_near_with_a_country_picks_that_countrys_place(api):
    origin = search(api, near="Paris, US")["origin"]
    assert origin["label"].startswith("Paris, ") and origin["label"].endswith(", US")
    assert 24 < origin["lat"] < 50 and -125 < origin["lon"] < -66


def test_an_ambiguous_name_picks_the_most_populous_and_lists_the_others(api):
    origin = search(api, near="Paris")["origin"]
    assert origin["label"] == "Paris, FR"
    assert any(place["country"] == "US" for place in origin["alternatives"])


def test_an_unknown_place_is_a_400_with_suggestions(api):
    error = get_json(api, "/api/v1/partners", {"near": "Aarhuus"}, status=400)["error"]
    assert set(error["fields"]) == {"near"}
    assert error["suggestions"] and {"id", "label", "lat", "lon"} <= set(error["suggestions"][0])
    assert any("rhus" in fold(place["label"]) for place in error["suggestions"])


def test_a_place_id_from_suggest_round_trips_to_the_same_origin(api):
    place = get_json(api, "/api/v1/suggest", {"q": "Aarhus"})["places"][0]
    by_id = search(api, place=place["id"])
    assert (by_id["origin"]["lat"], by_id["origin"]["lon"], by_id["origin"]["label"]) == (place["lat"], place["lon"], place["label"])
    assert by_id["origin"]["place_id"] == place["id"]
    assert ids(by_id["results"]) == ids(search(api, near="Aarhus")["results"])
    assert "place" in get_json(api, "/api/v1/partners", {"place": "1"}, status=400)["error"]["fields"]


# ---------------------------------------------------------------- 8. markers

def markers(client, bbox: str, **params) -> dict:
    return get_json(client, "/api/v1/partners/markers", {"bbox": bbox, **params})


def in_bbox(doc: dict, south: float, west: float, north: float, east: float) -> bool:
    lat, lon = doc["location"]["lat"], doc["location"]["lon"]
    in_lon = west <= lon <= east if west <= east else (lon >= west or lon <= east)
    return south <= lat <= north and in_lon


def _tile(lat: float, lon: float, zoom: int) -> str:
    n = 2 ** zoom
    x = min(n - 1, floor((lon + 180) / 360 * n))
    y = min(n - 1, floor((1 - log(tan(radians(lat)) + 1 / cos(radians(lat))) / pi) / 2 * n))
    return f"{zoom}/{x}/{y}"


@pytest.mark.parametrize("bbox, params", [
    pytest.param((55.5, 9.0, 57.0, 11.5), {}, id="around-aarhus"),
    pytest.param((35.0, -10.0, 70.0, 30.0), {"tier": "premier", "country": "DE"}, id="europe-filtered"),
    pytest.param((35.0, -10.0, 70.0, 30.0), {"cert": ["MCDE", "MCIE"], "language": "sv"}, id="europe-certs"),
])
def test_a_small_view_gets_exactly_its_points(api, listed_sample, bbox, params):
    expected = {sid: doc for sid, doc in listed_sample.documents.items() if in_bbox(doc, *bbox) and _filtered(doc, params)}
    assert 0 < len(expected) <= 500
    body = markers(api, ",".join(map(str, bbox)), zoom=8, **params)
    assert (body["mode"], body["total"], body["clusters"]) == ("points", len(expected), [])
    assert {point["site_id"] for point in body["points"]} == set(expected)
    for point in body["points"]:
        doc = expected[point["site_id"]]
        assert point == {"site_id": doc["site_id"], "company": doc["company"], "tier": doc["tier"],
                         "lat": doc["location"]["lat"], "lon": doc["location"]["lon"]}


def _filtered(doc: dict, params: dict) -> bool:
    certs = params.get("cert", [])
    return (doc["tier"] == params.get("tier", doc["tier"]) and doc["country"] == params.get("country", doc["country"])
            and all(doc["certifications"][cert] >= 1 for cert in certs)
            and params.get("language", "en") in doc["languages"])


def test_the_world_view_gets_clusters_counting_every_site(api, listed_sample):
    docs = list(listed_sample.documents.values())
    body = markers(api, "-90,-180,90,180", zoom=1)
    assert (body["mode"], body["points"]) == ("clusters", [])
    assert body["total"] == sum(cluster["count"] for cluster in body["clusters"]) == len(docs)
    by_tile = Counter(_tile(doc["location"]["lat"], doc["location"]["lon"], 3) for doc in docs)
    assert {cluster["key"]: cluster["count"] for cluster in body["clusters"]} == dict(by_tile)
    for cluster in body["clusters"]:
        members = [doc for doc in docs if _tile(doc["location"]["lat"], doc["location"]["lon"], 3) == cluster["key"]]
        assert cluster["lat"] == pytest.approx(sum(d["location"]["lat"] for d in members) / len(members), abs=1e-3)


def test_a_view_across_the_antimeridian_gets_both_sides(api, listed_sample, controlled):
    assert {p["site_id"] for p in markers(controlled.client, "-17.5,179.5,-16,-179.5")["points"]} == {"FJ-W", "FJ-E"}
    assert markers(controlled.client, "-17.5,-179.5,-16,179.5")["total"] == 0  # W < E: the other 359 degrees, no Fiji
    bbox = (-60.0, 150.0, 0.0, -150.0)
    expected = {sid for sid, doc in listed_sample.documents.items() if in_bbox(doc, *bbox)}
    assert expected
    assert {p["site_id"] for p in markers(api, ",".join(map(str, bbox)))["points"]} == expected


@pytest.mark.parametrize("zoom", [0, 5, 12, 22])
def test_markers_stay_bounded_whatever_the_view(api, api_app, listed_sample, zoom):
    response = api.get(f"/api/v1/partners/markers?bbox=-90,-180,90,180&zoom={zoom}")
    body = response.get_json()
    limits = api_app.extensions["partner_locator"].api
    assert len(body["points"]) <= limits.markers_max_points and len(body["clusters"]) <= limits.markers_max_clusters
    assert len(response.data) < 100 * limits.markers_max_clusters + 200 * limits.markers_max_points
    assert sum(cluster["count"] for cluster in body["clusters"]) == body["total"] == len(listed_sample.documents)


def test_capped_clusters_still_cover_every_match_in_view(listed_sample, gazetteer):
    settings = listed_sample.settings.replace("api", markers_max_clusters=20, markers_max_points=50)
    client = create_app(settings, es=connect(settings, "reader"), gazetteer=gazetteer).test_client()
    body = markers(client, "-90,-180,90,180", zoom=6)
    assert len(body["clusters"]) <= 20
    assert body["total"] == sum(cluster["count"] for cluster in body["clusters"]) == len(listed_sample.documents)


# ---------------------------------------------------------------- 9. one listing

def _pick_partner(docs: dict, many_countries: bool) -> dict:
    """A site of a partner with other sites in its country (and, if asked, sites abroad too)."""
    countries = {}
    for doc in docs.values():
        countries.setdefault(doc["partner_id"], Counter())[doc["country"]] += 1
    for sid in sorted(docs):
        doc = docs[sid]
        seen = countries[doc["partner_id"]]
        if seen[doc["country"]] >= 2 and (len(seen) >= 2) == many_countries:
            return doc
    raise AssertionError("the sample has such a partner")


def _listing(doc: dict) -> dict:
    return {**{key: doc.get(key) for key in RESULT_KEYS}, "page_url": "http://localhost/" + site_path(doc)}


@pytest.mark.parametrize("many_countries", [False, True], ids=["one-country", "several-countries"])
def test_a_listing_with_the_partners_other_sites_in_that_country(api, listed_sample, many_countries):
    docs = listed_sample.documents
    doc = _pick_partner(docs, many_countries)
    body = get_json(api, f"/api/v1/partners/{doc['site_id']}")
    others = body.pop("other_sites_in_country")
    assert body == _listing(doc)
    expected = {sid for sid, other in docs.items() if other["partner_id"] == doc["partner_id"]
                and other["country"] == doc["country"] and sid != doc["site_id"]}
    assert {other["site_id"] for other in others} == expected and len(others) == len(expected)
    assert all(other == _listing(docs[other["site_id"]]) for other in others)


def test_a_single_site_partner_has_no_other_sites(api, listed_sample):
    partners = Counter(doc["partner_id"] for doc in listed_sample.documents.values())
    doc = next(d for _, d in sorted(listed_sample.documents.items()) if partners[d["partner_id"]] == 1)
    assert get_json(api, f"/api/v1/partners/{doc['site_id']}")["other_sites_in_country"] == []


def test_an_unknown_or_unlisted_site_is_a_404(api, listed_sample, gazetteer):
    generated = []
    for line in generate(SAMPLE_SITES, SAMPLE_SEED, gazetteer=gazetteer, as_of=SAMPLE_AS_OF):
        try:
            generated.append(json.loads(line)["site_id"])
        except ValueError:
            continue
    unlisted = next(sid for sid in generated if sid not in listed_sample.documents)
    for site_id in (unlisted, "S9999999", "no-such-site", "x" * 65):
        response = api.get(f"/api/v1/partners/{site_id}")
        assert response.status_code == 404 and response.is_json
        assert response.get_json()["error"]["status"] == 404


# ---------------------------------------------------------------- 10. suggest and health

@pytest.mark.parametrize("typed", ["Aar", "aarh", "Århu", "Aarhus"])
def test_suggest_offers_aarhus_as_you_type(api, typed):
    places = get_json(api, "/api/v1/suggest", {"q": typed})["places"]
    assert places[0]["label"] in ("Aarhus, DK", "Århus, DK")
    assert places[0]["lat"] == pytest.approx(AARHUS[0], abs=0.05) and set(places[0]) >= {"id", "label", "country", "lat", "lon"}


def _company(docs: dict, accented: bool) -> dict:
    return next(doc for _, doc in sorted(docs.items()) if doc["company"].isascii() != accented)


@pytest.mark.parametrize("accented", [False, True], ids=["plain", "accented-typed-without-accents"])
def test_suggest_offers_a_listed_company_as_you_type(api, listed_sample, accented):
    doc = _company(listed_sample.documents, accented)
    typed = fold(doc["company"])[:-3] if accented else doc["company"][:-3]
    companies = get_json(api, "/api/v1/suggest", {"q": typed, "limit": 10})["companies"]
    assert doc["company"] in [company["company"] for company in companies]
    names = [company["company"] for company in companies]
    assert len(names) == len(set(names)) <= 10


def test_suggest_respects_its_limit(api):
    body = get_json(api, "/api/v1/suggest", {"q": "Sa", "limit": 2})
    assert len(body["places"]) <= 2 and len(body["companies"]) <= 2


def test_livez_and_readyz(api, listed_sample):
    assert get_json(api, "/livez") == {"status": "alive"}
    ready = get_json(api, "/readyz")
    assert ready["status"] == "ready" and ready["as_of"] == SAMPLE_AS_OF.isoformat()
    assert ready["sites"] == len(listed_sample.documents)
    assert isinstance(ready["age_s"], int) and 0 <= ready["age_s"] < 3600


def test_readyz_is_503_when_nothing_is_live(listed_sample, gazetteer):
    from tests.conftest import with_index_prefix

    settings = with_index_prefix(listed_sample.settings, listed_sample.prefix + "-nothing")
    client = create_app(settings, es=connect(settings, "reader"), gazetteer=gazetteer).test_client()
    for url in ("/readyz", "/api/v1/partners", "/api/v1/partners/S0000001"):
        response = client.get(url)
        assert response.status_code == 503 and response.get_json()["error"]["status"] == 503, url
        assert "nothing" not in response.get_data(as_text=True)  # no index or alias names
    assert client.get("/livez").status_code == 200


# ---------------------------------------------------------------- 12. OpenAPI and docs

def _resolve(spec: dict, schema: dict) -> dict:
    while "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def test_the_openapi_description_validates(api):
    from openapi_spec_validator import validate

    spec = get_json(api, "/api/v1/openapi.json")
    validate(spec)
    assert spec["openapi"].startswith("3.")


@pytest.mark.parametrize("path, schema", [("/api/v1/partners", SearchParams), ("/api/v1/partners/markers", MarkersParams),
                                          ("/api/v1/suggest", SuggestParams)])
def test_every_accepted_parameter_is_in_the_spec(api, path, schema):
    spec = get_json(api, "/api/v1/openapi.json")
    documented = {parameter["name"] for parameter in spec["paths"][path]["get"]["parameters"] if parameter["in"] == "query"}
    assert documented == set(schema().fields)


def test_the_spec_describes_exactly_the_result_fields(api):
    spec = get_json(api, "/api/v1/openapi.json")
    ok = spec["paths"]["/api/v1/partners"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    result = _resolve(spec, _resolve(spec, ok)["properties"]["results"]["items"])
    assert set(result["properties"]) == RESULT_KEYS | {"page_url", "distance_km", "other_matching_sites"}


def test_the_docs_page_works_offline(api):
    response = api.get("/api/v1/docs")
    assert response.status_code == 200 and response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", html, re.I), "no CDN or other external URL"
    for local in re.findall(r"""(?:src|href)\s*=\s*["'](/[^"'#]+)""", html):
        asset = api.get(local)
        assert asset.status_code == 200, local
        if local.endswith((".js", ".css")):  # what the page loads loads nothing from elsewhere either
            code = asset.get_data(as_text=True)
            assert not re.search(r"""(?:fetch|import|url)\s*\(\s*["']?(?:https?:)?//|import\s+[^;]*from\s+["']https?:""", code), local
