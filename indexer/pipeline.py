"""One indexing run: export in, listed sites out, live only when every check passes.

Pass 1 (``indexer.firstpass``) streams the export once: validate, de-duplicate, locate, spill the
record's *public* document to a temporary file and its program fields to an on-disk group table.
Between the passes every (partner, country) group is evaluated one at a time
(``indexer.grouping``); only the listed groups' tiers stay in memory. Pass 2 streams the spill and
bulk-loads the sites of listed groups into a new index, which goes live by an atomic alias swap
(``indexer.lifecycle``).
"""
from __future__ import annotations

import gc
import logging
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Callable, Iterable, Iterator

from elasticsearch import Elasticsearch

from indexer import lifecycle
from indexer.documents import listed_document
from indexer.firstpass import FirstPass
from indexer.lifecycle import IndexRunError
from indexer.lock import IndexerLock
from indexer.program import ProgramConfig
from indexer.records import Rejection
from indexer.report import RejectionReport, Summary
from indexer.sitelocator import SiteLocator
from indexer.tiers import is_listed
from locator.core.contract import CERT_TYPES
from locator.core.validation import WHOLE

log = logging.getLogger("partner_locator.indexer")


@dataclass(frozen=True)
class IndexOptions:
    as_of: date
    max_error_rate: float = 0.05
    min_ratio: float = 0.9
    force: bool = False
    report: Path | None = None
    bulk_chunk_size: int = 1000
    bulk_threads: int = 2
    lock_lease_s: float = 90.0
    primary_shards: int = 1
    auto_expand_replicas: str = "0-1"
    workers: int = 1  # validating processes; >1 needs a picklable make_locator


@dataclass(frozen=True)
class RunResult:
    summary: Summary
    index: str
    previous: str | None


def _listed_groups(first: FirstPass, program: ProgramConfig, as_of: date, summary: Summary) -> dict:
    """(partner, country) -> (tier, count per CERT_TYPES) of the listed groups only: the rest is counted.

    Values are flat tuples of a str and small ints: a few hundred thousand of them stay small, and
    the garbage collector does not track them.
    """
    listed = {}
    for key, evaluation in first.groups.evaluate(as_of, program):
        summary.groups_per_tier[evaluation.tier] += 1
        if is_listed(evaluation.tier):
            listed[key] = (evaluation.tier, *(evaluation.cert_counts[cert] for cert in CERT_TYPES))
    # Everything alive now lives to the end of the run: keep full collections from walking it.
    gc.freeze()
    return listed


def _listed_documents(first: FirstPass, listed: dict, as_of: date) -> Iterator[dict]:
    indexed_at = datetime.now(timezone.utc).isoformat(timespec="seconds")
    for _, document in first.spilled():
        group = listed.get((document["partner_id"], document["country"]))
        if group is not None:
            tier, *counts = group
            yield listed_document(document, tier, dict(zip(CERT_TYPES, counts)), as_of, indexed_at)


def _lines_of(first: FirstPass, site_ids: set[str]) -> dict[str, int]:
    return {document["site_id"]: number for number, document in first.spilled() if document["site_id"] in site_ids}


def _check_error_rate(summary: Summary, options: IndexOptions, refusal: str | None = None) -> None:
    if summary.read == 0:
        raise IndexRunError("the export holds no records: the live index was kept")
    if summary.error_rate > options.max_error_rate:
        cause = f"; Elasticsearch's most common refusal: {refusal}" if refusal else ""
        raise IndexRunError(
            f"{summary.rejected + summary.refused_by_elasticsearch} of {summary.read} records "
            f"({summary.error_rate:.1%}) were rejected or refused, above --max-error-rate {options.max_error_rate:.1%}: "
            f"the live index was kept (see the report for each record){cause}")


def run_index(es: Elasticsearch, prefix: str, lines: Iterable[tuple[int, str | None]], program: ProgramConfig,
              make_locator: Callable[[], SiteLocator], options: IndexOptions) -> RunResult:
    """Index an export; raise IndexRunError (live index untouched) when it must not go live.

    ``make_locator`` builds a SiteLocator in each validating process (picklable when workers > 1).
    """
    summary, report = Summary(), RejectionReport(options.report)
    with IndexerLock(es, prefix, lease_s=options.lock_lease_s):
        first = FirstPass(make_locator, options.as_of, summary, report, workers=options.workers)
        try:
            first.run(lines)
            _check_error_rate(summary, options)
            listed = _listed_groups(first, program, options.as_of, summary)
            index, previous = _load_and_swap(es, prefix, first, listed, summary, report, options)
        except IndexRunError as exc:
            raise exc.with_summary(summary) from exc.__cause__  # the operator still wants the counts
        finally:
            gc.unfreeze()
            first.close()
            report.close()
    return RunResult(summary, index, previous)


def _load_and_swap(es: Elasticsearch, prefix: str, first: FirstPass, listed: dict, summary: Summary,
                   report: RejectionReport, options: IndexOptions) -> tuple[str, str | None]:
    index = lifecycle.new_index_name(prefix)
    meta = {"as_of": options.as_of.isoformat(), "indexed_at": datetime.now(timezone.utc).isoformat(timespec="seconds")}
    try:
        lifecycle.create_index(es, index, meta, options.primary_shards)  # placed, or deleted below
        may_lose = int(options.max_error_rate * summary.read) - summary.rejected
        outcome = lifecycle.bulk_load(es, index, _listed_documents(first, listed, options.as_of),
                                      chunk_size=options.bulk_chunk_size, threads=options.bulk_threads,
                                      max_failures=may_lose)
        summary.refused_by_elasticsearch = outcome.failed
        if outcome.failures:
            lines = _lines_of(first, {site_id for site_id, _ in outcome.failures})
            for site_id, reason in outcome.failures:
                report.write([Rejection(lines.get(site_id, 0), site_id, WHOLE, reason)])
        if outcome.stopped:  # not every document was sent: never live, whatever the counts say
            raise IndexRunError(f"{outcome.stopped}; the live index was kept")
        _check_error_rate(summary, options, outcome.common_reason())
        count = lifecycle.make_live_ready(es, index, replicas=options.auto_expand_replicas)
        live = lifecycle.live_index(es, prefix)
        live_count = es.count(index=live)["count"] if live else None
        lifecycle.check_new_index(count=count, expected=outcome.indexed, live_count=live_count,
                                  min_ratio=options.min_ratio, force=options.force)
        summary.listed = count
        return index, lifecycle.swap_alias(es, prefix, index)
    except BaseException:
        lifecycle.delete_index(es, index)
        raise
