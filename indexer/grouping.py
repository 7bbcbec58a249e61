"""Groups (partner, country) at any scale: contributions on disk, evaluated one group at a time.

A million sites make a few hundred thousand groups; holding a GroupState for each costs more than
the indexer's memory budget. Instead every valid record's program fields (and its site id, name
and company) go into an SQLite file written by the worker process that validated it, every
rejected line attributed to a partner into the parent's file. After pass 1 the groups are
evaluated in shards by partner (``indexer.evaluation``), one shard per process: each absorbs its
partners' rows from every file (but for duplicates) and reads them back sorted by group and line;
each group is folded with ``tiers.GroupState`` and evaluated with ``tiers.evaluate`` (the rules
stay in one place), handed on with its sites (id, name, city, coordinates) and rejected lines, then
dropped. What is stored is
each record's ``tiers.program_facts``, where person ids are already keyed hashes, which are enough
to count distinct people and tell whose certification expires soon.
"""
from __future__ import annotations

import marshal
import os
import sqlite3
import zlib
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from itertools import groupby
from operator import itemgetter
from pathlib import Path
from typing import Iterator, NamedTuple

from indexer.program import ProgramConfig
from indexer.records import Owner
from indexer.tiers import Evaluation, GroupKey, GroupState, evaluate

_CACHE_KIB = 1024  # a shard's: it sorts its rows (the sorter spills to a file beyond this)
_APPEND_CACHE_KIB = 1024  # a worker's: it only appends
_SITE, _REJECTED = 0, 1  # kinds of rows
_BATCH_ROWS = 1000
_WORKER_FILE_PREFIX = "groups-"
_BUCKET_MASK = 0xFFFF


class SiteFacts(NamedTuple):
    """The public bits of a valid site its group's eligibility document lists."""

    site_id: str
    site_name: str | None = None
    city: str | None = None
    location: tuple[float, float] | None = None  # (lat, lon), as given or geocoded


@dataclass
class Group:
    """One (partner, country) group, evaluated; ``evaluation`` is None when it has no valid record."""

    key: GroupKey
    evaluation: Evaluation | None = None
    state: GroupState | None = None
    company: str | None = None  # on the first valid record, else on the first rejected line that has one
    sites: list[SiteFacts] = field(default_factory=list)  # in file order
    rejected: list[dict] = field(default_factory=list)  # report entries, in file order


class GroupSpill:
    """The rows of one process: ``path`` for a file other processes absorb after pass 1, none for a
    private temporary database (deleted on close) that absorbs them."""

    @classmethod
    def for_worker(cls, spill_dir: Path) -> GroupSpill:
        """The rows of the worker process calling this, in a file of ``spill_dir`` for the parent."""
        return cls(spill_dir / f"{_WORKER_FILE_PREFIX}{os.getpid()}.sqlite")

    @classmethod
    def for_rejected(cls, spill_dir: Path) -> GroupSpill:
        """The parent's rows (rejected lines, which it reports in file order), beside the workers'."""
        return cls(spill_dir / f"{_WORKER_FILE_PREFIX}rejected.sqlite")

    @staticmethod
    def files(spill_dir: Path) -> list[Path]:
        """The files of the processes that got as far as making their table, in a stable order."""
        return sorted(spill_dir.glob(f"{_WORKER_FILE_PREFIX}*.sqlite"))

    def __init__(self, path: Path | None = None) -> None:
        if path is None:
            self._db = _open("", _CACHE_KIB)
            _create_table(self._db)
        else:
            # A pool may stop a worker still starting (it had no chunk to do): the parent must never
            # find a file without the table, so the file gets its name only once the table is there.
            partial = path.with_name(path.name + ".partial")
            _create_table(_open(str(partial), _APPEND_CACHE_KIB)).close()
            partial.rename(path)
            self._db = _open(str(path), _APPEND_CACHE_KIB)
        self._db.execute("BEGIN")
        self._pending: list[tuple] = []  # rows not yet inserted: one executemany per chunk, not one call a row

    def _flush(self) -> None:
        if self._pending:
            self._db.executemany("INSERT INTO contribution VALUES (?, ?, ?, ?, ?, ?)", self._pending)
            self._pending.clear()

    def commit(self) -> None:
        """Make the rows so far durable for the parent (a worker is stopped without notice)."""
        self._flush()
        self._db.execute("COMMIT")
        self._db.execute("BEGIN")

    def absorb(self, paths: list[Path], dropped_lines: set[int], shard: int = 0, shards: int = 1) -> None:
        """Take other processes' rows of partners in ``shard`` (of ``shards``), but for the valid
        records of ``dropped_lines`` (duplicates). A partner's groups are all in one shard."""
        self._flush()
        self._db.execute("COMMIT")  # ATTACH is refused inside a transaction
        self._db.execute("CREATE TEMP TABLE IF NOT EXISTS dropped (line INTEGER PRIMARY KEY)")
        self._db.executemany("INSERT OR IGNORE INTO dropped VALUES (?)", ((line,) for line in dropped_lines))
        for path in paths:
            self._db.execute("ATTACH DATABASE ? AS worker", (str(path),))
            try:
                self._db.execute("INSERT INTO main.contribution SELECT * FROM worker.contribution"
                                 " WHERE bucket % ? = ? AND NOT (kind = ? AND line IN (SELECT line FROM dropped))",
                                 (shards, shard, _SITE))
            finally:
                self._db.execute("DETACH DATABASE worker")
        self._db.execute("BEGIN")

    def _insert(self, partner_id: str, country: str, line: int, kind: int, payload: bytes) -> None:
        # The bucket is a stable hash (not hash(): it differs per process) that shards groups by partner.
        bucket = zlib.crc32(partner_id.encode()) & _BUCKET_MASK
        self._pending.append((bucket, partner_id, country, line, kind, payload))
        if len(self._pending) >= _BATCH_ROWS:  # bounded, whatever calls commit() or not
            self._flush()

    def add(self, partner_id: str, country: str, facts: dict, line: int = 0, site: SiteFacts = SiteFacts(""),
            company: str | None = None) -> None:
        """One valid record: its ``tiers.program_facts`` and the public bits its group's document lists."""
        self._insert(partner_id, country, line, _SITE, pack_site(facts, site, company))

    def add_rejected(self, owner: Owner, entry: dict) -> None:
        """One rejected line's report entry, for the group of the partner and country it names."""
        self._insert(owner.partner_id, owner.country, entry["line"], _REJECTED, marshal.dumps((entry, owner.company)))

    def groups(self, as_of: date, config: ProgramConfig) -> Iterator[Group]:
        """Every group, evaluated when it has valid records, one group in memory at a time."""
        self._flush()
        rows = self._db.execute("SELECT partner, country, kind, payload FROM contribution"
                                " ORDER BY partner, country, line, kind")
        for key, members in groupby(rows, key=itemgetter(0, 1)):
            group = Group(key)
            for _, _, kind, payload in members:
                _fold(group, kind, payload, as_of)
            if group.state is not None:
                group.evaluation = evaluate(group.state, key[1], config)
            yield group

    def close(self) -> None:
        self._db.close()


def _open(path: str, cache_kib: int) -> sqlite3.Connection:
    db = sqlite3.connect(path, isolation_level=None)
    # Scratch data, rebuilt by the next run: no journal, no fsync.
    for pragma in ("journal_mode=OFF", "synchronous=OFF", "temp_store=FILE", f"cache_size=-{cache_kib}"):
        db.execute(f"PRAGMA {pragma}")
    return db


def _create_table(db: sqlite3.Connection) -> sqlite3.Connection:
    db.execute("CREATE TABLE IF NOT EXISTS contribution (bucket INTEGER NOT NULL, partner TEXT NOT NULL, country TEXT NOT NULL,"
               " line INTEGER NOT NULL, kind INTEGER NOT NULL, payload BLOB NOT NULL)")
    return db


# Each row is written and read once per record: marshal (plain values only) does both ~3x quicker
# than pickle, in a third of the bytes. Dates travel as day ordinals, the revenue as its exact text;
# the fields are those of ``tiers.FACT_FIELDS``, named one by one here because this runs per record.
# A site's city and coordinates add ~40 bytes a row, on disk only (one group is in memory at a time).
def pack_site(facts: dict, site: SiteFacts, company: str | None) -> bytes:
    onboarding, sales = facts["onboarding_completed"], facts["sales_training_completed"]
    values = (facts["terms_accepted"], str(facts["revenue_eur"]), onboarding and onboarding.toordinal(),
              sales and sales.toordinal(), facts["business_plan_year"], facts["ambassador"],
              tuple((cert_type, until.toordinal(), person) for cert_type, until, person in facts["certifications"]))
    return marshal.dumps((values, tuple(site), company))


def unpack_site(data: bytes) -> tuple[dict, SiteFacts, str | None]:
    """(program facts, the site's public bits, company) as ``pack_site`` was given them."""
    (terms, revenue, onboarding, sales, plan, ambassador, certifications), site, company = marshal.loads(data)
    facts = {
        "terms_accepted": terms, "revenue_eur": Decimal(revenue),
        "onboarding_completed": onboarding and date.fromordinal(onboarding),
        "sales_training_completed": sales and date.fromordinal(sales),
        "business_plan_year": plan, "ambassador": ambassador,
        "certifications": [(cert_type, date.fromordinal(day), person) for cert_type, day, person in certifications],
    }
    site_id, site_name, city, location = site
    return facts, SiteFacts(site_id, site_name, city, location and tuple(location)), company


def _fold(group: Group, kind: int, payload: bytes, as_of: date) -> None:
    if kind == _REJECTED:
        entry, company = marshal.loads(payload)
        group.rejected.append(entry)
        if group.state is None and group.company is None:
            group.company = company
        return
    facts, site, company = unpack_site(payload)
    if group.state is None:
        group.state, group.company = GroupState(), company  # the first valid record names the group
    group.state.add(facts, as_of)
    group.sites.append(site)
