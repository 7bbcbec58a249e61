"""The words of every tier requirement (docs/program-rules.md, Tiers), written once for every reader.

The indexer stores them in English in the eligibility index (the JSON preview and the staff
report read them there); the preview page says the same in the visitor's language by passing its
gettext. The messages are marked with ``N_`` so ``make messages`` extracts them. No word here ever
holds a figure (docs/program-rules.md, Confidentiality): *which* requirement is missing, never by how much.
"""
from __future__ import annotations

from typing import Callable

Translate = Callable[[str], str]


def N_(message: str) -> str:
    """Marks a message for extraction; the translation happens where it is shown."""
    return message


def _same(message: str) -> str:
    return message


# id (or id family) -> (name, status when met, status when not met)
_WORDS = {
    "terms": (N_("program terms"), N_("accepted"), N_("not accepted")),
    "revenue": (N_("revenue threshold for %(tier)s"), N_("met"), N_("not met")),
    "onboarding": (N_("onboarding training"), N_("completed"), N_("not completed")),
    "sales_training": (N_("annual sales training"), N_("completed in the last 365 days"),
                       N_("not completed in the last 365 days")),
    "certified": (N_("%(cert)s certification"), N_("valid"), N_("none valid")),
    "business_plan": (N_("joint business plan for %(year)s"), N_("in place"), N_("none")),
    "ambassador": (N_("brand ambassador"), N_("yes"), N_("no")),
}
# A certification minimum above one that some people, but too few, meet.
_TOO_FEW = N_("too few people certified")
CERTIFIED_PREFIX = "certified_"


def _family(requirement: str) -> str:
    return "certified" if requirement.startswith(CERTIFIED_PREFIX) else requirement


def name(requirement: str, tier_label: str, year: int | str, translate: Translate = _same) -> str:
    """ "revenue threshold for Premier", "MCIE certification", "joint business plan for 2026"."""
    template = translate(_WORDS[_family(requirement)][0])
    return template % {"tier": tier_label, "cert": requirement.removeprefix(CERTIFIED_PREFIX), "year": year}


def status(requirement: str, met: bool, anyone_certified: bool = False, translate: Translate = _same) -> str:
    """ "not completed in the last 365 days", "none valid", "too few people certified"..."""
    if not met and _family(requirement) == "certified" and anyone_certified:
        return translate(_TOO_FEW)
    return translate(_WORDS[_family(requirement)][1 if met else 2])
