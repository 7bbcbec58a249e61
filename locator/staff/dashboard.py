"""The dashboard: ``GET /`` (the report of a period, as charts, a map and tables), and the same
report as ``/report.csv`` (exactly the rows shown) and ``/report.json`` (the command line's contract).

The period comes from a plain GET form (``from``, ``to``: UTC days, both included; ``country``):
the default is the last 30 days, today included. A bad period is the form again with a message
(400); every refusal and failure is a page, never a traceback.
"""
from __future__ import annotations

import io
from datetime import date

from flask import Blueprint, Response, render_template, request, url_for
from flask_babel import gettext as _

from locator.analytics.report import MAX_DAYS, fetch_report, parse_period
from locator.analytics.report_csv import write_csv
from locator.api import i18n
from locator.api.jsonio import json_response
from locator.staff.context import staff_context
from locator.staff.layout import language_links, with_language
from locator.staff.view import ZERO_RATE_BANDS, dashboard_view, percent

dashboard = Blueprint("dashboard", __name__)


class BadPeriod(ValueError):
    """The form's period or country cannot be read: the message says why (shown on the page)."""


def _day(name: str) -> date | None:
    value = request.args.get(name, "").strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise BadPeriod(_("Give days as YYYY-MM-DD, such as 2026-05-31.")) from None


def asked() -> tuple[date, date, str | None]:
    """The period and country of this request (the form's fields), or BadPeriod."""
    country = request.args.get("country", "").strip().upper() or None
    if country is not None and not (len(country) == 2 and country.isascii() and country.isalpha()):
        raise BadPeriod(_("Give a country as its two-letter code, such as DK, or leave it empty for every country."))
    try:
        start, end = parse_period(staff_context().today(), None, _day("from"), _day("to"))
    except ValueError:
        raise BadPeriod(_("The period must not end before it starts, and covers at most %(days)s days.",
                          days=MAX_DAYS)) from None
    return start, end, country


def _report(start: date, end: date, country: str | None) -> dict:
    context = staff_context()
    return fetch_report(context.es, context.settings.index_prefix, start, end, context.settings.analytics.min_count,
                        country, context.gazetteer)


def _query(start: date, end: date, country: str | None, **more) -> dict:
    """The form's fields as query arguments: links keep the period, the country and the language."""
    query = {"from": start.isoformat(), "to": end.isoformat(), **({"country": country} if country else {})}
    return with_language(query) | more


@dashboard.get("/")
def index():
    ui = i18n.current()
    fields = {name: request.args.get(name, "") for name in ("from", "to", "country")}
    try:
        start, end, country = asked()
    except BadPeriod as exc:
        return render_template("staff_dashboard.html", fields=fields, problem=str(exc), view=None, languages=None), 400
    report = _report(start, end, country)
    query = _query(start, end, country)
    languages = language_links("dashboard.index", query, ui)
    return render_template("staff_dashboard.html", problem=None, report=report, view=dashboard_view(report, ui),
                           fields={"from": query["from"], "to": query["to"], "country": country or ""},
                           csv_href=url_for("dashboard.report_csv", **query), languages=languages,
                           bands=[percent(edge, ui) for edge in ZERO_RATE_BANDS],
                           tiles=staff_context().settings.pages)


@dashboard.errorhandler(BadPeriod)
def _bad_period(exc: BadPeriod) -> Response:
    """The downloads' answer to a period they cannot read (the page shows its form again instead)."""
    return Response(f"{exc}\n", 400, mimetype="text/plain")


@dashboard.get("/report.csv")
def report_csv() -> Response:
    start, end, country = asked()
    out = io.StringIO()
    write_csv(_report(start, end, country), out)
    name = f"partner-locator-report-{start}-{end}{f'-{country}' if country else ''}.csv"
    # utf-8-sig: spreadsheets then read the labels' accents right (as the command line's CSV).
    return Response(out.getvalue().encode("utf-8-sig"), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@dashboard.get("/report.json")
def report_json() -> Response:
    start, end, country = asked()
    return json_response(_report(start, end, country))
