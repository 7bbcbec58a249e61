"""Groups (partner, country) at any scale: contributions on disk, evaluated one group at a time.

A million sites make a few hundred thousand groups; holding a GroupState for each costs more than
the indexer's memory budget. Instead every valid record's program fields go into a private
temporary SQLite table (deleted on close), and after pass 1 the table is read back sorted by
group: each group is folded with ``tiers.GroupState`` and evaluated with ``tiers.evaluate`` (the
rules stay in one place), then dropped. What is stored is each record's ``tiers.program_facts``,
where person ids are already keyed hashes, which are enough to count distinct people.
"""
from __future__ import annotations

import pickle
import sqlite3
from datetime import date
from itertools import groupby
from operator import itemgetter
from typing import Iterator

from indexer.program import ProgramConfig
from indexer.tiers import Evaluation, GroupKey, GroupState, evaluate

_CACHE_KIB = 16 * 1024


class GroupSpill:
    def __init__(self) -> None:
        self._db = sqlite3.connect("", isolation_level=None)  # "" = private temporary file
        for pragma in ("journal_mode=OFF", "synchronous=OFF", "temp_store=FILE", f"cache_size=-{_CACHE_KIB}"):
            self._db.execute(f"PRAGMA {pragma}")
        self._db.execute("CREATE TABLE contribution (partner TEXT NOT NULL, country TEXT NOT NULL, program BLOB NOT NULL)")
        self._db.execute("BEGIN")

    def add(self, partner_id: str, country: str, facts: dict) -> None:
        """One valid record's ``tiers.program_facts``, for its (partner, country) group."""
        self._db.execute("INSERT INTO contribution VALUES (?, ?, ?)",
                         (partner_id, country, pickle.dumps(facts, pickle.HIGHEST_PROTOCOL)))

    def evaluate(self, as_of: date, config: ProgramConfig) -> Iterator[tuple[GroupKey, Evaluation]]:
        """Every group and its evaluation, one group in memory at a time."""
        rows = self._db.execute("SELECT partner, country, program FROM contribution ORDER BY partner, country")
        for key, members in groupby(rows, key=itemgetter(0, 1)):
            state = GroupState()
            for _, _, program in members:
                state.add(pickle.loads(program), as_of)
            yield key, evaluate(state, key[1], config)

    def close(self) -> None:
        self._db.close()
