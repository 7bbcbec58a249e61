"""One indexing run: export in, listed sites out, live only when every check passes.

Pass 1 (``indexer.firstpass``) streams the export once: validate, de-duplicate, locate, spill the
record's *public* document to a temporary file and its program fields to an on-disk group table.
Between the passes every (partner, country) group is evaluated, one at a time in each shard of
partners, the shards in pass 1's worker processes (``indexer.evaluation``); only the listed
groups' tiers stay in memory, and each group's eligibility document (``indexer.eligibility``) goes
to a spill file. Pass 2 streams the spill and bulk-loads the sites of listed groups into a new
index, then the eligibility documents into another; both go live together by one atomic alias
swap (``indexer.lifecycle``).
"""
from __future__ import annotations

import gc
import logging
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Callable, Iterable, Iterator

from elasticsearch import Elasticsearch

from indexer import lifecycle, warming
from indexer.documents import listed_source, listed_suffix
from indexer.eligibility import spilled_documents
from indexer.evaluation import Evaluated, Shard, evaluate_shard
from indexer.firstpass import FirstPass
from indexer.lifecycle import IndexRunError
from indexer.lock import IndexerLock
from indexer.program import ProgramConfig
from indexer.records import Rejection
from indexer.report import RejectionReport, Summary, report_entry
from indexer.sitelocator import SiteLocator
from locator.core.contract import CERT_TYPES
from locator.core.mapping import ELIGIBILITY, FAMILIES, SITES
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
    workers: int = 1  # validating processes; >1 needs a picklable make_locator
    primary_shards: int = 1
    auto_expand_replicas: str = "0-1"


@dataclass(frozen=True)
class RunResult:
    summary: Summary
    index: str
    previous: str | None


@dataclass(frozen=True)
class _Run:
    as_of: date
    indexed_at: str  # one instant for every document and index of the run


def _evaluate_groups(first: FirstPass, program: ProgramConfig, run: _Run, summary: Summary) -> tuple[Evaluated, dict]:
    """Every group evaluated, in as many shards as pass 1 had workers, in those workers; then the
    listed groups (see ``Evaluated.read_listed``), read once the workers are gone."""
    count = max(first.workers, 1)
    shards = [Shard(number, count, first.spill_dir, frozenset(first.dropped_lines), run.as_of, run.indexed_at, program)
              for number in range(count)]
    evaluated = Evaluated()
    for result in first.in_workers(evaluate_shard, shards):
        evaluated.add(result)
    first.stop_workers()
    summary.groups_per_tier.update(evaluated.groups_per_tier)
    listed = evaluated.read_listed()
    # Everything alive now lives to the end of the run: keep full collections from walking it.
    gc.freeze()
    return evaluated, listed


def _listed_documents(first: FirstPass, listed: dict, run: _Run) -> Iterator[tuple[str, bytes]]:
    """(site id, the document's JSON) of every site of a listed group."""
    suffixes = {}  # one per (tier, counts) met: far fewer than groups
    for spilled in first.spilled():
        group = listed.get(spilled.group)
        if group is not None:
            suffix = suffixes.get(group)
            if suffix is None:
                tier, *counts = group
                suffix = suffixes[group] = listed_suffix(tier, dict(zip(CERT_TYPES, counts)), run.as_of, run.indexed_at)
            yield spilled.site_id, listed_source(spilled.source, suffix)


def _lines_of(first: FirstPass, site_ids: set[str]) -> dict[str, int]:
    return {spilled.site_id: spilled.line for spilled in first.spilled() if spilled.site_id in site_ids}


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
    """Index an export; raise IndexRunError (live indices untouched) when it must not go live.

    ``make_locator`` builds a SiteLocator in each validating process (picklable when workers > 1).
    """
    summary, report = Summary(), RejectionReport(options.report)
    run = _Run(options.as_of, datetime.now(timezone.utc).isoformat(timespec="seconds"))
    with IndexerLock(es, prefix, lease_s=options.lock_lease_s):
        first = FirstPass(make_locator, options.as_of, summary, report, workers=options.workers)
        try:
            first.run(lines)
            _check_error_rate(summary, options)
            evaluated, listed = _evaluate_groups(first, program, run, summary)
            index, previous = _load_and_swap(es, prefix, first, evaluated, listed, run, summary, report, options)
        except IndexRunError as exc:
            raise exc.with_summary(summary) from exc.__cause__  # the operator still wants the counts
        finally:
            gc.unfreeze()
            first.close()
            report.close()
    return RunResult(summary, index, previous)


def _load_and_swap(es: Elasticsearch, prefix: str, first: FirstPass, evaluated: Evaluated, listed: dict, run: _Run,
                   summary: Summary, report: RejectionReport, options: IndexOptions) -> tuple[str, str | None]:
    meta = {"as_of": run.as_of.isoformat(), "indexed_at": run.indexed_at}
    new = {}
    try:
        for family in FAMILIES:  # registered before creation: a failure below deletes whatever exists
            new[family] = lifecycle.new_index_name(prefix, family=family)
            lifecycle.create_index(es, new[family], meta, family, options.primary_shards)  # placed, or deleted below
        refused = _load_sites(es, new[SITES], first, listed, run, summary, report, options)
        count = lifecycle.make_live_ready(es, new[SITES], replicas=options.auto_expand_replicas)
        live = lifecycle.live_index(es, prefix)
        live_count = es.count(index=live)["count"] if live else None
        lifecycle.check_new_index(count=count, expected=summary.listed, live_count=live_count,
                                  min_ratio=options.min_ratio, force=options.force)
        _load_eligibility(es, new[ELIGIBILITY], evaluated, refused, summary, options)
        warming.warm(es, new[SITES])  # customers never meet a cold index
        return new[SITES], lifecycle.swap_aliases(es, prefix, new)
    except BaseException:
        for index in new.values():
            lifecycle.delete_index(es, index)
        raise


def _load_sites(es: Elasticsearch, index: str, first: FirstPass, listed: dict, run: _Run, summary: Summary,
                report: RejectionReport, options: IndexOptions) -> dict[str, dict]:
    """Bulk-load the listed sites; return the report entry of each site Elasticsearch refused, by site id."""
    may_lose = int(options.max_error_rate * summary.read) - summary.rejected
    outcome = lifecycle.bulk_load(es, index, _listed_documents(first, listed, run), chunk_size=options.bulk_chunk_size,
                                  threads=options.bulk_threads, max_failures=may_lose)
    summary.refused_by_elasticsearch, summary.listed = outcome.failed, outcome.indexed
    refused = {}
    if outcome.failures:
        lines = _lines_of(first, {site_id for site_id, _ in outcome.failures})
        for site_id, reason in outcome.failures:
            refused[site_id] = report_entry([Rejection(lines.get(site_id, 0), site_id, WHOLE, reason)])
            report.write_entry(refused[site_id])
    if outcome.stopped:  # not every document was sent: never live, whatever the counts say
        raise IndexRunError(f"{outcome.stopped}; the live index was kept")
    _check_error_rate(summary, options, outcome.common_reason())
    return refused


def _load_eligibility(es: Elasticsearch, index: str, evaluated: Evaluated, refused: dict[str, dict],
                      summary: Summary, options: IndexOptions) -> None:
    """Bulk-load every eligibility document; all of them must go in, or the run does not go live."""
    outcome = lifecycle.bulk_load(es, index, spilled_documents(evaluated.documents, refused),
                                  chunk_size=options.bulk_chunk_size, threads=options.bulk_threads)
    count = lifecycle.make_live_ready(es, index, replicas=options.auto_expand_replicas)
    expected = evaluated.document_count
    if outcome.stopped or outcome.failed or count != expected:
        first = f": {outcome.failures[0][1]}" if outcome.failures else ""
        raise IndexRunError(f"the eligibility index holds {count} of {expected} documents{first}; "
                            "the live indices were kept")
    summary.eligibility_documents = count

