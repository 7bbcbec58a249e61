"""Between the passes: every (partner, country) group evaluated, in shards by partner, in parallel.

Each shard runs in one of pass 1's worker processes (in this process with one worker): it absorbs
its partners' rows from every group file (``indexer.grouping``), evaluates each group with the
tier rules, spills the group's eligibility document to a file of its own (``indexer.eligibility``)
and hands back how many groups have each tier, and a file of the listed groups' tiers and
certification counts (read by the parent once the workers are gone, so their memory and the
parent's are never both at their largest). A partner's groups all fall in one shard, so shards
never share a group and their results simply add up.
"""
from __future__ import annotations

import marshal
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from indexer.eligibility import DocumentSpill, eligibility_document
from indexer.grouping import GroupSpill
from indexer.program import ProgramConfig
from indexer.tiers import is_listed
from locator.core.contract import CERT_TYPES


@dataclass(frozen=True)
class Shard:
    number: int
    of: int
    spill_dir: Path
    dropped_lines: frozenset[int]  # duplicates: their rows are left out
    as_of: date
    indexed_at: str
    program: ProgramConfig


@dataclass
class Evaluated:
    groups_per_tier: Counter = field(default_factory=Counter)
    listed_files: list[Path] = field(default_factory=list)  # see read_listed
    documents: list[Path] = field(default_factory=list)  # eligibility spill files
    document_count: int = 0

    def add(self, other: Evaluated) -> Evaluated:
        self.groups_per_tier.update(other.groups_per_tier)
        self.listed_files.extend(other.listed_files)
        self.documents.extend(other.documents)
        self.document_count += other.document_count
        return self

    def read_listed(self) -> dict:
        """(partner, country) -> (tier, count per CERT_TYPES) of the listed groups only.

        Values are flat tuples of a str and small ints: a few hundred thousand of them stay small,
        and the garbage collector does not track them."""
        listed = {}
        for path in self.listed_files:
            with path.open("rb") as handle:
                while True:
                    try:
                        partner, country, *value = marshal.load(handle)
                    except EOFError:
                        break
                    listed[partner, country] = tuple(value)
        return listed


def evaluate_shard(shard: Shard) -> Evaluated:
    groups = GroupSpill()
    documents = DocumentSpill(shard.spill_dir / f"eligibility-{shard.number}.jsonl")
    listed_path = shard.spill_dir / f"listed-{shard.number}.marshal"
    try:
        groups.absorb(GroupSpill.files(shard.spill_dir), shard.dropped_lines, shard.number, shard.of)
        result = Evaluated(listed_files=[listed_path], documents=[documents.path])
        with listed_path.open("wb") as listed:
            for group in groups.groups(shard.as_of, shard.program):
                documents.write(eligibility_document(group, shard.as_of, shard.indexed_at))
                evaluation = group.evaluation
                if evaluation is None:  # only rejected lines: a document for the partner's preview, no tier
                    continue
                result.groups_per_tier[evaluation.tier] += 1
                if is_listed(evaluation.tier):
                    marshal.dump((*group.key, evaluation.tier, *(evaluation.cert_counts[cert] for cert in CERT_TYPES)),
                                 listed)
        result.document_count = documents.count
        return result
    finally:
        documents.close()
        groups.close()
