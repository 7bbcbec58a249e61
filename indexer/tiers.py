"""Tier status per (partner, country) group: RULES.md section 2 as pure functions.

Records are folded into a ``GroupState`` one at a time, so an export of any size is evaluated
without keeping its sites: a group holds a few flags, one exact revenue sum and, per certification
type, a set of 64-bit keyed hashes of the certified people (distinct people, never the raw
``person_id``, which is confidential). A record's program fields become ``program_facts`` once,
in the process that validated it: the person ids are hashed there, with the run's one key, and
never travel further. Evaluation depends only on the set of records folded in, not on their order.
"""
from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Context, Decimal, Inexact, InvalidOperation, Overflow

from indexer.program import ProgramConfig
from locator.core.contract import CERT_TYPES, LISTED_TIERS, RANKED_TIERS

SALES_TRAINING_WINDOW = timedelta(days=365)
GroupKey = tuple[str, str]  # (partner_id, country)

# Revenues are validated to <= 10^15 with <= 20 decimals (records.py), so any realistic sum fits in
# 80 digits; the traps turn a sum that would not be exact into an error instead of a wrong tier.
_EXACT = Context(prec=80, traps=[Inexact, InvalidOperation, Overflow])


class PersonKeys:
    """Compact stand-ins for person ids, good for counting distinct people in one run.

    Keyed hashes: nobody who obtains them (say, from a memory dump or a spill file) can match them
    against a list of known ids. One key per run, shared by every worker process, so a person
    certified at two sites validated by two workers still counts once.
    """

    def __init__(self, key: bytes | None = None):
        self.key = os.urandom(16) if key is None else key

    def __call__(self, person_id: str) -> int:
        digest = hashlib.blake2b(person_id.encode("utf-8"), digest_size=8, key=self.key).digest()
        return int.from_bytes(digest, "little")


def program_facts(program: dict, person_keys: PersonKeys) -> dict:
    """What the rules read of a valid record's ``program``: certifications as (type, valid_until,
    person key) with the confidential person id replaced by its key."""
    certifications = [(cert["type"], cert["valid_until"], person_keys(cert["person_id"]))
                      for cert in program.get("certifications") or ()]
    return {**program, "certifications": certifications}


class GroupState:
    """What section 2 needs to know about one group, folded in record by record."""

    __slots__ = (
        "as_of", "sites", "terms", "revenue", "onboarding", "sales_training",
        "business_plan", "ambassador", "_people", "_latest",
    )

    def __init__(self) -> None:
        self.as_of: date | None = None
        self.sites = 0
        self.terms = self.onboarding = self.sales_training = self.business_plan = self.ambassador = False
        self.revenue = Decimal(0)
        self._people: dict[str, set[int]] | None = None  # created on the first valid certification
        self._latest: dict[str, date] | None = None

    def add(self, program: dict, as_of: date) -> None:
        """Fold in one valid record's ``program_facts``, evaluated at ``as_of``."""
        if self.as_of is not None and as_of != self.as_of:
            raise ValueError(f"group already evaluated at {self.as_of}, not {as_of}")
        self.as_of = as_of
        self.sites += 1
        self.revenue = _EXACT.add(self.revenue, program["revenue_eur"])
        self.terms |= program["terms_accepted"] is True
        self.ambassador |= program.get("ambassador") is True
        self.onboarding |= _on_or_before(program.get("onboarding_completed"), as_of)
        self.sales_training |= _within_year(program.get("sales_training_completed"), as_of)
        self.business_plan |= program.get("business_plan_year") == as_of.year
        for cert_type, valid_until, person in program["certifications"]:
            if valid_until >= as_of:
                self._add_certified(cert_type, person, valid_until)

    def _add_certified(self, cert_type: str, person: int, valid_until: date) -> None:
        if self._people is None:
            self._people, self._latest = {}, {}
        self._people.setdefault(cert_type, set()).add(person)
        latest = self._latest.get(cert_type)
        if latest is None or valid_until > latest:
            self._latest[cert_type] = valid_until

    @property
    def cert_counts(self) -> dict[str, int]:
        """Distinct people with a valid certification, per type (every type present)."""
        people = self._people or {}
        return {cert: len(people.get(cert, ())) for cert in CERT_TYPES}

    @property
    def latest_valid_until(self) -> dict[str, date | None]:
        """Latest expiry among valid certifications, per type: publishable to the partner itself."""
        latest = self._latest or {}
        return {cert: latest.get(cert) for cert in CERT_TYPES}


def _on_or_before(day: date | None, as_of: date) -> bool:
    return day is not None and day <= as_of


def _within_year(day: date | None, as_of: date) -> bool:
    """RULES.md: as_of - 365 days < day <= as_of."""
    return day is not None and as_of - SALES_TRAINING_WINDOW < day <= as_of


@dataclass(frozen=True)
class Evaluation:
    tier: str
    cert_counts: dict[str, int]  # every cert type present
    missing: dict[str, tuple[str, ...]]  # tier -> requirements not met, in words, never figures


def _unmet(group: GroupState, country: str, program: ProgramConfig, tier: str) -> tuple[str, ...]:
    """The requirements of ``tier`` (RULES.md section 2 table) that ``group`` does not meet."""
    above_entry = tier != "authorized"
    year = group.as_of.year if group.as_of else "the current year"
    checks = [
        (group.terms, "program terms not accepted"),
        (group.revenue >= program.threshold(country, tier), f"revenue threshold for {tier.capitalize()} not met"),
        (group.onboarding or not above_entry, "onboarding training not completed"),
        (group.sales_training or not above_entry, "annual sales training not completed in the last 365 days"),
    ]
    counts = group.cert_counts
    checks += [
        (counts[cert] >= minimum, _cert_shortfall(cert, minimum))
        for cert, minimum in program.cert_minimums[tier].items()
    ]
    if tier == "premier":
        checks += [
            (group.business_plan, f"no joint business plan for {year}"),
            (group.ambassador, "not a brand ambassador"),
        ]
    return tuple(message for holds, message in checks if not holds)


def _cert_shortfall(cert: str, minimum: int) -> str:
    if minimum == 1:
        return f"no valid {cert} certification"
    return f"fewer than {minimum} people with a valid {cert} certification"


def evaluate(group: GroupState, country: str, program: ProgramConfig) -> Evaluation:
    """The group's tier: the highest whose requirements all hold, else "none"."""
    missing = {tier: _unmet(group, country, program, tier) for tier in RANKED_TIERS}
    met = [tier for tier in RANKED_TIERS if not missing[tier]]
    return Evaluation(tier=met[-1] if met else "none", cert_counts=group.cert_counts, missing=missing)


def is_listed(tier: str) -> bool:
    """Only Advanced and Premier groups appear in the Partner Locator."""
    return tier in LISTED_TIERS

