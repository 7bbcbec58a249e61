"""What a run tells its operator: the rejection report (JSON Lines) and the summary on stderr.

Neither ever holds a confidential value: rejections carry the validator's reason, which never
echoes revenue or person ids (see ``indexer.records``), and the summary holds only counts.
"""
from __future__ import annotations

import logging
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import orjson

from indexer.records import Rejection
from locator.core.contract import TIERS

log = logging.getLogger("partner_locator.indexer")


@dataclass
class Summary:
    read: int = 0  # non-blank lines
    valid: int = 0
    rejected: int = 0  # lines
    rejected_by_reason: Counter = field(default_factory=Counter)
    geocoded: int = 0
    ignored_fields: Counter = field(default_factory=Counter)
    groups_per_tier: Counter = field(default_factory=Counter)
    listed: int = 0
    eligibility_documents: int = 0  # one per (partner, country) group with a valid or an attributed rejected line
    refused_by_elasticsearch: int = 0
    started: float = field(default_factory=time.monotonic)

    @property
    def error_rate(self) -> float:
        return (self.rejected + self.refused_by_elasticsearch) / self.read if self.read else 0.0

    def lines(self) -> list[str]:
        seconds = time.monotonic() - self.started
        out = [f"read {self.read} records, {self.valid} valid, {self.rejected} rejected, {self.geocoded} geocoded"]
        out += [f"  rejected: {count} x {reason}" for reason, count in self.rejected_by_reason.most_common()]
        if self.ignored_fields:
            ignored = ", ".join(f"{name} ({count})" for name, count in sorted(self.ignored_fields.items()))
            out.append(f"ignored fields not in RULES.md: {ignored}")
        tiers = ", ".join(f"{tier} {self.groups_per_tier.get(tier, 0)}" for tier in reversed(TIERS))
        out.append(f"groups (partner, country) per tier: {tiers}")
        out.append(f"sites listed: {self.listed}; eligibility documents: {self.eligibility_documents}; "
                   f"refused by Elasticsearch: {self.refused_by_elasticsearch}")
        out.append(f"time: {seconds:.1f}s ({self.read / seconds if seconds else 0:.0f} records/s)")
        return out


def reason_kind(rejection: Rejection) -> str:
    """Group rejections for the summary: field plus the reason up to its first detail."""
    return f"{rejection.field}: {rejection.reason.split(':')[0].split(', first seen')[0]}"


def report_entry(rejections: list[Rejection]) -> dict:
    """What the report says about one rejected line (and the partner's preview, word for word)."""
    first = rejections[0]
    return {
        "line": first.line,
        "site_id": first.site_id,
        "field": ", ".join(dict.fromkeys(r.field for r in rejections)),
        "reason": "; ".join(r.reason if len(rejections) == 1 else f"{r.field}: {r.reason}" for r in rejections),
    }


class RejectionReport:
    """One JSON object per rejected line: ``line``, ``site_id``, ``field``, ``reason``."""

    def __init__(self, path: Path | None):
        self._handle: IO[bytes] | None = path.open("wb") if path else None

    def write(self, rejections: list[Rejection]) -> None:
        if rejections:
            self.write_entry(report_entry(rejections))

    def write_entry(self, entry: dict) -> None:
        if self._handle is not None:
            self._handle.write(orjson.dumps(entry) + b"\n")

    def close(self) -> None:
        if self._handle:
            self._handle.close()


class Progress:
    """A progress bar when stderr is a terminal; a plain log line every ``every`` records otherwise."""

    def __init__(self, description: str, every: int = 100_000, stream: IO[str] | None = None):
        stream = stream or sys.stderr
        self._bar = None
        self._every, self._count, self._description = every, 0, description
        if stream.isatty():
            from tqdm import tqdm

            self._bar = tqdm(desc=description, unit=" records", file=stream, mininterval=0.5)

    def advance(self, count: int = 1) -> None:
        self._count += count
        if self._bar is not None:
            self._bar.update(count)
        elif self._count % self._every < count:
            log.info("%s: %d records", self._description, self._count)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
