"""Each listed site's own numbers, for its partner's preview (issue 18): the daily rollup of the
events into ``<prefix>-partner-stats``, one document per site with the last 30 and 90 days' counts.

The preview's user reads that index only: Elasticsearch cannot grant "aggregations only" on the
raw events, and document/field security needs a paid licence, so partners' numbers are computed
here, by the indexer (which may read the events), and nothing else of the events is exposed.

Counts are of whole events: "shown" is a first page of search results that listed the site (a
later page of the same search is not counted again); the others are the interactions of that
type. The windows end at the rollup's moment. A site with no event in 90 days has no document
("no data yet" in the preview). The minimal distribution has no delete-by-query (the reindex
module), so documents left from an earlier rollup are found by their run and deleted by id.
"""
from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone

from elasticsearch import Elasticsearch, NotFoundError
from elasticsearch.helpers import bulk, scan

from locator.analytics.store import event_buckets, prune
from locator.core.events import INTERACTIONS, SEARCH

log = logging.getLogger("partner_locator.analytics")
WINDOWS = (30, 90)  # days
COUNTS = ("shown", *INTERACTIONS)
PAGE = 5000  # sites per composite aggregation page
_COUNT = {"type": "integer"}
STATS_MAPPING = {"dynamic": "strict", "properties": {
    "site_id": {"type": "keyword"}, "as_of": {"type": "date"}, "run": {"type": "keyword"},
    **{f"days_{days}": {"properties": {name: _COUNT for name in COUNTS}} for days in WINDOWS}}}


def stats_index(prefix: str) -> str:
    return f"{prefix}-partner-stats"


def _iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


def _windows(now: datetime) -> dict:
    """A filter aggregation per window, each counting events since that many days before ``now``."""
    return {f"days_{days}": {"filter": {"range": {"minute": {"gte": _iso(now - timedelta(days=days))}}}}
            for days in WINDOWS}


def _by_site(field: str) -> list[dict]:
    return [{"site": {"terms": {"field": field}}}]


def site_counts(es: Elasticsearch, prefix: str, now: datetime) -> dict[str, dict]:
    """site_id -> {"days_30": {count name: n}, "days_90": {...}} of every site with an event."""
    since = {"range": {"minute": {"gte": _iso(now - timedelta(days=max(WINDOWS))), "lte": _iso(now)}}}
    counts: dict[str, dict] = {}

    def add(site: str, window: str, name: str, value: int) -> None:
        per_site = counts.setdefault(site, {f"days_{days}": dict.fromkeys(COUNTS, 0) for days in WINDOWS})
        per_site[window][name] += value

    first_pages = {"bool": {"filter": [since, {"term": {"type": SEARCH}}, {"term": {"page": 1}}]}}
    for bucket in event_buckets(es, prefix, first_pages, _by_site("sites_shown"), _windows(now), PAGE):
        for window in (f"days_{days}" for days in WINDOWS):
            add(bucket["key"]["site"], window, "shown", bucket[window]["doc_count"])
    interactions = {"bool": {"filter": [since, {"terms": {"type": list(INTERACTIONS)}}]}}
    by_type = {"types": {"terms": {"field": "type", "size": len(INTERACTIONS)}, "aggs": _windows(now)}}
    for bucket in event_buckets(es, prefix, interactions, _by_site("site_id"), by_type, PAGE):
        for kind in bucket["types"]["buckets"]:
            for window in (f"days_{days}" for days in WINDOWS):
                add(bucket["key"]["site"], window, kind["key"], kind[window]["doc_count"])
    return counts


def rollup(es: Elasticsearch, prefix: str, now: datetime | None = None) -> int:
    """Write every site's counts (as of ``now``) and delete the documents of sites that have none
    any more; how many sites have numbers."""
    now = (now or datetime.now(timezone.utc)).astimezone(timezone.utc)
    run = now.strftime("%Y%m%dT%H%M%S%fZ")
    counts = site_counts(es, prefix, now)
    index = stats_index(prefix)
    if not es.indices.exists(index=index):
        es.indices.create(index=index, mappings=STATS_MAPPING, settings={"number_of_shards": 1,
                                                                        "auto_expand_replicas": "0-1"})
    bulk(es, ({"_index": index, "_id": site, "_source": {"site_id": site, "as_of": _iso(now), "run": run, **windows}}
              for site, windows in counts.items()), refresh=False)
    es.indices.refresh(index=index)
    earlier = {"query": {"bool": {"must_not": {"term": {"run": run}}}}, "_source": False}
    stale = [hit["_id"] for hit in scan(es, index=index, query=earlier)]
    bulk(es, ({"_op_type": "delete", "_index": index, "_id": site} for site in stale), raise_on_error=False)
    es.indices.refresh(index=index)
    log.info("analytics rollup: %d sites with numbers as of %s (%d without any more)", len(counts), _iso(now), len(stale))
    return len(counts)


def rollup_and_prune(es: Elasticsearch, prefix: str, now: datetime, retention_months: int) -> tuple[int, list[str]]:
    """The daily job (``analytics rollup``, and the end of every index run): partners' numbers as of
    ``now``, then the months of events older than the retention deleted; (sites with numbers, months deleted)."""
    sites = rollup(es, prefix, now)
    return sites, prune(es, prefix, now.date(), retention_months)


def last_rollup(es: Elasticsearch, prefix: str) -> str | None:
    """When the numbers were last counted (the newest document's ``as_of``); None before any rollup."""
    try:
        hits = es.search(index=stats_index(prefix), size=1, sort=[{"as_of": "desc"}], source=["as_of"])["hits"]["hits"]
    except NotFoundError:
        return None
    return hits[0]["_source"]["as_of"] if hits else None


def read_stats(es: Elasticsearch, prefix: str, site_ids: list[str]) -> dict[str, dict]:
    """site_id -> its document (``as_of``, ``days_30``, ``days_90``); sites without one are absent."""
    if not site_ids:
        return {}
    try:
        answer = es.mget(index=stats_index(prefix), ids=site_ids, source_excludes=["run"])
    except NotFoundError:  # no rollup yet
        return {}
    return {doc["_id"]: doc["_source"] for doc in answer["docs"] if doc.get("found")}  # an "error" doc: no index
