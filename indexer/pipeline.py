"""One indexing run: export in, listed sites out, live only when every check passes.

Pass 1 streams the export once: validate, de-duplicate, locate, fold each record into its
(partner, country) group, and spill the record's *public* document to a temporary file. Memory
grows with the number of groups, not of records. Between the passes every group gets its tier.
Pass 2 streams the spill file and bulk-loads the sites of listed groups into a new index, which
goes live by an atomic alias swap (``indexer.lifecycle``).
"""
from __future__ import annotations

import logging
import tempfile
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path
from typing import IO, Iterable, Iterator

import orjson
from elasticsearch import Elasticsearch

from indexer import lifecycle
from indexer.documents import listed_document, public_document
from indexer.geocode import GeocodeError
from indexer.lifecycle import IndexRunError
from indexer.lock import IndexerLock
from indexer.program import ProgramConfig
from indexer.records import DuplicateSiteIds, Rejection, parse_line
from indexer.report import Progress, RejectionReport, Summary, reason_kind
from indexer.sitelocator import SiteLocator
from indexer.tiers import Groups, is_listed

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


@dataclass(frozen=True)
class RunResult:
    summary: Summary
    index: str
    previous: str | None


class _FirstPass:
    """Validate, locate and group every record; spill public documents of the valid ones."""

    def __init__(self, locator: SiteLocator, options: IndexOptions, summary: Summary, report: RejectionReport):
        self.locator, self.options, self.summary, self.report = locator, options, summary, report
        self.groups = Groups()
        self.spill: IO[bytes] = tempfile.TemporaryFile(prefix="partner-locator-spill-")

    def run(self, lines: Iterable[tuple[int, str | None]]) -> None:
        progress = Progress("validating")
        with DuplicateSiteIds() as seen:
            for number, text in lines:
                if text is None:
                    self.summary.read += 1
                    self._reject([Rejection(number, None, "-", "not valid UTF-8")])
                    continue
                parsed = parse_line(number, text)
                if parsed is None:
                    continue
                self.summary.read += 1
                progress.advance()
                self.summary.ignored_fields.update(parsed.ignored_fields)
                if parsed.record is None:
                    self._reject(parsed.rejections)
                    continue
                self._accept(number, parsed.record, seen)
        progress.close()
        self.spill.seek(0)

    def _accept(self, number: int, record: dict, seen: DuplicateSiteIds) -> None:
        site_id = record["site_id"]
        first = seen.check(site_id, number)
        if first is not None:
            self._reject([Rejection(number, site_id, "site_id", f"duplicate site_id, first seen on line {first}")])
            return
        try:
            located = self.locator.locate(record)
        except GeocodeError as exc:
            self._reject([Rejection(number, site_id, "address", f"cannot be geocoded: {exc}")])
            return
        self.summary.valid += 1
        self.summary.geocoded += located.geocoded
        self.groups.add(record, self.options.as_of)
        document = public_document(record, (located.lat, located.lon), located.place_id)
        self.spill.write(orjson.dumps([number, document]) + b"\n")

    def _reject(self, rejections: list[Rejection]) -> None:
        self.summary.rejected += 1
        self.summary.rejected_by_reason.update({reason_kind(rejections[0])})
        self.report.write(rejections)


def _listed_documents(spill: IO[bytes], listed: dict, as_of: date) -> Iterator[dict]:
    indexed_at = datetime.now(timezone.utc).isoformat(timespec="seconds")
    for raw in spill:
        _, document = orjson.loads(raw)
        evaluation = listed.get((document["partner_id"], document["country"]))
        if evaluation is not None:
            yield listed_document(document, evaluation.tier, evaluation.cert_counts, as_of, indexed_at)


def _lines_of(spill: IO[bytes], site_ids: set[str]) -> dict[str, int]:
    spill.seek(0)
    found = {}
    for raw in spill:
        number, document = orjson.loads(raw)
        if document["site_id"] in site_ids:
            found[document["site_id"]] = number
    return found


def _check_error_rate(summary: Summary, options: IndexOptions) -> None:
    if summary.read == 0:
        raise IndexRunError("the export holds no records: the live index was kept")
    if summary.error_rate > options.max_error_rate:
        raise IndexRunError(
            f"{summary.rejected + summary.refused_by_elasticsearch} of {summary.read} records "
            f"({summary.error_rate:.1%}) were rejected or refused, above --max-error-rate {options.max_error_rate:.1%}: "
            "the live index was kept (see the report for each record)")


def run_index(es: Elasticsearch, prefix: str, lines: Iterable[tuple[int, str | None]], program: ProgramConfig,
              locator: SiteLocator, options: IndexOptions) -> RunResult:
    """Index an export; raise IndexRunError (live index untouched) when it must not go live."""
    summary, report = Summary(), RejectionReport(options.report)
    with IndexerLock(es, prefix, lease_s=options.lock_lease_s):
        first = _FirstPass(locator, options, summary, report)
        try:
            first.run(lines)
            _check_error_rate(summary, options)
            evaluations = first.groups.evaluate_all(program)
            summary.groups_per_tier.update(evaluation.tier for evaluation in evaluations.values())
            listed = {key: ev for key, ev in evaluations.items() if is_listed(ev.tier)}
            index, previous = _load_and_swap(es, prefix, first.spill, listed, summary, report, options)
        except IndexRunError as exc:
            exc.summary = summary  # the operator still wants the counts of a refused run
            raise
        finally:
            first.spill.close()
            report.close()
    return RunResult(summary, index, previous)


def _load_and_swap(es: Elasticsearch, prefix: str, spill: IO[bytes], listed: dict, summary: Summary,
                   report: RejectionReport, options: IndexOptions) -> tuple[str, str | None]:
    index = lifecycle.new_index_name(prefix)
    meta = {"as_of": options.as_of.isoformat(), "indexed_at": datetime.now(timezone.utc).isoformat(timespec="seconds")}
    lifecycle.create_index(es, index, meta)
    try:
        outcome = lifecycle.bulk_load(es, index, _listed_documents(spill, listed, options.as_of),
                                      chunk_size=options.bulk_chunk_size, threads=options.bulk_threads)
        summary.refused_by_elasticsearch = outcome.failed
        if outcome.failures:
            lines = _lines_of(spill, {site_id for site_id, _ in outcome.failures})
            for site_id, reason in outcome.failures:
                report.write([Rejection(lines.get(site_id, 0), site_id, "-", reason)])
        _check_error_rate(summary, options)
        count = lifecycle.make_live_ready(es, index)
        live = lifecycle.live_index(es, prefix)
        live_count = es.count(index=live)["count"] if live else None
        lifecycle.check_new_index(count=count, expected=outcome.indexed, live_count=live_count,
                                  min_ratio=options.min_ratio, force=options.force)
        summary.listed = count
        return index, lifecycle.swap_alias(es, prefix, index)
    except BaseException:
        lifecycle.delete_index(es, index)
        raise
