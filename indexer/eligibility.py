"""Eligibility documents: what a group's own preview and Milestone's staff may see, per group.

Built from a group's evaluation (``indexer.grouping``), with only the fields the eligibility
contract declares (``locator.core.eligibility``): the tier, the requirements of the current and
the next tier in words (``tiers.requirements``), expiring certifications as counts and a date, the
group's sites (with their city and coordinates) and rejected lines, and the names of the Advanced
requirements it misses (staff's upgrade candidates). The revenue sum and the people's keys stay in the GroupState and
go nowhere. Documents are written to a spill file while groups are evaluated (one group in memory
at a time) and loaded after the sites, once Elasticsearch's refusals of sites are known
(``with_refusals``): a refused site is shown as not listed, with the reason it was refused.
"""
from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Iterable, Iterator

import orjson

from indexer.grouping import Group, SiteFacts
from indexer.tiers import Requirement, is_listed
from locator.core.contract import CERT_TYPES
from locator.core.eligibility import EXPIRY_WINDOW_DAYS, TOP_LEVEL
from locator.core.text import fold

EXPIRY_WINDOW = timedelta(days=EXPIRY_WINDOW_DAYS)


def document_id(partner_id: str, country: str) -> str:
    return f"{partner_id}:{country}"  # ':' is not in the id charset, so ids never collide


def _requirement(item: Requirement) -> dict:
    return {"requirement": item.id, "name": item.name, "status": item.status, "met": item.met}


def _site(site: SiteFacts, listed: bool) -> dict:
    entry = {"site_id": site.site_id, "site_name": site.site_name, "listed": listed, "city": site.city}
    if site.location is not None:
        entry["location"] = {"lat": site.location[0], "lon": site.location[1]}
    return entry


def _missing_for_advanced(group: Group) -> list[str]:
    """Names of Advanced's unmet requirements (as the eligibility report names them), for staff's
    upgrade candidates; none without valid records."""
    if group.evaluation is None:
        return []
    return [item.name for item in group.evaluation.requirements["advanced"] if not item.met]


def eligibility_document(group: Group, as_of: date, indexed_at: str) -> dict:
    """The group's eligibility document; every site of a listed group counts as listed here."""
    partner_id, country = group.key
    evaluation = group.evaluation
    tier = evaluation.tier if evaluation else "none"
    next_tier = evaluation.next_tier if evaluation else None
    listed = is_listed(tier)
    document = {
        "partner_id": partner_id,
        "country": country,
        "company": group.company,
        "company_sort": fold(group.company or ""),
        "tier": tier,
        "listed": listed,
        "certifications": evaluation.cert_counts if evaluation else dict.fromkeys(CERT_TYPES, 0),
        "current_requirements": [_requirement(item) for item in evaluation.requirements.get(tier, ())] if evaluation else [],
        "next_tier": next_tier,
        "next_requirements": [_requirement(item) for item in evaluation.requirements[next_tier]] if next_tier else [],
        "expiring": [{"type": cert, "people": people, "earliest": earliest.isoformat()}
                     for cert, (people, earliest) in (group.state.expiring(EXPIRY_WINDOW) if group.state else {}).items()],
        "sites": [_site(site, listed) for site in group.sites],
        "rejected": list(group.rejected),
        "missing_for_advanced": _missing_for_advanced(group),
        "as_of": as_of.isoformat(),
        "indexed_at": indexed_at,
    }
    if set(document) != set(TOP_LEVEL):  # the contract is the allowlist: nothing else may leave
        raise RuntimeError(f"eligibility document fields differ from the contract: {sorted(set(document) ^ set(TOP_LEVEL))}")
    return document


def with_refusals(document: dict, refused: dict[str, dict]) -> dict:
    """The document once Elasticsearch refused some of its sites: each becomes not listed, with its
    report entry among the rejected lines; a group none of whose sites went in is not listed."""
    hit = [site for site in document["sites"] if site["site_id"] in refused]
    if not hit:
        return document
    for site in hit:
        site["listed"] = False
        document["rejected"].append(refused[site["site_id"]])
    document["rejected"].sort(key=lambda entry: entry["line"])
    document["listed"] = any(site["listed"] for site in document["sites"])
    return document


class DocumentSpill:
    """Eligibility documents on disk between the evaluation of groups and their loading: one file
    per process that evaluates groups, written here and read back by ``spilled_documents``.

    One line per document: its id, a tab, its JSON."""

    def __init__(self, path: Path):
        self.path, self.count = path, 0
        self._handle = path.open("wb")

    def write(self, document: dict) -> None:
        key = document_id(document["partner_id"], document["country"]).encode()
        self._handle.write(key + b"\t" + orjson.dumps(document) + b"\n")
        self.count += 1

    def close(self) -> None:
        self._handle.close()


def spilled_documents(paths: Iterable[Path], refused: dict[str, dict]) -> Iterator[tuple[str, bytes | dict]]:
    """(id, JSON bytes) of every spilled document, which the bulk sends as they are: no document
    becomes Python objects again, unless Elasticsearch refused some sites (then each is parsed and
    patched, ``with_refusals``)."""
    for path in paths:
        with path.open("rb") as handle:
            for line in handle:
                key, _, source = line.rstrip(b"\n").partition(b"\t")
                yield key.decode(), with_refusals(orjson.loads(source), refused) if refused else source
