"""The words of every tier requirement (docs/program-rules.md, Tiers), written once for every reader.

The indexer stores them in English in the eligibility index (the JSON preview and the staff
report read them there); the preview page says the same in the visitor's language by passing its
gettext. The messages are marked with ``N_`` so ``make messages`` extracts them. No word here ever
holds a figure (docs/program-rules.md, Confidentiality): *which* requirement is missing, never by how much.
"""
from __future__ import annotations

import re
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


def _template_pattern(template: str) -> re.Pattern:
    """A name's template as a pattern that reads its values back ("%(cert)s certification")."""
    parts = re.split(r"(%\((?:tier|cert|year)\)s)", template)
    return re.compile("".join(f"(?P<{part[2:-2]}>.+)" if part.startswith("%(") else re.escape(part) for part in parts))


_PATTERNS = {family: _template_pattern(words[0]) for family, words in _WORDS.items()}


def reworded(english: str, translate: Translate, tier_label: Callable[[str], str]) -> str:
    """A name as ``name`` wrote it in English (where only names are kept: the coverage report's
    upgrade candidates) in the reader's language: ``tier_label`` names a tier ("advanced") in it.
    A name these words did not write stays as it is."""
    for family, pattern in _PATTERNS.items():
        found = pattern.fullmatch(english)
        if found:
            values = found.groupdict()
            requirement = CERTIFIED_PREFIX + values["cert"] if family == "certified" else family
            tier = tier_label(values["tier"].lower()) if "tier" in values else ""
            return name(requirement, tier, values.get("year", ""), translate)
    return english
