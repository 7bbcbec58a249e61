"""Beacons checked against closed vocabularies; the event kept has no identifier, the minute only,
and the same report twice has the same id."""
from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest
from marshmallow import ValidationError

from locator.core.events import BeaconSchema, event_document, event_id, events_index

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
