"""Every search answer carries a search_token when analytics are on: what the answer was, signed,
the same for everyone given the same answer within ten minutes (answers stay cacheable), and
nothing in it that identifies the visitor (no words, no coordinates)."""
from __future__ import annotations

import json

import pytest

from locator.api import create_app
from locator.core import search_tokens

SECRET = "t" * 40
NOW = 1_780_000_200.0  # a multiple of ten minutes


class Clock:
    def __init__(self, now: float):
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture(scope="module")
def clock():
    return Clock(NOW)


@pytest.fixture(scope="module")
def client(listed_sample, reader_es, gazetteer, clock):
    settings = listed_sample.settings.replace("analytics", token_secret=SECRET)
    return create_app(settings, es=reader_es, gazetteer=gazetteer, clock=clock).test_client()


def facts_of(answer: dict) -> dict:
    facts = search_tokens.read(SECRET, answer["search_token"], NOW)
    assert facts is not None, "the token does not read back with the secret"
    return facts


def test_the_token_says_what_the_answer_was(client):
    answer = client.get("/api/v1/partners?near=Aarhus&radius_km=300&tier=premier").get_json()
    facts = facts_of(answer)
    assert (facts["kind"], facts["place"], facts["tier"], facts["radius_km"]) == ("place", answer["origin"]["place_id"], ["premier"], 300.0)
    assert facts["total"] == answer["total"] and facts["sites"] == [site["site_id"] for site in answer["results"]]
    assert facts["zero"] is False and facts["page"] == 1


def test_a_point_search_keeps_an_area_and_words_only_their_number(client):
    point = client.get("/api/v1/partners?lat=56.1234567&lon=10.2345678&radius_km=50").get_json()
    facts = facts_of(point)
    assert facts["kind"] == "point" and facts["area"] and facts["country"] == "DK"
    assert "56.123" not in json.dumps(facts) and "10.234" not in json.dumps(facts)
    words = facts_of(client.get("/api/v1/partners?q=zzqx+wwvy").get_json())
    assert words["kind"] == "words" and words["words"] == 2 and words["zero"]
    assert "zzqx" not in json.dumps(words)


def test_an_industry_the_index_does_not_know_is_other(client):
    known = next(iter(client.get("/api/v1/partners?facets=true").get_json()["facets"]["industry"]))
    facts = facts_of(client.get(f"/api/v1/partners?industry={known}&industry=My+secret+plan").get_json())
    assert facts["industry"] == sorted([known, "other"])


def test_everyone_given_the_same_answer_gets_the_same_bytes_until_the_next_ten_minutes(client, clock):
    url = "/api/v1/partners?country=DK"
    first, again = client.get(url), client.get(url)
    assert first.headers["ETag"] == again.headers["ETag"] and first.get_json() == again.get_json()
    try:
        clock.now = NOW + 599
        assert client.get(url).headers["ETag"] == first.headers["ETag"]
        clock.now = NOW + 600
        later = client.get(url)
        assert later.get_json()["search_token"] != first.get_json()["search_token"]
    finally:
        clock.now = NOW


def test_the_page_carries_the_answer_with_its_token(client):
    page = client.get("/?near=Aarhus").get_data(as_text=True)
    answer = client.get("/api/v1/partners?near=Aarhus").get_json()
    assert json.dumps(answer["search_token"]) in page


def test_without_a_secret_answers_carry_no_token(api):
    assert "search_token" not in api.get("/api/v1/partners?near=Aarhus").get_json()
