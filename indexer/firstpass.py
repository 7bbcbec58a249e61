"""Pass 1 of a run: validate, locate and group every record; spill the public documents.

Each record is independent, so worker processes check chunks of lines in parallel: validate
(``records.parse_line``: msgspec for clearly valid lines, marshmallow for the rest), locate, and
write what they find to files of their own: the record's public document with its search helpers
(``documents.searchable_document``) to a spill file, its program facts and public bits to a group
table (``indexer.grouping``). The parent keeps what must see every record in file order: the
duplicate site_id check, the counts, the report, and each rejected line that names a partner
(in a group file of its own). A duplicate's rows are left out when the groups are evaluated after
pass 1 (``indexer.evaluation``, in the same worker processes: ``FirstPass.in_workers``), and its
document at pass 2 (by line number), so "first seen on line N" stays exact. Person ids never
leave the worker that read them: the program facts carry their keyed hashes (one key per run,
handed to every worker), never the ids.
"""
from __future__ import annotations

import functools
import multiprocessing
import os
import tempfile
from dataclasses import dataclass
from datetime import date
from itertools import islice
from pathlib import Path
from typing import Callable, Iterable, Iterator, NamedTuple

from indexer.documents import document_json, public_document, searchable_document
from indexer.geocode import GeocodeError
from indexer.grouping import GroupSpill, SiteFacts
from indexer.duplicates import DuplicateSiteIds
from indexer.records import Owner, Rejection, parse_line
from indexer.report import Progress, RejectionReport, Summary, reason_kind, report_entry
from indexer.tiers import PersonKeys, program_facts
from locator.core.validation import WHOLE

CHUNK_LINES = 500


@dataclass(frozen=True)
class Accepted:
    line: int
    site_id: str
    group: tuple[str, str]  # (partner_id, country)
    geocoded: bool
    ignored: list[str]
    company: str = ""


@dataclass(frozen=True)
class Rejected:
    rejections: list[Rejection]
    ignored: list[str]
    owner: Owner | None = None  # whose preview shows the rejection, when the line names a partner


_worker: "_ChunkChecker | None" = None


class _ChunkChecker:
    """Checks chunks of lines; one per process (the locator keeps memoised lookups)."""

    def __init__(self, make_locator, spill_dir: Path, person_keys: PersonKeys):
        self.locator, self.person_keys = make_locator(), person_keys
        self.spill_path = spill_dir / f"spill-{os.getpid()}.jsonl"
        self.groups = GroupSpill.for_worker(spill_dir)

    def close(self) -> None:
        self.groups.close()

    def check(self, chunk: list[tuple[int, str | None]]) -> list[Accepted | Rejected]:
        outcomes = []
        with self.spill_path.open("ab") as spill:
            for number, text in chunk:
                outcome = self._check_line(number, text, spill)
                if outcome is not None:
                    outcomes.append(outcome)
        self.groups.commit()  # the chunk's rows are the parent's once it has the chunk's outcomes
        return outcomes

    def _check_line(self, number: int, text: str | None, spill) -> Accepted | Rejected | None:
        if text is None:
            return Rejected([Rejection(number, None, WHOLE, "not valid UTF-8")], [])
        parsed = parse_line(number, text)
        if parsed is None:
            return None
        if parsed.record is None:
            return Rejected(parsed.rejections, parsed.ignored_fields, parsed.owner)
        record = parsed.record
        group = (record["partner_id"], record["address"]["country"])
        try:
            located = self.locator.locate(record)
        except GeocodeError as exc:
            return Rejected([Rejection(number, record["site_id"], "address", f"cannot be geocoded: {exc}")],
                            parsed.ignored_fields, Owner(*group, record["company"]))
        document = searchable_document(public_document(record, (located.lat, located.lon), located.place_id))
        spill.write(_spill_line(number, record["site_id"], group, document))
        site = SiteFacts(record["site_id"], record.get("site_name"), record["address"]["city"], (located.lat, located.lon))
        self.groups.add(*group, program_facts(record["program"], self.person_keys), number, site, record["company"])
        return Accepted(number, record["site_id"], group, located.geocoded, parsed.ignored_fields, record["company"])


class Spilled(NamedTuple):
    """One accepted record's public document as pass 1 spilled it."""

    line: int
    site_id: str
    group: tuple[str, str]  # (partner_id, country)
    source: bytes  # the searchable document's JSON (``documents.document_json``: what the bulk sends, once listed)


# A spilled record is one line: its number, site id, partner id and country, tab-separated (ids and
# country codes hold no tab), then its document's JSON (which escapes every tab and newline in a string).
# Pass 2 finds the listed ones by the head alone, and sends their JSON without parsing it.
def _spill_line(number: int, site_id: str, group: tuple[str, str], document: dict) -> bytes:
    return f"{number}\t{site_id}\t{group[0]}\t{group[1]}\t".encode() + document_json(document) + b"\n"


def _read_spilled(raw: bytes) -> Spilled:
    number, site_id, partner, country, source = raw.rstrip(b"\n").split(b"\t", 4)
    return Spilled(int(number), site_id.decode(), (partner.decode(), country.decode()), source)


def _init_worker(make_locator, spill_dir: Path, person_keys: PersonKeys) -> None:
    global _worker
    _worker = _ChunkChecker(make_locator, spill_dir, person_keys)


def _check_in_worker(chunk: list[tuple[int, str | None]]) -> list[Accepted | Rejected]:
    return _worker.check(chunk)


def _release_worker() -> None:
    global _worker
    if _worker is not None:
        _worker.close()
        _worker = None


def _after_pass_one(function: Callable, task):
    _release_worker()  # what pass 1 held (the town memo, the group file) is free for the task
    return function(task)


def _chunks(lines: Iterable[tuple[int, str | None]]) -> Iterator[list[tuple[int, str | None]]]:
    iterator = iter(lines)
    while chunk := list(islice(iterator, CHUNK_LINES)):
        yield chunk


class FirstPass:
    """Run pass 1 with ``workers`` processes (1: in this process); then read the spill back."""

    def __init__(self, make_locator, as_of: date, summary: Summary, report: RejectionReport, workers: int = 1):
        self.make_locator, self.as_of, self.summary, self.report = make_locator, as_of, summary, report
        self.workers = workers
        self.person_keys = PersonKeys()  # one key for the run, the same in every worker
        self.dropped_lines: set[int] = set()
        self._spill_dir = tempfile.TemporaryDirectory(prefix="partner-locator-spill-")
        self.spill_dir = Path(self._spill_dir.name)
        self.groups = GroupSpill.for_rejected(self.spill_dir)  # the rejected lines' rows; the workers have their own
        self._pool = None  # kept after pass 1 for in_workers()

    def run(self, lines: Iterable[tuple[int, str | None]]) -> None:
        progress = Progress("validating")
        with DuplicateSiteIds() as seen:
            for outcomes in self._outcomes(lines):
                repeats = seen.check_many([(outcome.site_id, outcome.line) for outcome in outcomes
                                           if isinstance(outcome, Accepted)])
                for outcome in outcomes:
                    self._take(outcome, repeats)
                progress.advance(len(outcomes))
        progress.close()
        self.groups.commit()  # every process's group rows are now on disk, for in_workers()

    def _outcomes(self, lines) -> Iterator[list[Accepted | Rejected]]:
        setup = (self.make_locator, self.spill_dir, self.person_keys)
        if self.workers <= 1:
            _init_worker(*setup)
            yield from map(_check_in_worker, _chunks(lines))
            return
        context = multiprocessing.get_context("forkserver")  # no fork of the parent's threads and sockets
        self._pool = context.Pool(self.workers, _init_worker, setup)
        yield from self._pool.imap(_check_in_worker, _chunks(lines), chunksize=1)

    def in_workers(self, function: Callable, tasks: list) -> list:
        """``function`` of each task, run after pass 1 in its worker processes (in this one with one
        worker), each process having let go of what pass 1 held."""
        run = functools.partial(_after_pass_one, function)
        if self._pool is None:
            return [run(task) for task in tasks]
        return self._pool.map(run, tasks, chunksize=1)

    def stop_workers(self) -> None:
        if self._pool is not None:
            self._pool.terminate()
            self._pool.join()
            self._pool = None
        _release_worker()  # in this process, with one worker

    def _take(self, outcome: Accepted | Rejected, repeats: dict[int, int]) -> None:
        """Count, report or keep one outcome; ``repeats``: the first line of each accepted line's
        site_id seen before (``DuplicateSiteIds.check_many`` of its chunk)."""
        self.summary.read += 1
        if outcome.ignored:  # mostly none: Counter.update of an empty list costs more than the test
            self.summary.ignored_fields.update(outcome.ignored)
        if isinstance(outcome, Rejected):
            self._reject(outcome.rejections, outcome.owner)
            return
        first = repeats.get(outcome.line)
        if first is not None:
            self.dropped_lines.add(outcome.line)
            reason = f"duplicate site_id, first seen on line {first}"
            self._reject([Rejection(outcome.line, outcome.site_id, "site_id", reason)], Owner(*outcome.group, outcome.company))
            return
        self.summary.valid += 1
        self.summary.geocoded += outcome.geocoded

    def _reject(self, rejections: list[Rejection], owner: Owner | None) -> None:
        self.summary.rejected += 1
        self.summary.rejected_by_reason.update({reason_kind(rejections[0])})
        entry = report_entry(rejections)
        self.report.write_entry(entry)
        if owner is not None:  # the partner's preview shows it too; a line naming no partner only the report
            self.groups.add_rejected(owner, entry)

    def spilled(self) -> Iterator[Spilled]:
        """Every accepted record's spilled document, duplicates left out."""
        for path in sorted(self.spill_dir.glob("spill-*.jsonl")):
            with path.open("rb") as spill:
                for raw in spill:
                    spilled = _read_spilled(raw)
                    if spilled.line not in self.dropped_lines:
                        yield spilled

    def close(self) -> None:
        self.stop_workers()
        self.groups.close()
        self._spill_dir.cleanup()
