"""The analytics report as CSV: one long table, one row per shown row of every table of the report.

Columns (docs/staff-app.md, "CSV"): ``table, key, label, searches, zero_results, nearest_fallback,
zero_rate, nearest_rate, value``. ``table`` says which part of the report a row is from (period,
total, day, country, place, tier, cert, language, industry, ui_language, source, interaction);
``value`` holds what is not a count of searches (the period's dates are in ``label``). One long
table, rather than a section per table, so a spreadsheet can filter it and a script read it with
any CSV reader. The same rows whatever asks (the CLI, the staff app's download).
"""
from __future__ import annotations

from typing import IO, Iterator

from babel import Locale

from locator.analytics.output import write_rows
from locator.analytics.report_query import FILTERS

COLUMNS = ("table", "key", "label", "searches", "zero_results", "nearest_fallback", "zero_rate", "nearest_rate", "value")
_OUTCOMES = COLUMNS[3:8]
_COUNTRY_NAMES = Locale("en").territories
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _text(value: str | None) -> str:
    """A text cell a spreadsheet will not run as a formula (labels come from data)."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def _row(table: str, key: str, label: str | None = "", outcomes: dict | None = None, value=None) -> dict:
    row = {"table": table, "key": _text(key), "label": _text(label), "value": "" if value is None else value}
    row.update({name: "" if outcomes is None or outcomes.get(name) is None else outcomes[name] for name in _OUTCOMES})
    return row


def rows(report: dict) -> Iterator[dict]:
    """Every row of the CSV, in the report's order."""
    yield _row("period", "from", report["from"])
    yield _row("period", "to", report["to"])
    if report.get("country"):
        yield _row("period", "country", report["country"])
    yield _row("period", "min_count", value=report["min_count"])
    yield _row("total", "searches", outcomes=report)
    for key in ("answers_searched", "answers_with_interaction", "searches_followed_by_interaction"):
        yield _row("total", key, value=report[key])
    for day in report["per_day"]:
        yield _row("day", day["day"], outcomes={**day, "zero_rate": None, "nearest_rate": None})
    for row in report["by_country"]:
        yield _row("country", row["country"], _COUNTRY_NAMES.get(row["country"], ""), row)
    for row in report["by_place"]:
        yield _row("place", row["place_id"], row["label"], row)
    for name in FILTERS:
        for value, count in report["filters"][name].items():
            yield _row(name, value, outcomes={"searches": count})
    for table, counts in (("ui_language", report["languages"]), ("source", report["sources"])):
        for value, count in counts.items():
            yield _row(table, value, outcomes={"searches": count})
    for kind, count in report["interactions"].items():
        yield _row("interaction", kind, value=count)


def write_csv(report: dict, out: IO[str]) -> int:
    """Write the report to a text stream opened with newline=""; how many rows (the header not counted)."""
    return write_rows(rows(report), COLUMNS, out)
