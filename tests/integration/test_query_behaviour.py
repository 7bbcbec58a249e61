"""How searches read what visitors type and order what they find, against the real node.

These were unit tests comparing whole Elasticsearch request bodies; a body says how a rule is
written, not that Elasticsearch applies it, so each rule is checked here by what is found and in
what order: on the controlled index (sites that differ in one thing) or against
``listed_sample.documents``, the ground truth.
"""
from __future__ import annotations

from collections import Counter

import pytest

from locator.core.text import fold
from tests.integration.test_api_search import (AARHUS, controlled, doc_km, get_json, ids, search,  # noqa: F401
                                               search_all)


# ---------------------------------------------------------------- words are words, never query syntax

def test_lucene_operators_are_words_a_site_must_contain(controlled):
    assert set(ids(search(controlled.client, q="granitvagt")["results"])) == {"RANK-T1", "RANK-T2"}
    assert set(ids(search(controlled.client, q="basaltvagt")["results"])) == {"RANK-D1", "RANK-D2"}
    # Read as operators these would find all four sites, or none: as words, "or" and "not" are in no site.
    assert search(controlled.client, q="granitvagt OR basaltvagt")["results"] == []
    assert search(controlled.client, q="basaltvagt NOT silkeborg")["results"] == []
    assert set(ids(search(controlled.client, q="basaltvagt -silkeborg")["results"])) == {"RANK-D1", "RANK-D2"}
    assert set(ids(search(controlled.client, q="basaltvagt OR")["results"])) == set()  # no dangling-operator error


def test_a_code_is_never_read_as_a_typo(controlled):
    """Words with digits are exact even when nothing matches: 7402 is one digit from 7400 and 7401."""
    assert "PC-EXACT" in ids(search(controlled.client, q="7400")["results"])
    assert "PC-NEAR" in ids(search(controlled.client, q="7401")["results"])
    assert search(controlled.client, q="7402")["results"] == []


# ---------------------------------------------------------------- the order without a sort parameter

def test_without_an_origin_or_a_sort_premier_sites_come_first_then_by_name(api, listed_sample):
    docs = listed_sample.documents.values()
    expected = [d["site_id"] for d in sorted(docs, key=lambda d: (d["tier"] != "premier", d["name_sort"], d["site_id"]))]
    found = ids(search(api, per_page=50)["results"]) + ids(search(api, per_page=50, page=2)["results"])
    assert found == expected[:100]


def test_with_an_origin_and_no_sort_the_nearest_come_first(api, listed_sample):
    radius_km = 400
    inside = [doc for doc in listed_sample.documents.values() if doc_km(doc, *AARHUS) <= radius_km]
    assert len(inside) > 50
    nearest = sorted(inside, key=lambda doc: (round(doc_km(doc, *AARHUS), 3), doc["site_id"]))[:50]
    body = search(api, lat=AARHUS[0], lon=AARHUS[1], radius_km=radius_km, per_page=50)
    assert ids(body["results"]) == [doc["site_id"] for doc in nearest]
    assert [result["distance_km"] for result in body["results"]] == pytest.approx(
        [doc_km(doc, *AARHUS) for doc in nearest], abs=0.01)


# ---------------------------------------------------------------- collapse: the total is the partners, on every page

def test_with_collapse_every_page_counts_the_partners(api, listed_sample):
    partners = {doc["partner_id"] for doc in listed_sample.documents.values() if doc["country"] == "US"}
    assert len(partners) > 20, "the sample has partners for three pages of ten"
    pages = [search(api, country="US", collapse="partner", per_page=10, page=page) for page in (1, 2, 3)]
    assert [page["total"] for page in pages] == [len(partners)] * 3
    seen = [result["partner_id"] for page in pages for result in page["results"]]
    assert len(seen) == len(set(seen)) == 30 and set(seen) <= partners


# ---------------------------------------------------------------- company suggestions forgive a typo in a longer prefix

def _within_one_edit(a: str, b: str) -> bool:
    if abs(len(a) - len(b)) > 1:
        return False
    previous = list(range(len(b) + 1))
    for i, char in enumerate(a, start=1):
        current = [i]
        for j, other in enumerate(b, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (char != other)))
        previous = current
    return previous[-1] <= 1


def _near_prefix(name: str, typed: str) -> bool:
    return any(_within_one_edit(name[:length], typed) for length in (len(typed) - 1, len(typed), len(typed) + 1))


def test_a_company_typed_with_a_wrong_letter_is_still_suggested(api, listed_sample):
    companies = sorted({fold(doc["company"]): doc["company"] for doc in listed_sample.documents.values()}.items())
    for folded, company in companies:  # a company whose typo'd prefix only a few names are near
        if len(folded) < 8 or not folded[:6].isalpha():
            continue
        typed = folded[:3] + ("x" if folded[3] != "x" else "q") + folded[4:6]
        near = [name for name, _ in companies if _near_prefix(name, typed)]
        if not any(name.startswith(typed) for name, _ in companies) and len(near) <= 5:
            break
    else:
        pytest.fail("no company in the sample to type with a typo")
    found = [entry["company"] for entry in get_json(api, "/api/v1/suggest", {"q": typed, "limit": 10})["companies"]]
    assert company in found, (typed, found)
    # Three letters are too few to forgive: a typo there would bring names one letter from every prefix.
    short = next(folded[:2] + letter for letter in "xqzjvwkyb"
                 if not any(name.startswith(folded[:2] + letter) for name, _ in companies))
    assert get_json(api, "/api/v1/suggest", {"q": short, "limit": 10})["companies"] == []


# ---------------------------------------------------------------- a country read from the text scopes everything

def _in_box(doc: dict, south: float, west: float, north: float, east: float) -> bool:
    return south <= doc["location"]["lat"] <= north and west <= doc["location"]["lon"] <= east


def test_a_country_from_the_text_scopes_the_facets_too(api, listed_sample):
    danish = [doc for doc in listed_sample.documents.values() if doc["country"] == "DK"]
    body = search(api, text="Denmark")
    assert body["total"] == len(danish) > 0
    assert body["facets"]["country"] == {"DK": len(danish)}  # a country= filter would count every country here
    assert body["facets"]["tier"] == dict(Counter(doc["tier"] for doc in danish))


def test_a_box_and_a_country_from_the_text_both_scope_the_search(api, listed_sample):
    box = (54.0, 7.0, 58.0, 13.0)  # Denmark and a strip of Germany and Sweden
    inside = [doc for doc in listed_sample.documents.values() if _in_box(doc, *box)]
    expected = {doc["site_id"] for doc in inside if doc["country"] == "DK"}
    assert expected and len(expected) < len(inside), "the box holds sites of other countries too"
    results, first = search_all(api, text="Denmark", bbox=",".join(map(str, box)))
    assert set(ids(results)) == expected and first["total"] == len(expected)


def test_a_postal_code_is_read_in_any_case(api, listed_sample):
    codes = Counter((doc["address"].get("postal_code"), doc["country"]) for doc in listed_sample.documents.values()
                    if any(char.isalpha() for char in doc["address"].get("postal_code") or ""))
    (code, country), _ = codes.most_common(1)[0]
    readings = [search(api, text=typed, radius_km=50)["interpreted_as"] for typed in (code, code.lower())]
    assert readings[0]["kind"] == "place" and readings[0]["place"]["label"].endswith(", " + country)
    same = ("lat", "lon", "id")
    assert {key: readings[1]["place"][key] for key in same} == {key: readings[0]["place"][key] for key in same}
    assert readings[1]["place"]["label"].upper() == readings[0]["place"]["label"].upper()  # the code as typed
