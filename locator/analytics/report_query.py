"""The analytics report's one Elasticsearch request, and what its answer counts (pure, both ways).

``report_request`` builds one ``size: 0`` search with aggregations over the events of a date range;
``tally`` reads its answer into plain counts (``Tally``). Everything the report shows is a count:
the minimal distribution has no painless, so no rate, share or merge is computed in Elasticsearch;
``report.py`` does that in Python from these counts.

What a *search* is: a ``search`` event is sent for every answer page a visitor was shown, so only
those with ``page == 1`` count as searches (the next pages of the same search are not new ones).
Interactions (detail, contacts, site pages) count whatever page they came from.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone

from locator.core.events import CONTACTS, INTERACTIONS, SEARCH

FILTERS = ("tier", "cert", "language", "industry")
NO_COUNTRY = "none"  # the searches that named no country (words alone, a map area, a cell)
# Plenty for an exact top 50 (a month has a few thousand places), far below search.max_buckets.
PLACE_BUCKETS = 5000
COUNTRY_BUCKETS = 300  # every ISO country and "none"
VALUE_BUCKETS = 500  # filter values, UI languages, embedding hosts
# The cardinality aggregation is exact up to this many distinct answers, approximate beyond
# (Elasticsearch's maximum precision_threshold).
PRECISION_THRESHOLD = 40_000

_FIRST_PAGE_SEARCHES = {"bool": {"filter": [{"term": {"type": SEARCH}}, {"term": {"page": 1}}]}}
_OUTCOMES = {"zero": {"filter": {"term": {"zero": True}}}, "nearest": {"filter": {"term": {"nearest": True}}}}


@dataclass(frozen=True)
class Row:
    """Searches, and how many of them found nothing, or only the nearest beyond the radius."""
    searches: int = 0
    zero_results: int = 0
    nearest_fallback: int = 0

    def __add__(self, other: Row) -> Row:
        return Row(self.searches + other.searches, self.zero_results + other.zero_results,
                   self.nearest_fallback + other.nearest_fallback)

    def __sub__(self, other: Row) -> Row:
        return Row(self.searches - other.searches, self.zero_results - other.zero_results,
                   self.nearest_fallback - other.nearest_fallback)


@dataclass
class Tally:
    """What one report request counted, before any folding, ranking or labelling."""
    total: Row = Row()
    per_day: dict[date, Row] = field(default_factory=dict)
    countries: dict[str, Row] = field(default_factory=dict)
    places: dict[str, Row] = field(default_factory=dict)  # typed places and coarse areas, merged
    placed: Row = Row()  # every search with a place or an area (the place table's total)
    filters: dict[str, dict[str, int]] = field(default_factory=lambda: {name: {} for name in FILTERS})
    filters_beyond: dict[str, int] = field(default_factory=lambda: {name: 0 for name in FILTERS})
    languages: dict[str, int] = field(default_factory=dict)
    sources: dict[str, int] = field(default_factory=dict)
    sources_beyond: int = 0  # searches from hosts past VALUE_BUCKETS
    interactions: dict[str, int] = field(default_factory=dict)
    answers_searched: int = 0
    answers_with_interaction: int = 0


def day_bounds(start: date, end: date) -> tuple[str, str]:
    """[start 00:00, the day after end 00:00) in UTC: both days whole."""
    first = datetime.combine(start, time(), timezone.utc)
    after = datetime.combine(end + timedelta(days=1), time(), timezone.utc)
    return first.isoformat().replace("+00:00", "Z"), after.isoformat().replace("+00:00", "Z")


def report_request(start: date, end: date, country: str | None = None) -> dict:
    """Keyword arguments of ``es.search`` (besides the index): the events of [start, end], one country's or all."""
    first, after = day_bounds(start, end)
    scope = [{"range": {"minute": {"gte": first, "lt": after}}}]
    if country:
        scope.append({"term": {"country": country}})
    searches = {
        **_OUTCOMES,
        "per_day": {"date_histogram": {"field": "minute", "calendar_interval": "day", "time_zone": "UTC"},
                    "aggs": _OUTCOMES},
        "countries": {"terms": {"field": "country", "size": COUNTRY_BUCKETS, "missing": NO_COUNTRY}, "aggs": _OUTCOMES},
        "placed": {"filter": {"bool": {"should": [{"exists": {"field": "place"}}, {"exists": {"field": "area"}}],
                                       "minimum_should_match": 1}}, "aggs": _OUTCOMES},
        "places": {"terms": {"field": "place", "size": PLACE_BUCKETS}, "aggs": _OUTCOMES},
        "areas": {"terms": {"field": "area", "size": PLACE_BUCKETS}, "aggs": _OUTCOMES},
        "languages": {"terms": {"field": "lang", "size": VALUE_BUCKETS}},
        "sources": {"terms": {"field": "source", "size": VALUE_BUCKETS}},
        **{f"filter_{name}": {"terms": {"field": name, "size": VALUE_BUCKETS}} for name in FILTERS},
    }
    distinct_answers = {"distinct": {"cardinality": {"field": "answer", "precision_threshold": PRECISION_THRESHOLD}}}
    aggs = {
        "searches": {"filter": _FIRST_PAGE_SEARCHES, "aggs": searches},
        # Every page's answer: an interaction may come from page 2, whose answer (token) is its own.
        "answers": {"filter": {"term": {"type": SEARCH}}, "aggs": distinct_answers},
        "interactions": {"filter": {"terms": {"type": list(INTERACTIONS)}}, "aggs": {
            "types": {"terms": {"field": "type", "size": len(INTERACTIONS)}},
            # A site page's view is not an answer's follow-up: its token is the page's own.
            "followed": {"filter": {"terms": {"type": ["detail", *CONTACTS]}}, "aggs": distinct_answers}}},
    }
    return {"query": {"bool": {"filter": scope}}, "aggs": aggs, "size": 0, "track_total_hits": False}


def _row(bucket: dict) -> Row:
    return Row(bucket.get("doc_count", 0), bucket.get("zero", {}).get("doc_count", 0),
               bucket.get("nearest", {}).get("doc_count", 0))


def _rows(terms: dict) -> dict[str, Row]:
    return {str(bucket["key"]): _row(bucket) for bucket in terms.get("buckets", ())}


def _counts(terms: dict) -> dict[str, int]:
    return {str(bucket["key"]): bucket["doc_count"] for bucket in terms.get("buckets", ())}


def _day(bucket: dict) -> date:
    return datetime.fromtimestamp(bucket["key"] / 1000, timezone.utc).date()


def tally(response: dict) -> Tally:
    """The counts in a report request's answer. No events at all (no index yet) is all zeros."""
    aggs = response.get("aggregations") or {}
    searches = aggs.get("searches", {})
    places = _rows(searches.get("places", {}))
    for area, row in _rows(searches.get("areas", {})).items():
        # A coarse area that is a town is the same gazetteer id as that town typed: one row.
        places[area] = places.get(area, Row()) + row
    interactions = aggs.get("interactions", {})
    return Tally(
        total=_row(searches),
        per_day={_day(bucket): _row(bucket) for bucket in searches.get("per_day", {}).get("buckets", ())
                 if bucket["doc_count"]},
        countries=_rows(searches.get("countries", {})),
        places=places,
        placed=_row(searches.get("placed", {})),
        filters={name: _counts(searches.get(f"filter_{name}", {})) for name in FILTERS},
        filters_beyond={name: searches.get(f"filter_{name}", {}).get("sum_other_doc_count", 0) for name in FILTERS},
        languages=_counts(searches.get("languages", {})),
        sources=_counts(searches.get("sources", {})),
        sources_beyond=searches.get("sources", {}).get("sum_other_doc_count", 0),
        interactions=_counts(interactions.get("types", {})),
        answers_searched=aggs.get("answers", {}).get("distinct", {}).get("value", 0),
        answers_with_interaction=interactions.get("followed", {}).get("distinct", {}).get("value", 0),
    )
