"""Index lifecycle: build new indices beside the live ones, then swap their read aliases atomically.

A run builds two indices (``locator.core.mapping.FAMILIES``): the listed sites and the
eligibility documents. Searches never see an empty or half-built index: both aliases move in one
``_aliases`` call, and only to indices that passed the checks in ``check_new_index``. A failed run
deletes its new indices and leaves the live ones as they were. The previous live indices are kept
(aliases ``<prefix>-sites-previous``, ``<prefix>-eligibility-previous``) so ``index --rollback``
can swap both back; older ones are deleted. A previous run that wrote no eligibility index (an
older version) rolls back to sites without one: the eligibility alias then points nowhere.
"""
from __future__ import annotations

import secrets
from datetime import datetime, timezone
from typing import Iterable

from elasticsearch import BadRequestError, Elasticsearch, NotFoundError

from indexer import allocation, bulk
from indexer.bulk import BulkOutcome
from indexer.report import Summary
from locator.core.errors import UserFacingError
from locator.core.mapping import CREATE_SETTINGS, FAMILIES, LIVE_SETTINGS, SITES, Family


INDICES_PER_DELETE = 20  # index names of ~60 characters: well inside a request line's 4,096 bytes


class IndexRunError(UserFacingError):
    """The run cannot go live; the message says why. The live index is untouched.

    ``summary`` holds the run's counts once the pipeline knows them (``with_summary``).
    """

    def __init__(self, message: str, summary: Summary | None = None):
        super().__init__(message)
        self.summary = summary

    def with_summary(self, summary: Summary) -> IndexRunError:
        return IndexRunError(str(self), summary)


def new_index_name(prefix: str, now: datetime | None = None, family: Family = SITES) -> str:
    now = now or datetime.now(timezone.utc)
    return f"{family.alias(prefix)}-{now:%Y%m%d%H%M%S}-{secrets.token_hex(3)}"


def create_index(es: Elasticsearch, name: str, meta: dict, family: Family = SITES, shards: int = 1,
                 timeout_s: float = 60) -> None:
    """Create the index and wait until its primaries are placed (or fail naming why they cannot be)."""
    try:
        es.indices.create(index=name, settings={**CREATE_SETTINGS, "number_of_shards": shards},
                          mappings={**family.mapping, "_meta": meta}, wait_for_active_shards="0")
    except BadRequestError as exc:
        if not _made_by_this_run(es, exc, name, meta):
            raise
    _wait_for(es, name, "yellow", timeout_s)


def _made_by_this_run(es: Elasticsearch, refused: BadRequestError, name: str, meta: dict) -> bool:
    """A create that reached the cluster but whose answer was lost (the node that took it, or the
    master, gone mid-request) is sent again, by the client or by Elasticsearch itself on the new
    master, and then finds the index it made. The name is this run's own (time and random), and
    the ``_meta`` it was made with tells it apart from anyone else's."""
    if refused.error != "resource_already_exists_exception":
        return False
    return es.indices.get_mapping(index=name)[name]["mappings"].get("_meta") == meta


def _wait_for(es: Elasticsearch, index: str, status: str, timeout_s: float) -> None:
    try:
        allocation.wait_for(es, index, status, timeout_s)
    except allocation.AllocationError as exc:
        raise IndexRunError(f"{exc}; the live index was kept") from None


def bulk_load(es: Elasticsearch, index: str, sources: Iterable[tuple[str, dict | bytes]], *, chunk_size: int = 1000,
              threads: int = 2, keep_failures: int = 1000, max_failures: int | None = None) -> BulkOutcome:
    """Send every (document id, source) as a "create"; the source is a dict, or its JSON already
    serialized (sent as it is, never parsed here). Refusals are retried when passing
    (``indexer.bulk``), else counted per document."""
    return bulk.load(es, index, sources, chunk_size=chunk_size, threads=threads, keep_failures=keep_failures,
                     max_failures=max_failures)


def make_live_ready(es: Elasticsearch, index: str, timeout_s: float = 60, replicas: str = "0-1") -> int:
    """Restore the usual settings (``replicas``: auto_expand_replicas), wait until every copy is
    placed (green), refresh, and return the number of searchable documents."""
    es.indices.put_settings(index=index, settings={**LIVE_SETTINGS, "auto_expand_replicas": replicas})
    _wait_for(es, index, "green", timeout_s)
    es.indices.refresh(index=index)
    return es.count(index=index)["count"]


def live_index(es: Elasticsearch, prefix: str, family: Family = SITES) -> str | None:
    return _alias_target(es, family.alias(prefix))


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


def swap_aliases(es: Elasticsearch, prefix: str, new: dict[Family, str]) -> str | None:
    """Point each family's read alias at its new index, all in one atomic call; the old live
    indices become 'previous'. Returns the old live sites index."""
    actions, old_live = [], {}
    for family, index in new.items():
        old_live[family], old_previous = live_index(es, prefix, family), _alias_target(es, family.previous(prefix))
        actions.append({"add": {"index": index, "alias": family.alias(prefix)}})
        if old_live[family]:
            actions += _demote(family, prefix, old_live[family])
        if old_previous and old_previous != old_live[family]:
            actions.append({"remove": {"index": old_previous, "alias": family.previous(prefix)}})
    es.indices.update_aliases(actions=actions)
    delete_unaliased(es, prefix, keep={*new.values(), *old_live.values()})
    return old_live.get(SITES)


def _demote(family: Family, prefix: str, index: str) -> list[dict]:
    return [{"remove": {"index": index, "alias": family.alias(prefix)}},
            {"add": {"index": index, "alias": family.previous(prefix)}}]


def _promote(family: Family, prefix: str, index: str) -> list[dict]:
    return [{"remove": {"index": index, "alias": family.previous(prefix)}},
            {"add": {"index": index, "alias": family.alias(prefix)}}]


def rollback(es: Elasticsearch, prefix: str) -> tuple[str, str]:
    """Swap the live and previous indices of every family back, in one atomic call; return the
    sites' (now live, now previous). A family with no previous index is left with none live."""
    targets = {family: (live_index(es, prefix, family), _alias_target(es, family.previous(prefix)))
               for family in FAMILIES}
    live, before = targets[SITES]
    if before is None:
        raise IndexRunError("nothing to roll back to: there is no previous index (only one run went live so far)")
    actions = []
    for family, (family_live, family_before) in targets.items():
        actions += _promote(family, prefix, family_before) if family_before else []
        actions += _demote(family, prefix, family_live) if family_live else []
    es.indices.update_aliases(actions=actions)
    return before, live


def delete_unaliased(es: Elasticsearch, prefix: str, keep: set[str | None]) -> list[str]:
    """Delete the project's run indices that are neither live nor previous (older runs, crashed runs)."""
    patterns = ",".join(family.pattern(prefix) for family in FAMILIES)
    names = sorted(name for name in es.indices.get(index=patterns, expand_wildcards="open,closed") if name not in keep)
    # A few at a time: the request line holds at most 4,096 bytes (many crashed runs leave many). A
    # delete sent again after its lost answer finds them gone: that is no failure.
    for start in range(0, len(names), INDICES_PER_DELETE):
        es.indices.delete(index=",".join(names[start:start + INDICES_PER_DELETE]), ignore_unavailable=True)
    return names


def delete_index(es: Elasticsearch, name: str) -> None:
    es.indices.delete(index=name, ignore_unavailable=True)
