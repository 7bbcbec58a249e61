"""The web app's side of the analytics events (issue 18; docs/privacy.md): a beacon checked against
its search token, then handed to the per-worker buffer (event_buffer.py) that the ``events`` user
writes in bulk (locator/analytics/store.py). Nothing here waits for Elasticsearch: the endpoint
answers as soon as the event is in the buffer, and a slow or absent cluster costs dropped events
(counted in /metrics), never a slow or failed request.
"""
from __future__ import annotations

import atexit
import logging
from datetime import datetime, timezone
from typing import Callable

from elasticsearch import Elasticsearch

from locator.analytics.store import EventStore
from locator.api.event_buffer import EventBuffer
from locator.core import search_tokens
from locator.core.events import BeaconRefused, check_beacon, event_document, event_id, events_index
from locator.core.settings import Settings

log = logging.getLogger("partner_locator.events")


class EventRecorder:
    def __init__(self, settings: Settings, buffer: EventBuffer, clock: Callable[[], float]):
        self._secret = settings.analytics.token_secret
        self._embedders = settings.pages.frame_ancestors
        self._prefix = settings.index_prefix
        self._buffer, self._clock = buffer, clock

    def record(self, beacon: dict) -> None:
        """Keep one event for a valid beacon (the schema already checked its shape); raise
        BeaconRefused naming the field otherwise (nothing is kept)."""
        now = self._clock()
        facts = search_tokens.read(self._secret, beacon["token"], now)
        if facts is None:
            raise BeaconRefused("token", "not a search token of this server, or older than an hour")
        check_beacon(beacon, facts, self._embedders)
        moment = datetime.fromtimestamp(now, timezone.utc)
        self._buffer.add(events_index(self._prefix, moment),
                         event_id(beacon["token"], beacon["nonce"], beacon["type"], beacon.get("site_id")),
                         event_document(facts, beacon, moment))

    def close(self) -> None:
        self._buffer.close()


def start_recorder(settings: Settings, events_es: Elasticsearch, clock: Callable[[], float],
                   on_written: Callable[[int], None], on_dropped: Callable[[int], None],
                   on_depth: Callable[[int], None]) -> EventRecorder:
    """The recorder and its writer thread; what waits is written once more when the process exits."""
    analytics = settings.analytics
    buffer = EventBuffer(EventStore(events_es).write, capacity=analytics.buffer_capacity, batch=analytics.batch_size,
                         interval_s=analytics.flush_interval_s, on_written=on_written, on_dropped=on_dropped,
                         on_depth=on_depth).start()
    recorder = EventRecorder(settings, buffer, clock)
    atexit.register(recorder.close)  # a worker's normal exit (gunicorn's included) runs atexit
    return recorder
