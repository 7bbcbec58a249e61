"""Tier status per (partner, country) group: docs/program-rules.md, Tiers, as pure functions.

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
from functools import lru_cache

from indexer.program import ProgramConfig
from locator.core import requirement_words
from locator.core.contract import CERT_TYPES, LISTED_TIERS, RANKED_TIERS, TIERS
from locator.core.requirement_words import CERTIFIED_PREFIX

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


# What the rules read of a record's program, and nothing else (``program_facts``).
FACT_FIELDS = ("terms_accepted", "revenue_eur", "onboarding_completed", "sales_training_completed",
               "business_plan_year", "ambassador", "certifications")


def program_facts(program: dict, person_keys: PersonKeys) -> dict:
    """What the rules read of a valid record's ``program`` (FACT_FIELDS; an absent one is None):
    certifications as (type, valid_until, person key), the confidential person id replaced by its key."""
    facts = {name: program.get(name) for name in FACT_FIELDS}
    facts["certifications"] = [(cert["type"], cert["valid_until"], person_keys(cert["person_id"]))
                               for cert in program.get("certifications") or ()]
    return facts


class GroupState:
    """What section 2 needs to know about one group, folded in record by record.

    Per certification type it keeps each certified person's key with their latest valid_until
    among valid certifications: enough to count distinct people and to tell who expires soon."""

    __slots__ = (
        "as_of", "sites", "terms", "revenue", "onboarding", "sales_training",
        "business_plan", "ambassador", "_people",
    )

    def __init__(self) -> None:
        self.as_of: date | None = None
        self.sites = 0
        self.terms = self.onboarding = self.sales_training = self.business_plan = self.ambassador = False
        self.revenue = Decimal(0)
        self._people: dict[str, dict[int, date]] | None = None  # created on the first valid certification

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
            self._people = {}
        latest = self._people.setdefault(cert_type, {})
        known = latest.get(person)
        if known is None or valid_until > known:
            latest[person] = valid_until

    @property
    def cert_counts(self) -> dict[str, int]:
        """Distinct people with a valid certification, per type (every type present)."""
        people = self._people or {}
        return {cert: len(people.get(cert, ())) for cert in CERT_TYPES}

    def expiring(self, within: timedelta) -> dict[str, tuple[int, date]]:
        """Per type: how many distinct people's latest valid certification of it ends within
        ``within`` of as_of, and the earliest such day (types with nobody expiring are left out)."""
        found = {}
        for cert in CERT_TYPES:
            ends = [day for day in ((self._people or {}).get(cert) or {}).values() if day <= self.as_of + within]
            if ends:
                found[cert] = (len(ends), min(ends))
        return found


def _on_or_before(day: date | None, as_of: date) -> bool:
    return day is not None and day <= as_of


def _within_year(day: date | None, as_of: date) -> bool:
    """docs/program-rules.md, Tiers: as_of - 365 days < day <= as_of."""
    return day is not None and as_of - SALES_TRAINING_WINDOW < day <= as_of


@dataclass(frozen=True)
class Requirement:
    """One requirement of a tier (docs/program-rules.md, Tiers) for one group: whether it holds, in words.

    ``name`` and ``status`` never hold a figure (docs/program-rules.md, Confidentiality): a partner's preview and the
    staff report may see *which* requirement is missing, never by how much."""

    id: str  # stable: "terms", "revenue", "onboarding", "sales_training", "certified_MCDE", ...
    name: str  # "MCIE certification"
    status: str  # "none valid"
    met: bool

    @property
    def words(self) -> str:
        return f"{self.name}: {self.status}"


@dataclass(frozen=True)
class Evaluation:
    tier: str
    cert_counts: dict[str, int]  # every cert type present
    requirements: dict[str, tuple[Requirement, ...]]  # every ranked tier -> its requirements, met or not

    @property
    def missing(self) -> dict[str, tuple[str, ...]]:
        """Tier -> the requirements it lacks, in words."""
        return {tier: tuple(r.words for r in items if not r.met) for tier, items in self.requirements.items()}

    @property
    def next_tier(self) -> str | None:
        """The tier above this one, None at the top."""
        rank = TIERS.index(self.tier)
        return TIERS[rank + 1] if rank + 1 < len(TIERS) else None


def requirements(group: GroupState, country: str, program: ProgramConfig, tier: str,
                 counts: dict[str, int]) -> tuple[Requirement, ...]:
    """Every requirement of ``tier`` (docs/program-rules.md, Tiers), in its order, met or not;
    ``counts`` is ``group.cert_counts``, worked out once for every tier.

    This is the one place the rules live: ``evaluate`` derives the tier from it. Their words come
    from ``locator.core.requirement_words`` (the preview page says them in the visitor's language)."""
    above_entry = tier != "authorized"
    year = group.as_of.year if group.as_of else "the current year"
    checks = [("terms", group.terms, False), ("revenue", group.revenue >= program.threshold(country, tier), False)]
    if above_entry:
        checks += [("onboarding", group.onboarding, False), ("sales_training", group.sales_training, False)]
    # The minimum is the program's, not the partner's: the words never say it, nor the shortfall.
    checks += [(f"{CERTIFIED_PREFIX}{cert}", counts[cert] >= minimum, counts[cert] > 0)
               for cert, minimum in program.cert_minimums[tier].items() if minimum]
    if tier == "premier":
        checks += [("business_plan", group.business_plan, False), ("ambassador", group.ambassador, False)]
    # A list, not a generator, into tuple(): this runs for every tier of every group.
    return tuple([_requirement(key, tier, year, bool(holds), anyone) for key, holds, anyone in checks])


@lru_cache(maxsize=1024)
def _requirement(key: str, tier: str, year: int | str, holds: bool, anyone_certified: bool) -> Requirement:
    """One requirement in words: a few dozen distinct ones serve every group (frozen, so shared).
    Writing the words afresh for each of a million groups' ~20 requirements was ~40% of the
    indexer's work between its two passes."""
    return Requirement(key, requirement_words.name(key, tier.capitalize(), year),
                       requirement_words.status(key, holds, anyone_certified), holds)


def evaluate(group: GroupState, country: str, program: ProgramConfig) -> Evaluation:
    """The group's tier: the highest whose requirements all hold, else "none"."""
    counts = group.cert_counts
    found = {tier: requirements(group, country, program, tier, counts) for tier in RANKED_TIERS}
    met = [tier for tier in RANKED_TIERS if all([item.met for item in found[tier]])]
    return Evaluation(tier=met[-1] if met else "none", cert_counts=counts, requirements=found)


def is_listed(tier: str) -> bool:
    """Only Advanced and Premier groups appear in the Partner Locator."""
    return tier in LISTED_TIERS
