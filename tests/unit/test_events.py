"""Beacons checked against closed vocabularies and against what their token vouches for; the event
kept has no identifier, the minute only, and the same report twice has the same id; months expire
whole."""
from __future__ import annotations

import json
from datetime import date, datetime, timezone

import pytest
from marshmallow import ValidationError

from locator.analytics.store import expired_months, month_of
from locator.core.events import (BeaconRefused, BeaconSchema, check_beacon, event_document, event_id, events_index,
                                 site_page_facts, source_allowed)

NONCE = "n0nce-Of-A-Page-Load_123"
BEACON = {"type": "phone", "token": "tok.sig", "nonce": NONCE, "site_id": "S0000001", "lang": "de", "source": "www.example.com"}
FACTS = {"kind": "place", "country": "DK", "place": "2624652", "area": None, "words": 0, "total": 2, "zero": False,
         "nearest": False, "page": 1, "sites": ["S0000001", "S0000002"]}


def test_a_good_beacon_loads():
    assert BeaconSchema().load(BEACON) == BEACON
    search = {key: value for key, value in BEACON.items() if key != "site_id"} | {"type": "search", "source": "direct"}
    assert BeaconSchema().load(search)["type"] == "search"


@pytest.mark.parametrize("change, field", [
    ({"type": "purchase"}, "type"), ({"lang": "xx"}, "lang"), ({"nonce": "short"}, "nonce"),
    ({"source": "https://www.example.com/path?q=1"}, "source"), ({"site_id": "S 1"}, "site_id"),
    ({"site_id": None}, "site_id"), ({"token": "x" * 2001}, "token"), ({"extra": "field"}, "extra"),
])
def test_a_bad_beacon_is_refused_naming_what_is_wrong(change, field):
    beacon = {key: value for key, value in {**BEACON, **change}.items() if value is not None}
    with pytest.raises(ValidationError) as refused:
        BeaconSchema().load(beacon)
    assert field in refused.value.messages


def test_a_search_event_names_no_site():
    with pytest.raises(ValidationError) as refused:
        BeaconSchema().load({**BEACON, "type": "search"})
    assert "site_id" in refused.value.messages


def test_the_same_report_twice_has_one_id_and_any_difference_another():
    same = event_id("tok", NONCE, "phone", "S1")
    assert same == event_id("tok", NONCE, "phone", "S1")
    assert len({same, event_id("tok", NONCE, "email", "S1"), event_id("tok", NONCE, "phone", "S2"),
                event_id("tok", NONCE + "x", "phone", "S1"), event_id("tok2", NONCE, "phone", "S1")}) == 5


def test_the_event_kept_has_the_minute_and_no_token_nonce_or_second():
    moment = datetime(2026, 12, 6, 14, 43, 51, 123456, tzinfo=timezone.utc)
    kept = event_document(FACTS, BEACON, moment)
    text = json.dumps(kept)
    assert kept["minute"] == "2026-12-06T14:43:00Z" and kept["type"] == "phone" and kept["site_id"] == "S0000001"
    assert NONCE not in text and "tok.sig" not in text and "51" not in kept["minute"]
    assert kept["sites_shown"] == []  # an interaction is about its one site
    search = event_document(FACTS, {**BEACON, "type": "search", "site_id": None}, moment)
    assert search["sites_shown"] == ["S0000001", "S0000002"] and "sites" not in search


def test_events_go_to_the_index_of_their_month():
    assert events_index("pl", datetime(2026, 12, 31, 23, 59, tzinfo=timezone.utc)) == "pl-events-2026.12"
    assert events_index("pl", datetime(2027, 1, 1, 0, 0, tzinfo=timezone.utc)) == "pl-events-2027.01"


# ---------------------------------------------------------------- what a token vouches for

EMBEDDERS = ("'self'", "https://*.milestonesys.com", "http://localhost:*", "https://partners.example.com")


@pytest.mark.parametrize("source, allowed", [
    ("direct", True), ("www.milestonesys.com", True), ("a.b.milestonesys.com", True), ("milestonesys.com", False),
    ("localhost:8123", True), ("partners.example.com", True), ("partners.example.com:8443", False),
    ("evil-milestonesys.com", False), ("milestonesys.com.evil.org", False), ("example.com", False),
])
def test_the_source_must_be_a_host_the_locator_may_be_embedded_in(source, allowed):
    assert source_allowed(source, EMBEDDERS) is allowed


def test_a_beacon_must_name_a_site_of_its_answer_and_fit_the_tokens_kind():
    check_beacon(BEACON, FACTS, ("https://www.example.com",))
    with pytest.raises(BeaconRefused) as refused:
        check_beacon({**BEACON, "site_id": "S0000009"}, FACTS, ("https://www.example.com",))
    assert refused.value.field == "site_id"
    page = site_page_facts("S0000001", "DK")
    for kind in ("site_page", "phone", "email", "website", "directions"):  # the page seen, its contacts used
        check_beacon({**BEACON, "type": kind, "source": "direct"}, page, ())
    for beacon, facts in (({**BEACON, "type": "search", "source": "direct"}, page),
                          ({**BEACON, "type": "detail", "source": "direct"}, page),
                          ({**BEACON, "type": "site_page", "source": "direct"}, FACTS)):
        with pytest.raises(BeaconRefused) as refused:
            check_beacon(beacon, facts, ())
        assert refused.value.field == "type"


def test_a_month_index_is_read_from_its_name_and_expires_whole():
    assert month_of("pl-events-2026.12") == date(2026, 12, 1)
    assert month_of("pl-events-2026.13") is None and month_of("pl-events-x") is None
    names = [f"pl-events-{year}.{month:02d}" for year in (2025, 2026) for month in range(1, 13)]
    # 13 months kept on 2026-12-06: 2025-12 to 2026-12; the month of today counts
    assert expired_months(names, date(2026, 12, 6), 13) == names[:11]
    assert expired_months(names, date(2026, 12, 31), 1) == names[:23]
    assert expired_months(names, date(2026, 1, 1), 120) == []
