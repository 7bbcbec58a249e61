"""The events' monthly indices: ``<prefix>-events-YYYY.MM``, strict mapping, written with
``op_type=create`` only.

The writer (the ``events`` user: ``create_doc``, ``create_index`` and ``view_index_metadata`` on its
pattern, nothing else: it cannot read, change or delete an event) creates a month's index with its
mapping itself the first time it writes to it, rather than an admin installing an index template
once: nothing to set up on a new cluster or after a new prefix, no ``manage_index_templates``
cluster privilege for anyone, and the minimal distribution and any ES 8/9 cluster behave the same.
Every write names an index the writer saw exist within the last ``RECHECK_S`` (a month's index
deleted by hand is made again, with its mapping, within that), so an automatic creation with a
dynamic mapping does not happen. Ids are derived from (token, nonce, type, site): a write sent
again (a retry, the same beacon twice) is refused as a duplicate, never stored twice.
"""
from __future__ import annotations

import logging
import re
import time
from datetime import date
from typing import Iterator

from elasticsearch import BadRequestError, Elasticsearch

from locator.core.events import EVENTS_MAPPING, events_pattern

log = logging.getLogger("partner_locator.events")
# One shard per month (a month of a busy locator is a few million small documents); a replica once
# a second node exists, like the listing.
MONTH_SETTINGS = {"number_of_shards": 1, "auto_expand_replicas": "0-1"}
_MONTH = re.compile(r"-events-(\d{4})\.(\d{2})$")
RECHECK_S = 60.0


class EventStore:
    def __init__(self, es: Elasticsearch, clock=time.monotonic):
        self._es, self._clock = es, clock
        self._seen: dict[str, float] = {}  # month index -> when this process last knew it exists

    def write(self, batch: list[tuple[str, str, dict]]) -> int:
        """Bulk-create (index, id, document) events; how many are stored now (new, or already there:
        a duplicate). Raises on a refused or failed request: the caller drops the batch."""
        now = self._clock()
        for index in sorted({index for index, _, _ in batch}):
            if now - self._seen.get(index, -RECHECK_S) >= RECHECK_S:
                self._ensure(index)
                self._seen[index] = now
        operations: list[dict] = []
        for index, event_id, document in batch:
            operations += [{"create": {"_index": index, "_id": event_id}}, document]
        answer = self._es.bulk(operations=operations, filter_path="items.*.status,items.*.error.type")
        stored, refused = 0, {}
        for item in answer.get("items", ()):
            status = item["create"]["status"]
            if status in (201, 409):  # 409: that very event is already there
                stored += 1
            else:
                kind = item["create"].get("error", {}).get("type", str(status))
                refused[kind] = refused.get(kind, 0) + 1
        if refused:
            log.warning("Elasticsearch refused %d analytics events (dropped): %s", sum(refused.values()),
                        ", ".join(f"{count} x {kind}" for kind, count in sorted(refused.items())))
        return stored

    def _ensure(self, index: str) -> None:
        if self._es.indices.exists(index=index):
            return
        try:
            self._es.indices.create(index=index, mappings=EVENTS_MAPPING, settings=MONTH_SETTINGS)
        except BadRequestError as exc:
            if exc.error != "resource_already_exists_exception":  # another worker made it first
                raise


def month_of(index: str) -> date | None:
    """``<prefix>-events-2026.12`` -> 2026-12-01; None for a name that is not a month's index."""
    match = _MONTH.search(index)
    if not match or not 1 <= int(match.group(2)) <= 12:
        return None
    return date(int(match.group(1)), int(match.group(2)), 1)


def expired_months(names: list[str], today: date, retention_months: int) -> list[str]:
    """The months' indices wholly older than the last ``retention_months`` months (this one counts)."""
    first_kept = today.year * 12 + today.month - 1 - (retention_months - 1)
    return sorted(name for name in names
                  if (month := month_of(name)) is not None and month.year * 12 + month.month - 1 < first_kept)


def prune(es: Elasticsearch, prefix: str, today: date, retention_months: int) -> list[str]:
    """Delete whole expired months (as the indexer: the events user may not delete); the names deleted."""
    # Only this prefix's own months ("<prefix>-events-*" also matches another prefix's "<prefix>-events-x-...").
    own = re.compile(rf"^{re.escape(prefix)}-events-\d{{4}}\.\d{{2}}$")
    names = [name for name in es.indices.get(index=events_pattern(prefix), expand_wildcards="open,closed")
             if own.match(name)]
    expired = expired_months(names, today, retention_months)
    for name in expired:
        es.indices.delete(index=name, ignore_unavailable=True)
    if expired:
        log.info("analytics: deleted %d expired month(s) of events: %s", len(expired), ", ".join(expired))
    return expired


def event_buckets(es: Elasticsearch, prefix: str, query: dict, sources: list[dict], aggs: dict | None = None,
                  page: int = 5000) -> Iterator[dict]:
    """Every bucket of a composite aggregation (``sources``, with ``aggs`` under each) over the events
    of ``query``, page by page: however many sites or places there are, never a terms size to guess.
    No month of events yet is no bucket."""
    after = None
    while True:
        composite = {"size": page, "sources": sources, **({"after": after} if after else {})}
        answer = es.search(index=events_pattern(prefix), size=0, query=query, track_total_hits=False,
                           ignore_unavailable=True, allow_no_indices=True,
                           aggs={"buckets": {"composite": composite, **({"aggs": aggs} if aggs else {})}})
        found = (answer.get("aggregations") or {}).get("buckets") or {"buckets": []}
        yield from found["buckets"]
        after = found.get("after_key")
        if not after or len(found["buckets"]) < page:
            return
