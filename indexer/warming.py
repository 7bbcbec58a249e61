"""A new listing index warmed before it goes live, so that customers never meet it cold.

The first searches on a fresh index are slow: each shard copy builds what searches keep (the
ordinals its facets count with, caches), and a copy on a node that has just started runs on a JVM
that has not compiled its search code yet. Right after a swap every customer's search meets that
at once: the drills measured 200-960 ms for about a second, against the API's 1 s timeout (issue
16, drill 2). So before the swap the indexer asks every copy of the new index a few searches of
each kind the API makes (facets and map cells, near a point, words, suggestions), built here
from the document contract alone (the indexer never imports the API), ``preference`` sending each
round to one node at a time.
"""
from __future__ import annotations

from elasticsearch import Elasticsearch

from locator.core.contract import FACET_FIELDS, TEXT_SEARCHED

ROUNDS = 3  # per copy: the first round builds what searches keep, the next ones exercise it warm


def searches(sample: dict) -> list[dict]:
    """One search body of each kind the API makes, around a document of the index (``sample``)."""
    point = sample["location"]
    word = str(sample.get("company", "a")).split()[0].lower()
    facets = {f"warm_{name}": {"terms": {"field": field, "size": 10}} for name, field in FACET_FIELDS.items()}
    return [
        {"size": 20, "query": {"match_all": {}}, "sort": [{"name_sort": "asc"}], "aggs": facets},
        {"size": 20, "query": {"bool": {"filter": [{"geo_distance": {"distance": "500km", "location": point}}]}},
         "sort": [{"_geo_distance": {"location": point, "order": "asc", "unit": "km"}}], "aggs": facets},
        {"size": 20, "query": {"multi_match": {"query": word, "fields": [f"folded.{field.leaf}" for field in TEXT_SEARCHED]}},
         "aggs": facets},
        {"size": 0, "aggs": {"cells": {"geotile_grid": {"field": "location", "precision": 4},
                                       "aggs": {"centroid": {"geo_centroid": {"field": "location"}}}}}},
        {"size": 0, "suggest": {"companies": {"prefix": word[:3], "completion": {"field": "company_suggest", "size": 5}}}},
    ]


def warm(es: Elasticsearch, index: str, rounds: int = ROUNDS) -> int:
    """Search every node holding a copy of ``index`` ``rounds`` times with each kind of search;
    returns how many searches were made (0 for an empty index)."""
    hits = es.search(index=index, size=1, query={"match_all": {}})["hits"]["hits"]
    if not hits:
        return 0
    bodies = searches(hits[0]["_source"])
    nodes = {copy["node"] for shard in es.search_shards(index=index)["shards"] for copy in shard if copy.get("node")}
    made = 0
    for node in sorted(nodes):
        for _ in range(rounds):
            for body in bodies:
                es.search(index=index, preference=f"_only_nodes:{node}", allow_partial_search_results=False, **body)
                made += 1
    return made
