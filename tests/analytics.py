"""Shared by the analytics tests: a fixed clock, the token secret, an app that records events with
its own per-test prefix, and reading back what was stored (as the indexer: it may read anything)."""
from __future__ import annotations

import secrets

from locator.api import create_app
from locator.api.events_view import RECORDER
from locator.core.events import events_pattern

SECRET = "t" * 40
NOW = 1_780_000_200.0  # 2026-05-28 20:30 UTC, a multiple of ten minutes
BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36"


class Clock:
    def __init__(self, now: float):
        self.now = now

    def __call__(self) -> float:
        return self.now


def analytics_app(sample_settings, reader_es, gazetteer, clock, events_es=None, **changes):
    """The API on the sample's listing with a token secret: events go to the sample prefix's months."""
    settings = sample_settings.replace("analytics", token_secret=SECRET, **changes)
    return create_app(settings, es=reader_es, gazetteer=gazetteer, clock=clock, events_es=events_es)


def forget_events(indexer_es, prefix: str) -> None:
    """No month of events under ``prefix`` (each test counts its own)."""
    names = list(indexer_es.indices.get(index=events_pattern(prefix), allow_no_indices=True, ignore_unavailable=True))
    if names:
        indexer_es.indices.delete(index=",".join(names))


def nonce() -> str:
    return secrets.token_urlsafe(16)


def flush(app) -> None:
    """What the writer thread does every flush interval, now."""
    app.extensions[RECORDER]._buffer.flush()


def stored_events(indexer_es, prefix: str) -> list[dict]:
    indexer_es.indices.refresh(index=events_pattern(prefix), allow_no_indices=True, ignore_unavailable=True)
    answer = indexer_es.search(index=events_pattern(prefix), size=1000, allow_no_indices=True,
                               ignore_unavailable=True, query={"match_all": {}})
    return [hit["_source"] for hit in answer["hits"]["hits"]]
