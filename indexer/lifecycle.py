"""Index lifecycle: build a new index beside the live one, then swap the read alias atomically.

Searches never see an empty or half-built index: the alias moves in one ``_aliases`` call, and only
to an index that passed the checks in ``check_new_index``. A failed run deletes its new index and
leaves the live one as it was. The previous live index is kept (alias ``<prefix>-sites-previous``)
so ``index --rollback`` can swap back; older ones are deleted.
"""
from __future__ import annotations

import secrets
from datetime import datetime, timezone
from typing import Iterable

from elasticsearch import Elasticsearch, NotFoundError

from indexer import allocation, bulk
from indexer.bulk import BulkOutcome
from indexer.report import Summary
from locator.core.errors import UserFacingError

from locator.core.mapping import (
    CREATE_SETTINGS,
    LIVE_SETTINGS,
    SITE_MAPPING,
    previous_alias,
    sites_alias,
    sites_index_pattern,
)


class IndexRunError(UserFacingError):
    """The run cannot go live; the message says why. The live index is untouched.

    ``summary`` holds the run's counts once the pipeline knows them (``with_summary``).
    """

    def __init__(self, message: str, summary: Summary | None = None):
        super().__init__(message)
        self.summary = summary

    def with_summary(self, summary: Summary) -> IndexRunError:
        return IndexRunError(str(self), summary)


def new_index_name(prefix: str, now: datetime | None = None) -> str:
    now = now or datetime.now(timezone.utc)
    return f"{prefix}-sites-{now:%Y%m%d%H%M%S}-{secrets.token_hex(3)}"


def create_index(es: Elasticsearch, name: str, meta: dict, shards: int = 1, timeout_s: float = 60) -> None:
    """Create the index and wait until its primaries are placed (or fail naming why they cannot be)."""
    es.indices.create(index=name, settings={**CREATE_SETTINGS, "number_of_shards": shards},
                      mappings={**SITE_MAPPING, "_meta": meta}, wait_for_active_shards="0")
    _wait_for(es, name, "yellow", timeout_s)


def _wait_for(es: Elasticsearch, index: str, status: str, timeout_s: float) -> None:
    try:
        allocation.wait_for(es, index, status, timeout_s)
    except allocation.AllocationError as exc:
        raise IndexRunError(f"{exc}; the live index was kept") from None


def bulk_load(es: Elasticsearch, index: str, documents: Iterable[dict], *, chunk_size: int = 1000,
              threads: int = 2, keep_failures: int = 1000, max_failures: int | None = None) -> BulkOutcome:
    """Send every document; refusals are retried when passing (``indexer.bulk``), else counted per document."""
    return bulk.load(es, index, documents, chunk_size=chunk_size, threads=threads, keep_failures=keep_failures,
                     max_failures=max_failures)


def make_live_ready(es: Elasticsearch, index: str, timeout_s: float = 60, replicas: str = "0-1") -> int:
    """Restore the usual settings (``replicas``: auto_expand_replicas), wait until every copy is
    placed (green), refresh, and return the number of searchable documents."""
    es.indices.put_settings(index=index, settings={**LIVE_SETTINGS, "auto_expand_replicas": replicas})
    _wait_for(es, index, "green", timeout_s)
    es.indices.refresh(index=index)
    return es.count(index=index)["count"]


def live_index(es: Elasticsearch, prefix: str) -> str | None:
    return _alias_target(es, sites_alias(prefix))


def _alias_target(es: Elasticsearch, alias: str) -> str | None:
    try:
        targets = list(es.indices.get_alias(name=alias))
    except NotFoundError:
        return None
    return targets[0] if targets else None


def check_new_index(*, count: int, expected: int, live_count: int | None, min_ratio: float, force: bool) -> None:
    """The gate before the swap: raise IndexRunError when the new index must not go live."""
    if count == 0:
        raise IndexRunError("the new index is empty: no site is listed, so the live index was kept")
    if count != expected:
        raise IndexRunError(f"the new index holds {count} documents but {expected} were accepted by Elasticsearch")
    if live_count and not force and count < min_ratio * live_count:
        raise IndexRunError(
            f"the new index would list {count} sites, fewer than {min_ratio:.0%} of the {live_count} live ones: "
            "if this shrink is intended, run again with --force (or a lower --min-ratio)")


def swap_alias(es: Elasticsearch, prefix: str, new_index: str) -> str | None:
    """Point the read alias at ``new_index`` in one atomic call; the old live index becomes 'previous'."""
    alias, previous = sites_alias(prefix), previous_alias(prefix)
    old_live, old_previous = live_index(es, prefix), _alias_target(es, previous)
    actions = [{"add": {"index": new_index, "alias": alias}}]
    if old_live:
        actions += [{"remove": {"index": old_live, "alias": alias}}, {"add": {"index": old_live, "alias": previous}}]
    if old_previous and old_previous != old_live:
        actions.append({"remove": {"index": old_previous, "alias": previous}})
    es.indices.update_aliases(actions=actions)
    delete_unaliased(es, prefix, keep={new_index, old_live})
    return old_live


def rollback(es: Elasticsearch, prefix: str) -> tuple[str, str]:
    """Swap the live and previous indices back, atomically; return (now live, now previous)."""
    alias, previous = sites_alias(prefix), previous_alias(prefix)
    live, before = live_index(es, prefix), _alias_target(es, previous)
    if before is None:
        raise IndexRunError("nothing to roll back to: there is no previous index (only one run went live so far)")
    actions = [{"remove": {"index": before, "alias": previous}}, {"add": {"index": before, "alias": alias}}]
    if live:
        actions += [{"remove": {"index": live, "alias": alias}}, {"add": {"index": live, "alias": previous}}]
    es.indices.update_aliases(actions=actions)
    return before, live


def delete_unaliased(es: Elasticsearch, prefix: str, keep: set[str | None]) -> list[str]:
    """Delete the project's site indices that are neither live nor previous (older runs, crashed runs)."""
    names = [name for name in es.indices.get(index=sites_index_pattern(prefix), expand_wildcards="open,closed")
             if name not in keep]
    if names:
        es.indices.delete(index=",".join(names))
    return names


def delete_index(es: Elasticsearch, name: str) -> None:
    es.indices.delete(index=name, ignore_unavailable=True)
