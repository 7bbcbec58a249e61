"""The analytics report (``partner-locator analytics report``, the staff app): what customers looked
for over a date range, as one JSON-ready dict (the contract: docs/staff-app.md).

I/O at the edge: ``fetch_report`` asks Elasticsearch once (``report_query``) and hands the counts to
``build_report``, which is pure: it ranks, folds small rows into "other", fills the days without
events and computes the rates (in Python: the cluster has no painless).

The privacy rule (docs/privacy.md): no row counting fewer than ``[analytics] min_count`` searches is
shown, totals excepted; the smaller rows of a table are added up into its "other" row. The tables
by country, by place, of the filters, UI languages and sources fold; the totals, the interactions
(totals by type) and the days (the total, split in time) do not.
"""
from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Callable

from elasticsearch import Elasticsearch

from locator.analytics.report_query import FILTERS, Row, Tally, report_request, tally
from locator.core.coarse_area import CELL_DEGREES, cell
from locator.core.events import INTERACTIONS, events_pattern
from locator.core.gazetteer import Gazetteer

VERSION = 1  # of the JSON contract: a field is only ever added; a change of meaning is a new version
OTHER = "other"
TOP_PLACES = 50
MAX_DAYS = 120 * 31  # the longest retention ([analytics] retention_months <= 120), whole
# The staff user's client is a serving one (a 1 s timeout, for pages): a month of a busy locator
# takes longer than that to aggregate, and a report is worth waiting for.
REPORT_TIMEOUT_S = 60.0
_SINCE = re.compile(r"^(\d{1,4})d$")
_CELL = re.compile(r"^cell:(-?\d+(?:\.\d+)?),(-?\d+(?:\.\d+)?)$")


# ---------------------------------------------------------------- the period


def parse_period(today: date, since: str | None = None, start: date | None = None,
                 end: date | None = None) -> tuple[date, date]:
    """[start, end], both days included: ``since`` "30d" is the last 30 days, today included;
    else ``start`` (default: 29 days before ``end``) to ``end`` (default: today). ValueError says why not."""
    if since is not None:
        if start is not None or end is not None:
            raise ValueError("give either --since or --from/--to, not both")
        match = _SINCE.match(since.strip())
        if not match or int(match.group(1)) < 1:
            raise ValueError(f"--since must be a number of days such as 30d, not {since!r}")
        start, end = today - timedelta(days=int(match.group(1)) - 1), today
    end = end or today
    start = start or end - timedelta(days=29)
    if start > end:
        raise ValueError(f"the period starts ({start}) after it ends ({end})")
    if (end - start).days + 1 > MAX_DAYS:
        raise ValueError(f"a report covers at most {MAX_DAYS} days")
    return start, end


# ---------------------------------------------------------------- pure parts


def rate(part: int, whole: int) -> float | None:
    """part / whole to four decimals; None (not 0) when there is nothing to divide."""
    return round(part / whole, 4) if whole else None


def fold_rows(rows: dict[str, Row], min_count: int, whole: Row | None = None, top: int | None = None) -> list[tuple[str, Row]]:
    """Rows of ``min_count`` searches or more, most first (then by key), at most ``top``; the rest of
    ``whole`` (default: the rows' sum; it may hold rows the request did not list) in one "other" row."""
    ranked = sorted(((key, row) for key, row in rows.items() if row.searches >= min_count and key != OTHER),
                    key=lambda item: (-item[1].searches, item[0]))
    shown = ranked[:top] if top is not None else ranked
    rest = (sum(rows.values(), Row()) if whole is None else whole) - sum((row for _, row in shown), Row())
    return shown + ([(OTHER, rest)] if rest.searches > 0 else [])


def fold_counts(counts: dict[str, int], min_count: int, beyond: int = 0) -> dict[str, int]:
    """value -> searches, most first; values under ``min_count`` (and ``beyond``: uses the request did
    not list) added up as "other" (an industry the index does not know is "other" already)."""
    shown = {key: count for key, count in sorted(counts.items(), key=lambda item: (-item[1], item[0]))
             if count >= min_count and key != OTHER}
    rest = sum(counts.values()) + beyond - sum(shown.values())
    return shown | ({OTHER: rest} if rest > 0 else {})


def fill_days(days: dict[date, Row], start: date, end: date) -> list[dict]:
    """One entry per day of [start, end], days without searches as zeros."""
    out = []
    for offset in range((end - start).days + 1):
        day = start + timedelta(days=offset)
        row = days.get(day, Row())
        out.append({"day": day.isoformat(), "searches": row.searches, "zero_results": row.zero_results,
                    "nearest_fallback": row.nearest_fallback})
    return out


def _outcomes(row: Row) -> dict:
    return {"searches": row.searches, "zero_results": row.zero_results, "nearest_fallback": row.nearest_fallback,
            "zero_rate": rate(row.zero_results, row.searches), "nearest_rate": rate(row.nearest_fallback, row.searches)}


def cell_centre(place_id: str) -> tuple[float, float] | None:
    """The centre of a coarse area's cell ("cell:<south>,<west>"), as coarse_area made it."""
    match = _CELL.match(place_id)
    if not match:
        return None
    south, west = float(match.group(1)), float(match.group(2))
    centre = cell(south + CELL_DEGREES / 2, west + 1e-9)  # a point inside: the same cell, its centre
    return centre.lat, centre.lon


def place_facts(gazetteer: Gazetteer | None, place_id: str) -> dict:
    """label, country, lat, lon of a place row: a gazetteer town, or a cell ("cell 55.50, 12.25")."""
    centre = cell_centre(place_id)
    if centre is not None:
        south, west = place_id.removeprefix("cell:").split(",")
        return {"label": f"cell {south}, {west}", "country": None, "lat": centre[0], "lon": centre[1]}
    place = gazetteer.get(place_id) if gazetteer is not None and place_id.isdigit() else None
    if place is None:  # a place a newer gazetteer knew
        return {"label": place_id, "country": None, "lat": None, "lon": None}
    return {"label": place.label, "country": place.country, "lat": place.lat, "lon": place.lon}


def build_report(counts: Tally, start: date, end: date, min_count: int, country: str | None = None,
                 facts_of: Callable[[str], dict] = lambda place_id: place_facts(None, place_id)) -> dict:
    """The report (the JSON contract) from the counts of [start, end]; ``facts_of(place_id)`` labels a place."""
    by_place = []
    for place_id, row in fold_rows(counts.places, min_count, whole=counts.placed, top=TOP_PLACES):
        facts = ({"label": OTHER, "country": None, "lat": None, "lon": None} if place_id == OTHER
                 else facts_of(place_id))
        by_place.append({"place_id": place_id, **facts, **_outcomes(row)})
    followed = rate(counts.answers_with_interaction, counts.answers_searched)
    return {
        "version": VERSION,
        "from": start.isoformat(), "to": end.isoformat(), "country": country, "min_count": min_count,
        **_outcomes(counts.total),
        "by_country": [{"country": key, **_outcomes(row)} for key, row in fold_rows(counts.countries, min_count)],
        "by_place": by_place,
        "filters": {name: fold_counts(counts.filters[name], min_count, counts.filters_beyond[name]) for name in FILTERS},
        "languages": fold_counts(counts.languages, min_count),
        "sources": fold_counts(counts.sources, min_count, counts.sources_beyond),
        "interactions": {kind: counts.interactions.get(kind, 0) for kind in INTERACTIONS},
        "answers_searched": counts.answers_searched,
        "answers_with_interaction": counts.answers_with_interaction,
        # Distinct answers, not visits: an answer's token is shared by everyone given that answer.
        "searches_followed_by_interaction": None if followed is None else min(followed, 1.0),
        "per_day": fill_days(counts.per_day, start, end),
    }


# ---------------------------------------------------------------- the edge


def fetch_report(es: Elasticsearch, prefix: str, start: date, end: date, min_count: int, country: str | None = None,
                 gazetteer: Gazetteer | None = None) -> dict:
    """The report of [start, end] (one country's, or all) from the events of ``prefix``: one request."""
    response = es.options(request_timeout=REPORT_TIMEOUT_S).search(
        index=events_pattern(prefix), ignore_unavailable=True, allow_no_indices=True,
        **report_request(start, end, country))
    return build_report(tally(response.body), start, end, min_count, country,
                        lambda place_id: place_facts(gazetteer, place_id))
