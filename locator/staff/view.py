"""The dashboard's view of a report (``locator.analytics.report``): every number formatted, every code
named in the staff member's language, the charts drawn. Runs in a request (Flask-Babel's gettext).

The report has already folded the rows under ``[analytics] min_count`` into "other": this module
shows what it is given and nothing else, so the page, its CSV and the command line agree.
"""
from __future__ import annotations

from datetime import date

from babel import numbers
from babel.dates import format_date, format_skeleton
from flask_babel import gettext as _
from flask_babel import ngettext

from locator.analytics.report import OTHER
from locator.analytics.report_query import NO_COUNTRY
from locator.api import display
from locator.api.i18n import Ui
from locator.staff.charts import Bar, Series, bar_chart, line_chart

# Zero-result rate bands of the map's circles (staff.css colours them, the legend names them).
ZERO_RATE_BANDS = (0.05, 0.15, 0.30)


def _number(value: int, ui: Ui) -> str:
    return display.format_number(value, ui=ui)


def percent(value: float | None, ui: Ui) -> str:
    """0.1234 -> "12.3%" ("12,3 %" in German); "–" when there is nothing to divide."""
    if value is None:
        return "–"
    pattern = numbers.parse_pattern(ui.locale.percent_formats[None].pattern)
    pattern.frac_prec = (1, 1)
    return pattern.apply(value, ui.locale)


def band(zero_rate: float | None) -> int:
    """0 (under 5% of searches found nothing) to 3 (30% or more)."""
    return sum(1 for edge in ZERO_RATE_BANDS if (zero_rate or 0) >= edge)


def _named(key: str, name: str) -> str:
    return _("Other") if key == OTHER else name


def country_label(code: str, ui: Ui) -> str:
    return _("No country") if code == NO_COUNTRY else _named(code, display.country_name(code, ui))


def _filter_label(kind: str, value: str, ui: Ui) -> str:
    if value == OTHER:
        return _("Other")
    if kind == "tier":
        return display.tier_label(value, ui)
    if kind == "cert":  # the code first: the names are long, and the chart cuts labels
        name = display.cert_name(value, ui)
        return f"{value} – {name}" if name != value else value
    if kind == "language":
        return display.language_name(value, ui)
    return display.capitalise(value)


def _source_label(value: str) -> str:
    return _("Direct (the locator's own pages)") if value == "direct" else _named(value, value)


def _interaction_labels() -> dict[str, str]:
    return {"detail": _("Details opened"), "phone": _("Phone clicks"), "email": _("Email clicks"),
            "website": _("Website clicks"), "directions": _("Directions clicks"), "site_page": _("Site page views")}


def _searches(count: int, ui: Ui) -> str:
    return ngettext("%(count)s search", "%(count)s searches", count, count=_number(count, ui))


def _bars(section: str, title: str, desc: str, items: list[tuple[str, int]], ui: Ui) -> dict:
    bars = [Bar(label, count, _number(count, ui)) for label, count in items]
    return {"id": section, "title": title, "rows": bars,
            "chart": bar_chart(f"{section}-chart", title, desc, bars) if bars else None}


def _outcome_row(label: str, row: dict, ui: Ui) -> dict:
    return {"label": label, "searches": _number(row["searches"], ui), "zero": _number(row["zero_results"], ui),
            "zero_rate": percent(row["zero_rate"], ui), "nearest_rate": percent(row["nearest_rate"], ui)}


def _per_day(report: dict, ui: Ui) -> dict:
    days = report["per_day"]
    labels = [format_skeleton("MMMd", date.fromisoformat(day["day"]), locale=ui.locale) for day in days]
    series = [Series(_("Searches"), "series-searches", [day["searches"] for day in days]),
              Series(_("Without results"), "series-zero", [day["zero_results"] for day in days])]
    chart = line_chart("per-day-chart", _("Searches per day"),
                       _("Searches and searches without results on each day of the period (UTC)."),
                       labels, series, lambda value: _number(value, ui))
    rows = [{"label": format_date(date.fromisoformat(day["day"]), "medium", locale=ui.locale),
             "searches": _number(day["searches"], ui), "zero": _number(day["zero_results"], ui)} for day in days]
    return {"chart": chart, "series": series, "rows": rows}


def _places(report: dict, ui: Ui) -> tuple[list[dict], list[dict]]:
    rows, points = [], []
    for row in report["by_place"]:
        label = _named(row["place_id"], row["label"])
        rows.append(_outcome_row(label, row, ui) | {"band": band(row["zero_rate"])})
        if row["lat"] is not None and row["searches"]:
            points.append({"lat": row["lat"], "lon": row["lon"], "searches": row["searches"], "band": band(row["zero_rate"]),
                           "tip": ngettext("%(place)s: %(count)s search, %(rate)s without results",
                                           "%(place)s: %(count)s searches, %(rate)s without results", row["searches"],
                                           place=label, count=_number(row["searches"], ui),
                                           rate=percent(row["zero_rate"], ui))})
    return rows, points


def dashboard_view(report: dict, ui: Ui) -> dict:
    """Everything the dashboard template shows of ``report``."""
    filters_titles = {"tier": _("Tier filter"), "cert": _("Certification filter"), "language": _("Language filter"),
                      "industry": _("Industry filter")}
    filters = [_bars(f"filter-{kind}", filters_titles[kind], _("How many searches used each value of this filter."),
                     [(_filter_label(kind, value, ui), count) for value, count in report["filters"][kind].items()], ui)
               for kind in filters_titles]
    labels = _interaction_labels()
    interactions = [(labels[kind], count) for kind, count in report["interactions"].items()]
    place_rows, points = _places(report, ui)
    ui_languages = display.catalog(ui)["ui_languages"]
    return {
        "period": (format_date(date.fromisoformat(report["from"]), "long", locale=ui.locale),
                   format_date(date.fromisoformat(report["to"]), "long", locale=ui.locale)),
        "tiles": [
            (_("Searches"), _number(report["searches"], ui), _("first result pages")),
            (_("Without results"), percent(report["zero_rate"], ui), _searches(report["zero_results"], ui)),
            (_("Nearest partners instead"), percent(report["nearest_rate"], ui), _searches(report["nearest_fallback"], ui)),
            (_("Followed by an interaction"), percent(report["searches_followed_by_interaction"], ui),
             _("details or contact, per answer")),
            (_("Interactions"), _number(sum(report["interactions"].values()), ui), _("details, contacts, site pages")),
        ],
        "per_day": _per_day(report, ui),
        "countries": [_outcome_row(country_label(row["country"], ui), row, ui) for row in report["by_country"]],
        "countries_chart": _bars("countries", _("Searches by country"), _("How many searches were made in each country."),
                                 [(country_label(row["country"], ui), row["searches"]) for row in report["by_country"]],
                                 ui),
        "places": place_rows,
        "map_points": points,
        "filters": filters,
        "sources": _bars("sources", _("Where the searches came from"),
                         _("The locator's own pages, or the site that embeds it."),
                         [(_source_label(host), count) for host, count in report["sources"].items()], ui),
        "languages": _bars("ui-languages", _("Page languages"), _("The language of the page each search was made in."),
                           [(_named(code, ui_languages.get(code, code)), count)
                            for code, count in report["languages"].items()], ui),
        "interactions": _bars("interactions", _("Interactions"),
                              _("What customers did with the results: details opened, contacts, site pages."),
                              interactions, ui),
    }
