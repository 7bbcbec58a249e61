"""The staff's eligibility report: one CSV row per (partner, country), from the eligibility index.

Read with the indexer's rights from the index the eligibility alias points at when the report
starts (a run going live meanwhile does not mix two runs), in the index's own order: country, then
company (folded), then partner id. UTF-8 with a byte-order mark, so spreadsheets read the accents.
Nothing confidential can appear: the documents hold none (``locator.core.eligibility``).
"""
from __future__ import annotations

import csv
from typing import IO, Iterator

from elasticsearch import Elasticsearch, NotFoundError

from locator.core.errors import UserFacingError
from locator.core.mapping import eligibility_alias

COLUMNS = ("partner_id", "company", "country", "tier", "listed", "next_tier", "not_met_for_next_tier")
PAGE = 1000
_SORT = [{"country": "asc"}, {"company_sort": "asc"}, {"partner_id": "asc"}]
_SOURCE = ["partner_id", "company", "country", "tier", "listed", "next_tier", "next_requirements"]


def live_eligibility_index(es: Elasticsearch, prefix: str) -> str:
    """The concrete index behind the eligibility alias; a clear error when there is none."""
    try:
        targets = list(es.indices.get_alias(name=eligibility_alias(prefix)))
    except NotFoundError:
        targets = []
    if not targets:
        raise UserFacingError(f"no eligibility data ({eligibility_alias(prefix)} points at no index): "
                              "run `partner-locator index` first")
    return targets[0]


def documents(es: Elasticsearch, index: str, country: str | None = None) -> Iterator[dict]:
    """Every eligibility document of ``index`` (of one country), in report order, a page at a time."""
    query = {"term": {"country": country}} if country else {"match_all": {}}
    after = None
    while True:
        page = es.search(index=index, query=query, sort=_SORT, size=PAGE, source=_SOURCE,
                         **({"search_after": after} if after else {}))["hits"]["hits"]
        yield from (hit["_source"] for hit in page)
        if len(page) < PAGE:
            return
        after = page[-1]["sort"]


def not_met(document: dict) -> list[str]:
    """Names of the next tier's requirements the group does not meet (none at the top, or without records)."""
    return [item["name"] for item in document.get("next_requirements") or () if not item["met"]]


def row(document: dict) -> list[str]:
    return [document["partner_id"], document.get("company") or "", document["country"], document["tier"],
            "yes" if document["listed"] else "no", document.get("next_tier") or "", "; ".join(not_met(document))]


def write_report(rows_from: Iterator[dict], out: IO[str], next_tier_only: bool = False) -> int:
    """Write the CSV to a text stream opened with encoding="utf-8-sig", newline=""; return the rows."""
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    count = 0
    for document in rows_from:
        if next_tier_only and len(not_met(document)) != 1:
            continue
        writer.writerow(row(document))
        count += 1
    return count
