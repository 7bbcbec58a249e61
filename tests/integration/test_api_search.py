"""GET /api/v1/partners against the real node: results, not status codes.

Ground truth is ``listed_sample.documents`` (every listed document as Elasticsearch holds it): radius
sets, facet counts, collapsed partners and nearest sites are recomputed here by brute force. Ranking
is checked on a tiny controlled index (``controlled``) where sites differ in one thing only.
"""
from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from datetime import date
from math import asin, cos, radians, sin, sqrt
from urllib.parse import urlencode

import pytest

from indexer.geocode import GazetteerGeocoder
from indexer.pipeline import IndexOptions, run_index
from indexer.program import load_program
from indexer.sitelocator import SiteLocator
from locator.core.es import connect
from locator.core.contract import CERT_TYPES
from locator.core.mapping import sites_alias
from locator.core.text import fold
from tests.conftest import with_index_prefix
from tests.exports import AS_OF, advanced_program, premier_program, site

EARTH_RADIUS_KM = 6371.0088
BOUNDARY_KM = 0.05  # Elasticsearch quantises geo_points: sites this close to the radius are not compared
AARHUS = (56.15674, 10.21076)
FACETS = ("tier", "cert", "country", "language", "industry")


# ---------------------------------------------------------------- helpers (also used by the other API test files)

def great_circle_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Haversine on the sphere Elasticsearch uses; written here, independently of the API's code."""
    p1, p2, dp, dl = radians(lat1), radians(lat2), radians(lat2 - lat1), radians(lon2 - lon1)
    h = sin(dp / 2) ** 2 + cos(p1) * cos(p2) * sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * asin(min(1.0, sqrt(h)))


def doc_km(doc: dict, lat: float, lon: float) -> float:
    return great_circle_km(lat, lon, doc["location"]["lat"], doc["location"]["lon"])


def get_json(client, path: str, params: dict | None = None, status: int = 200) -> dict:
    response = client.get(path + ("?" + urlencode(params, doseq=True) if params else ""))
    assert response.status_code == status, response.get_data(as_text=True)
    return response.get_json()


def search(client, **params) -> dict:
    return get_json(client, "/api/v1/partners", params)


def search_all(client, **params) -> tuple[list[dict], dict]:
    """Every result of a search, paging with per_page=50; and the first page's body."""
    first = search(client, **params, per_page=50, page=1)
    results, page = list(first["results"]), 1
    while len(results) < first["total"]:
        page += 1
        batch = search(client, **params, per_page=50, page=page)["results"]
        assert batch, f"page {page} is empty but only {len(results)} of {first['total']} were seen"
        results += batch
    assert first["total_relation"] == "eq"
    return results, first


def ids(results: list[dict]) -> list[str]:
    return [result["site_id"] for result in results]


def matches(doc: dict, params: dict, skip: str | None = None) -> bool:
    """Whether a document passes the filters of ``params`` (all but ``skip``) and the radius."""
    if "lat" in params and doc_km(doc, params["lat"], params["lon"]) > params["radius_km"]:
        return False
    checks = {
        "tier": lambda wanted: doc["tier"] in wanted,
        "cert": lambda wanted: all(doc["certifications"].get(cert, 0) >= 1 for cert in wanted),
        "country": lambda wanted: doc["country"] in wanted,
        "language": lambda wanted: bool(set(doc["languages"]) & set(wanted)),
        "industry": lambda wanted: bool(set(doc.get("industries", [])) & set(wanted)),
    }
    return all(check(params[name]) for name, check in checks.items() if name in params and name != skip)


def facet_counts(docs: list[dict], name: str) -> dict[str, int]:
    if name == "cert":
        return {cert: sum(1 for doc in docs if doc["certifications"].get(cert, 0) >= 1) for cert in CERT_TYPES}
    field = {"tier": "tier", "country": "country", "language": "languages", "industry": "industries"}[name]
    values = Counter()
    for doc in docs:
        value = doc.get(field, [])
        values.update(value if isinstance(value, list) else [value])
    return dict(values)


def near_boundary(doc: dict, lat: float, lon: float, radius_km: float) -> bool:
    return abs(doc_km(doc, lat, lon) - radius_km) <= BOUNDARY_KM


# ---------------------------------------------------------------- a tiny controlled index

@dataclass
class Controlled:
    client: object
    documents: dict
    prefix: str


def _controlled_export() -> list[dict]:
    def one(site_id, partner_id, city, location, *, company, prog=None, country="DK", postal_code="1000",
            industries=("retail",), description="Installs video systems."):
        record = site(site_id, partner_id, country, city, location=location, company=company,
                      prog=prog or advanced_program(), industries=list(industries), description=description)
        record["address"]["postal_code"] = postal_code
        return record

    return [
        # identical except tier (the advanced one has the smaller site id, so it wins every tie-breaker)
        one("RANK-T1", "PT1", "Vejle", (55.709, 9.536), company="Granitvagt ApS"),
        one("RANK-T2", "PT2", "Vejle", (55.709, 9.536), company="Granitvagt ApS", prog=premier_program()),
        # identical except location (the farther one has the smaller site id)
        one("RANK-D1", "PD1", "Silkeborg", (56.4, 9.0), company="Basaltvagt ApS"),
        one("RANK-D2", "PD2", "Silkeborg", (56.02, 9.0), company="Basaltvagt ApS"),
        # one city, spelled the ways exports spell it
        one("CPH-1", "PC1", "Copenhagen", (55.676, 12.568), company="Havn Alarm ApS", postal_code="1550"),
        one("CPH-2", "PC2", "København", (55.68, 12.57), company="Sund Alarm ApS", postal_code="2100"),
        one("ZRH-1", "PZ1", "Zürich", (47.37, 8.54), company="Limmat Schutz AG", country="CH", postal_code="8001"),
        one("ZRH-2", "PZ2", "ZUERICH", (47.38, 8.53), company="See Schutz AG", country="CH", postal_code="8004"),
        # two words, two fields: only AAR-R is in Aarhus *and* serves retail
        one("AAR-R", "PA1", "Aarhus", (56.157, 10.211), company="Bugt Video ApS", postal_code="8000"),
        one("AAR-B", "PA2", "Århus", (56.16, 10.2), company="Bro Video ApS", postal_code="8200", industries=["banking"]),
        one("ODE-R", "PA3", "Odense", (55.396, 10.388), company="Aa Video ApS", postal_code="5000"),
        one("SEC-1", "PS1", "London", (51.507, -0.128), company="Thames Security Ltd", country="GB", postal_code="SW1A 1AA",
            description="Video security for retail."),
        # a postal code typed exactly, and a premier site whose code is one digit off
        one("PC-EXACT", "PE1", "Herning", (56.139, 8.973), company="Hede Alarm ApS", postal_code="7400"),
        one("PC-NEAR", "PE2", "Herning", (56.139, 8.973), company="Hede Alarm ApS", postal_code="7401", prog=premier_program()),
        # Taveuni, Fiji: the 180th meridian runs through the island
        one("FJ-W", "PF1", "Waiyevo", (-16.79, 179.97), company="Koro Vision Ltd", country="FJ", postal_code="0001"),
        one("FJ-E", "PF2", "Waiyevo", (-16.81, -179.97), company="Lau Vision Ltd", country="FJ", postal_code="0002"),
        # a company's name and one a letter away: a word found exactly is not also read as a typo
        one("TYPO-A", "PY1", "Reykjavik", (64.146, -21.94), company="Kestrel Vakt ehf", country="IS", postal_code="101"),
        one("TYPO-B", "PY2", "Reykjavik", (64.146, -21.94), company="Kestral Vakt ehf", country="IS", postal_code="101"),
    ]


_CONTROLLED: list[Controlled] = []  # built once per run, also when another module imports the fixture


@pytest.fixture(scope="session")
def controlled(settings, indexer_es, gazetteer) -> Controlled:
    """The controlled sites indexed with the real indexer pipeline, and the app serving them."""
    from locator.api import create_app

    if _CONTROLLED and _CONTROLLED[0].prefix.startswith(settings.index_prefix):
        return _CONTROLLED[0]
    prefix = f"{settings.index_prefix}-apx"
    lines = enumerate((json.dumps(record, ensure_ascii=False) for record in _controlled_export()), start=1)
    run_index(indexer_es, prefix, lines, load_program(), lambda: SiteLocator(gazetteer, GazetteerGeocoder(gazetteer)),
              IndexOptions(as_of=date.fromisoformat(AS_OF)))
    hits = indexer_es.search(index=sites_alias(prefix), size=100, query={"match_all": {}})["hits"]["hits"]
    documents = {hit["_id"]: hit["_source"] for hit in hits}
    assert documents["RANK-T1"]["tier"] == "advanced" and documents["RANK-T2"]["tier"] == "premier"
    assert len(documents) == len(_controlled_export())
    prefixed = with_index_prefix(settings, prefix)
    app = create_app(prefixed, es=connect(prefixed, "reader"), gazetteer=gazetteer)
    _CONTROLLED[:] = [Controlled(app.test_client(), documents, prefix)]
    return _CONTROLLED[0]


# ---------------------------------------------------------------- 1. radius

def _beyond_the_antimeridian(docs):
    """An origin on the far side of the 180th meridian from the sample's most easterly/westerly site."""
    edge = max(docs, key=lambda doc: abs(doc["location"]["lon"]))
    lat, lon = edge["location"]["lat"], -179.9 if edge["location"]["lon"] > 0 else 179.9
    return lat, lon, doc_km(edge, lat, lon) + 150


def _same_side_of_the_antimeridian(docs):
    edge = max(docs, key=lambda doc: abs(doc["location"]["lon"]))
    lat, lon = edge["location"]["lat"], 179.9 if edge["location"]["lon"] > 0 else -179.9
    return lat, lon, doc_km(edge, lat, lon) + 500


def _far_north(docs):
    """North Cape, with a radius reaching a little beyond the sample's most northerly site."""
    north = max(docs, key=lambda doc: doc["location"]["lat"])
    return 71.17, 25.78, doc_km(north, 71.17, 25.78) + 400


def _north_pole(docs):
    return 90.0, 0.0, 3000


RADIUS_CASES = {
    "aarhus-150km": lambda docs: (*AARHUS, 150),
    "aarhus-3000km": lambda docs: (*AARHUS, 3000),
    "beyond-the-antimeridian": _beyond_the_antimeridian,
    "next-to-the-antimeridian": _same_side_of_the_antimeridian,
    "north-cape": _far_north,
    "north-pole": _north_pole,
}


@pytest.mark.parametrize("case", list(RADIUS_CASES))
def test_radius_returns_exactly_the_great_circle_set_with_exact_distances(api, listed_sample, case):
    docs = listed_sample.documents
    lat, lon, radius_km = RADIUS_CASES[case](list(docs.values()))
    inside = {sid for sid, doc in docs.items() if doc_km(doc, lat, lon) <= radius_km}
    boundary = {sid for sid, doc in docs.items() if near_boundary(doc, lat, lon, radius_km)}
    assert inside - boundary, "the origin was chosen so that the sample has sites within the radius"

    for sort in ("distance", "name", "relevance"):
        results, first = search_all(api, lat=lat, lon=lon, radius_km=radius_km, sort=sort)
        found = ids(results)
        assert len(found) == len(set(found)) == first["total"]
        assert set(found) - boundary == inside - boundary, sort
        assert first["nearest_fallback"] is False
        for result in results:
            assert result["distance_km"] == pytest.approx(doc_km(docs[result["site_id"]], lat, lon), abs=0.01), sort
        if sort == "distance":
            distances = [result["distance_km"] for result in results]
            assert all(a <= b + 0.001 for a, b in zip(distances, distances[1:]))


def test_radius_across_the_antimeridian_finds_both_sides(controlled):
    body = search(controlled.client, lat=-16.8, lon=179.999, radius_km=20)
    assert set(ids(body["results"])) == {"FJ-W", "FJ-E"}
    for result in body["results"]:
        assert result["distance_km"] == pytest.approx(doc_km(controlled.documents[result["site_id"]], -16.8, 179.999), abs=0.01)
        assert result["distance_km"] < 5


# ---------------------------------------------------------------- 2. filters and facets

FILTER_CASES = [
    pytest.param({}, id="none"),
    pytest.param({"tier": ["premier"]}, id="premier"),
    pytest.param({"tier": ["advanced", "premier"], "country": ["DK", "SE"]}, id="both-tiers-two-countries"),
    pytest.param({"cert": ["MCIE"]}, id="mcie"),
    pytest.param({"cert": ["MCDE", "MCIE"], "country": ["DE"]}, id="two-certs-mean-all"),
    pytest.param({"language": ["de", "fr"], "industry": ["retail", "banking"]}, id="languages-industries"),
    pytest.param({"tier": ["premier"], "cert": ["MCIE"], "country": ["US", "CA"], "language": ["en"],
                  "industry": ["ports"]}, id="everything"),
    pytest.param({"lat": AARHUS[0], "lon": AARHUS[1], "radius_km": 1234.5, "tier": ["advanced"],
                  "industry": ["ports", "retail"]}, id="with-radius"),
]


@pytest.mark.parametrize("params", FILTER_CASES)
def test_total_and_facets_equal_counts_from_the_documents(api, listed_sample, params):
    docs = list(listed_sample.documents.values())
    if "lat" in params:
        assert not any(near_boundary(doc, params["lat"], params["lon"], params["radius_km"]) for doc in docs)
    body = search(api, **params, sort="name")
    expected = [doc for doc in docs if matches(doc, params)]
    assert expected, "each case matches some sites"
    assert (body["total"], body["total_relation"]) == (len(expected), "eq")
    for name in FACETS:
        others = [doc for doc in docs if matches(doc, params, skip=name)]
        assert body["facets"][name] == facet_counts(others, name), name
    assert set(ids(search_all(api, **params, sort="name")[0])) == {doc["site_id"] for doc in expected}


def test_a_picked_tier_still_shows_the_other_tiers_count(api, listed_sample):
    body = search(api, tier="premier", country="DK")
    danish = [doc for doc in listed_sample.documents.values() if doc["country"] == "DK"]
    assert body["facets"]["tier"] == {"advanced": sum(d["tier"] == "advanced" for d in danish),
                                      "premier": sum(d["tier"] == "premier" for d in danish)}
    assert {result["tier"] for result in body["results"]} == {"premier"}


# ---------------------------------------------------------------- 3. text

TEXT_CASES = [  # query -> the controlled sites a person means, which must come first
    pytest.param("secruity", {"SEC-1"}, id="typo"),
    pytest.param("kobenhavn", {"CPH-1", "CPH-2"}, id="kobenhavn"),
    pytest.param("København", {"CPH-1", "CPH-2"}, id="København"),
    pytest.param("KØBENHAVN", {"CPH-1", "CPH-2"}, id="KØBENHAVN"),
    pytest.param("Koebenhavn", {"CPH-1", "CPH-2"}, id="Koebenhavn"),
    pytest.param("Copenhagen", {"CPH-1", "CPH-2"}, id="Copenhagen"),
    pytest.param("Zurich", {"ZRH-1", "ZRH-2"}, id="Zurich"),
    pytest.param("Zürich", {"ZRH-1", "ZRH-2"}, id="Zürich"),
    pytest.param("Zuerich", {"ZRH-1", "ZRH-2"}, id="Zuerich"),
    pytest.param("8000", {"AAR-R"}, id="postal-code"),
    pytest.param("SW1A 1AA", {"SEC-1"}, id="postal-code-two-words"),
    pytest.param("7400", {"PC-EXACT"}, id="postal-code-exact-before-premier-near-miss"),
    pytest.param("aarhus retail", {"AAR-R"}, id="two-words-two-fields"),
    pytest.param("Århus Retail", {"AAR-R"}, id="two-words-accented"),
]


@pytest.mark.parametrize("q, meant", TEXT_CASES)
def test_text_finds_what_a_person_means(controlled, q, meant):
    found = ids(search(controlled.client, q=q)["results"])
    assert set(found[:len(meant)]) == meant, found


def test_words_found_exactly_are_not_read_as_typos_and_a_typo_finds_the_words_it_is_near(controlled):
    assert set(ids(search(controlled.client, q="kestrel")["results"])) == {"TYPO-A"}
    assert set(ids(search(controlled.client, q="kestral")["results"])) == {"TYPO-B"}
    assert set(ids(search(controlled.client, q="kestrol")["results"])) == {"TYPO-A", "TYPO-B"}  # nothing exact
    assert set(ids(search(controlled.client, q="kestrol vakt", near="Reykjavik")["results"])) == {"TYPO-A", "TYPO-B"}


def test_two_words_must_both_match(controlled):
    found = set(ids(search(controlled.client, q="aarhus retail")["results"]))
    assert not found & {"AAR-B", "ODE-R"}  # Aarhus without retail, retail without Aarhus


def test_a_typo_finds_every_site_with_the_word_in_the_sample(api, listed_sample):
    meant = {sid for sid, doc in listed_sample.documents.items()
             if "security" in fold(doc["company"]).split() or "security" in fold(doc.get("description", "")).split()}
    assert meant
    assert meant <= set(ids(search_all(api, q="secruity")[0]))


@pytest.mark.parametrize("country", ["GB", "NL", "DE", "JP", "US"])
def test_a_postal_code_of_the_sample_finds_its_site(api, listed_sample, country):
    """Found on the first page; that it comes first is the controlled "postal-code-exact-..." case above."""
    docs = sorted(listed_sample.documents.values(), key=lambda doc: doc["site_id"])
    codes = Counter(doc["address"].get("postal_code") for doc in docs)
    target = next(doc for doc in docs if doc["country"] == country and codes[doc["address"].get("postal_code")] == 1)
    body = search(api, q=target["address"]["postal_code"], per_page=10)
    assert target["site_id"] in ids(body["results"]), target["address"]["postal_code"]


@pytest.mark.parametrize("q", ["(", "a AND (", "/.*/", "\\", "*", '"', "!!! ?", "&& ||", "{[^~:]}"])
def test_q_is_never_query_syntax_and_syntax_alone_is_no_words(api, listed_sample, q):
    """Nothing a visitor types is an error, and characters that are only query syntax search for
    nothing: the answer is every listed site, as without q ("a AND (" is two words, a and "and")."""
    body = search(api, q=q)
    if q == "a AND (":
        assert body == search(api, q="a and")
    else:
        assert (body["total"], body["total_relation"]) == (len(listed_sample.documents), "eq")


@pytest.mark.parametrize("q, words", [
    ("security*", "security"), ('"security"', "security"), ("(security)", "security"), ("security!", "security"),
    ("+security -retail", "security retail"),  # no NOT: the minus is not an operator, both words must match
    ("(security) AND retail", "security and retail"),  # AND is a word like any other, not an operator
])
def test_q_with_query_syntax_finds_what_its_plain_words_find(api, q, words):
    plain = search(api, q=words, per_page=50)
    assert plain["total"] > 0, "each case's plain words find sites in the sample"
    assert search(api, q=q, per_page=50) == plain


# ---------------------------------------------------------------- ranking (controlled index)

def test_at_equal_text_score_premier_outranks_advanced(controlled):
    body = search(controlled.client, q="granitvagt", sort="relevance")
    assert ids(body["results"]) == ["RANK-T2", "RANK-T1"]


def test_with_an_origin_the_nearer_of_two_equal_sites_ranks_first(controlled):
    body = search(controlled.client, q="basaltvagt", lat=56.0, lon=9.0, radius_km=100, sort="relevance")
    assert ids(body["results"]) == ["RANK-D2", "RANK-D1"]
    assert body["results"][0]["distance_km"] < body["results"][1]["distance_km"]


def test_relevance_without_text_is_premier_first_then_by_name(api, listed_sample):
    docs = listed_sample.documents.values()
    expected = [d["site_id"] for d in sorted(docs, key=lambda d: (d["tier"] != "premier", d["name_sort"], d["site_id"]))]
    assert ids(search_all(api, sort="relevance")[0]) == expected


# ---------------------------------------------------------------- 4. paging

PAGED = [
    pytest.param({"sort": "name"}, id="name"),
    pytest.param({"q": "security"}, id="relevance"),
    pytest.param({"lat": AARHUS[0], "lon": AARHUS[1], "radius_km": 3000}, id="distance"),
]


@pytest.mark.parametrize("params", PAGED)
def test_small_pages_continue_each_other_without_duplicates(api, params):
    big = ids(search(api, **params, per_page=50)["results"])
    small = [sid for page in range(1, 6) for sid in ids(search(api, **params, per_page=10, page=page)["results"])]
    assert small == big and len(set(big)) == 50
    assert ids(search(api, **params, per_page=50)["results"]) == big  # deterministic


def test_sort_by_name_pages_through_everything_in_name_order(api, listed_sample):
    docs = listed_sample.documents.values()
    expected = [d["site_id"] for d in sorted(docs, key=lambda d: (d["name_sort"], d["site_id"]))]
    assert ids(search_all(api, sort="name")[0]) == expected


def test_paging_stops_at_the_first_10000_hits(api):
    last = search(api, page=200, per_page=50)
    assert last["results"] == [] and last["total"] > 0
    error = get_json(api, "/api/v1/partners", {"page": 201, "per_page": 50}, status=400)["error"]
    assert "page" in error["fields"]
    assert "page" in get_json(api, "/api/v1/partners", {"page": 10001, "per_page": 1}, status=400)["error"]["fields"]


# ---------------------------------------------------------------- 5. collapse=partner

COLLAPSE_CASES = [
    pytest.param({"lat": AARHUS[0], "lon": AARHUS[1], "radius_km": 500.5}, id="near-aarhus"),
    pytest.param({"lat": AARHUS[0], "lon": AARHUS[1], "radius_km": 500.5, "tier": ["premier"]}, id="with-a-filter"),
    pytest.param({"country": ["US"], "sort": "name"}, id="by-name"),
]


@pytest.mark.parametrize("params", COLLAPSE_CASES)
def test_collapse_shows_each_partner_once_with_its_other_matching_sites(api, listed_sample, params):
    docs = listed_sample.documents.values()
    if "lat" in params:
        assert not any(near_boundary(doc, params["lat"], params["lon"], params["radius_km"]) for doc in docs)
    by_partner = Counter(doc["partner_id"] for doc in docs if matches(doc, params))
    results, first = search_all(api, **params, collapse="partner")
    partners = [result["partner_id"] for result in results]
    assert len(partners) == len(set(partners))
    assert set(partners) == set(by_partner)
    assert first["total"] == len(by_partner)
    for result in results:
        assert result["other_matching_sites"] == by_partner[result["partner_id"]] - 1, result["partner_id"]
        assert matches(listed_sample.documents[result["site_id"]], params)
    if "lat" in params:  # the partner's nearest matching site stands for it
        for result in results:
            nearest = min(doc_km(doc, params["lat"], params["lon"]) for doc in docs
                          if doc["partner_id"] == result["partner_id"] and matches(doc, params))
            assert result["distance_km"] == pytest.approx(nearest, abs=0.01)


# ---------------------------------------------------------------- 6. nearest fallback

@pytest.mark.parametrize("params", [{}, {"tier": ["premier"]}, {"country": ["JP"], "cert": ["MCIE"]}])
def test_nothing_within_the_radius_answers_the_five_nearest(api, listed_sample, params):
    lat, lon = -45.0, -130.0  # the South Pacific
    body = search(api, lat=lat, lon=lon, radius_km=10, **params)
    candidates = [doc for doc in listed_sample.documents.values() if matches(doc, params)]
    nearest = sorted(candidates, key=lambda doc: (doc_km(doc, lat, lon), doc["site_id"]))[:5]
    assert body["nearest_fallback"] is True
    assert ids(body["results"]) == [doc["site_id"] for doc in nearest]
    distances = [result["distance_km"] for result in body["results"]]
    assert distances == sorted(distances) and distances[0] > 10
    assert distances == pytest.approx([doc_km(doc, lat, lon) for doc in nearest], abs=0.01)


def test_the_nearest_fallback_still_shows_each_partner_once(api, listed_sample):
    body = search(api, lat=-45.0, lon=-130.0, radius_km=10, collapse="partner")
    assert body["nearest_fallback"] is True and body["results"]
    partners = [result["partner_id"] for result in body["results"]]
    assert len(partners) == len(set(partners))
    sites = Counter(doc["partner_id"] for doc in listed_sample.documents.values())  # no radius: every site matches
    assert {result["partner_id"]: result["other_matching_sites"] for result in body["results"]} == {
        partner: sites[partner] - 1 for partner in partners}


def test_the_nearest_fallback_is_not_repeated_on_the_next_page(api):
    first = search(api, lat=-45.0, lon=-130.0, radius_km=10)
    second = search(api, lat=-45.0, lon=-130.0, radius_km=10, page=2)
    assert not set(ids(first["results"])) & set(ids(second["results"]))


def test_facets_come_with_page_one_and_with_later_pages_only_when_asked(api):
    params = {"near": "Aarhus", "radius_km": 300, "per_page": 5}
    first, second = search(api, **params), search(api, **params, page=2)
    assert first["facets"]["tier"] and second["facets"] is None
    assert second["total"] == first["total"] and second["results"] != first["results"]  # the same search, paged
    assert search(api, **params, page=2, facets="true")["facets"] == first["facets"]
    assert search(api, **params, facets="false")["facets"] is None
