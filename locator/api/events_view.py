"""``POST /api/v1/events``: the pages' analytics beacons (issue 18; docs/privacy.md).

sanitize (the beacon's schema) -> verify (its search token vouches for it: event_recorder.py) ->
hand over to the buffer -> 204 at once. Bad input is a 400 in the one error shape and nothing is
kept. Three kinds of beacon are answered 204 and not kept at all, before any other work: from a
visitor who asked not to be tracked (``Sec-GPC: 1`` or ``DNT: 1``), from a crawler (crawlerdetect's
maintained list; its per-process cache of user agents is turned off: nothing of a visitor is kept,
not even in memory), and any beacon while analytics is off. Part of the per-client budget (/api/).
"""
from __future__ import annotations

import orjson
from crawlerdetect import CrawlerDetect
from flask import Blueprint, Response, current_app, request
from marshmallow import ValidationError

from locator.api.errors import BadRequest
from locator.core.events import BeaconRefused, BeaconSchema

events = Blueprint("events", __name__, url_prefix="/api/v1")
RECORDER = "partner_locator_events"
_beacon_schema = BeaconSchema()


class _UncachedCrawlerDetect(CrawlerDetect):
    CACHE_SIZE = 0  # no user agent is remembered, even for a moment


_crawlers = _UncachedCrawlerDetect()


def warm_up() -> None:
    """Compile the crawler patterns (~20 ms, once per process) before the first beacon, not during it."""
    _crawlers.is_crawler("Mozilla/5.0")


def not_tracked() -> bool:
    """The visitor's browser asks not to be tracked (Global Privacy Control, Do Not Track)."""
    return request.headers.get("Sec-GPC", "").strip() == "1" or request.headers.get("DNT", "").strip() == "1"


def from_a_crawler() -> bool:
    return _crawlers.is_crawler(request.headers.get("User-Agent", "")[:1000])


@events.post("/events")
def record_event():
    recorder = current_app.extensions.get(RECORDER)
    if recorder is None or not_tracked() or from_a_crawler():
        return _accepted()
    try:
        beacon = orjson.loads(request.get_data(cache=False))
    except orjson.JSONDecodeError:
        raise BadRequest("the body must be a JSON object (an analytics beacon)") from None
    if not isinstance(beacon, dict):
        raise BadRequest("the body must be a JSON object (an analytics beacon)")
    loaded = _beacon_schema.load(beacon)  # a ValidationError is the one 400 shape (errors.py)
    try:
        recorder.record(loaded)
    except BeaconRefused as refused:
        raise ValidationError({refused.field: [str(refused)]}) from None
    return _accepted()


def _accepted() -> Response:
    response = Response(status=204)
    response.headers["Cache-Control"] = "no-store"
    return response
