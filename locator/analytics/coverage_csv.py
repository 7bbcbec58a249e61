"""The coverage report as CSV: one long table, a row per place and a row per country.

Columns (docs/staff-app.md, "Coverage gaps"): ``table`` ("place" or "country"), the place's own
columns, the country summary's, then the upgrade candidates of a gap place flattened to three
groups of columns (``candidate_1_partner_id`` ...), their missing requirements ``;``-separated as
in the eligibility report. One table, as the analytics report's CSV, so a spreadsheet can filter it;
the same rows whatever asks (the command line, the staff page's download). Text that would start
like a spreadsheet formula is prefixed with ``'``.
"""
from __future__ import annotations

from typing import IO, Iterator

from locator.analytics.output import write_rows
from locator.analytics.coverage_candidates import MAX_CANDIDATES

_PLACE = ("place_id", "place", "region", "country", "population", "lat", "lon", "nearest_km", "nearest_site_id",
          "nearest_company", "gap", "searches", "unmet_searches")
_COUNTRY = ("population_in_scope", "population_covered_share", "gap_places")
_CANDIDATE = ("partner_id", "company", "site_id", "city", "distance_km", "missing_for_advanced")
COLUMNS = ("table", *_PLACE, *_COUNTRY,
           *(f"candidate_{number}_{name}" for number in range(1, MAX_CANDIDATES + 1) for name in _CANDIDATE))
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value) -> str | int | float:
    """A cell: numbers as they are, booleans as yes/no, None empty, text never run as a formula."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, list):
        value = "; ".join(value)
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def rows(report: dict) -> Iterator[dict]:
    for place in report["places"]:
        row = {"table": "place", **{name: _cell(place.get(name)) for name in _PLACE}}
        for number, candidate in enumerate(place["upgrade_candidates"][:MAX_CANDIDATES], start=1):
            row.update({f"candidate_{number}_{name}": _cell(candidate.get(name)) for name in _CANDIDATE})
        yield row
    for country in report["countries"]:
        yield {"table": "country", "country": _cell(country["country"]),
               "searches": country.get("searches", ""), "unmet_searches": country["unmet_searches"],
               **{name: _cell(country[name]) for name in _COUNTRY}}


def write_coverage_csv(report: dict, out: IO[str]) -> int:
    """Write the report to a text stream opened with newline="" (and encoding="utf-8-sig" for a file a
    spreadsheet opens); how many rows, the header not counted."""
    return write_rows(rows(report), COLUMNS, out)
