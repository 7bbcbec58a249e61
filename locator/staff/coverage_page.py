"""The coverage page: ``GET /coverage`` (where customers find no qualified partner: a map, the country
summary, the ranked places with their upgrade candidates) and ``/coverage.csv`` (exactly the rows
shown), both from ``locator.analytics.coverage`` with the filters of the page's GET form
(coverage_form.py). Behind the staff-only guard like every staff page (app.py).

The report names only the nearest site of each place; the map's light layer of listed sites is
``listed_site_cells``: the listed sites that meet the filter around the places in scope, grouped
into grid cells by one aggregation (as fine as the places' box allows), at most MAX_SITE_CELLS
points however large the listing.
"""
from __future__ import annotations

import io
import math

from elasticsearch import Elasticsearch
from flask import Blueprint, Response, render_template, request, url_for

from locator.analytics.coverage import CoverageOptions, coverage_report, write_coverage_csv
from locator.analytics.coverage_query import READ_TIMEOUT_S, site_filter
from locator.api import display, i18n
from locator.core.contract import CERT_TYPES, LISTED_TIERS
from locator.core.errors import UserFacingError
from locator.core.mapping import sites_alias
from locator.staff.context import staff_context
from locator.staff.coverage_form import BadForm, CoverageForm, form_fields, read_form
from locator.staff.coverage_view import coverage_view, listed_places, shown_report
from locator.staff.layout import language_links, with_language

coverage = Blueprint("coverage", __name__)
MAX_SITE_CELLS = 3000
# The grid is as fine as the places in scope allow: about CELLS_ACROSS map tiles across their box,
# so a country's sites come near one dot each and the world's stay a few thousand cells at most.
CELLS_ACROSS = 64
PRECISIONS = (3, 12)  # Web Mercator zooms: ~5,000 km to ~10 km tiles at the equator
KM_PER_DEGREE = 111.2


def site_box(report: dict) -> tuple[float, float, float, float] | None:
    """(north, west, south, east) around the report's places, a radius wider: where the sites that
    could cover them are. None without places. A box across the antimeridian is the whole width."""
    places = report["places"]
    if not places:
        return None
    lats, lons = [place["lat"] for place in places], [place["lon"] for place in places]
    pad = report["radius_km"] / KM_PER_DEGREE
    lon_pad = pad / max(math.cos(math.radians(max(map(abs, lats)))), 0.1)
    return (min(max(lats) + pad, 90.0), max(min(lons) - lon_pad, -180.0), max(min(lats) - pad, -90.0),
            min(max(lons) + lon_pad, 180.0))


def cell_precision(box: tuple[float, float, float, float]) -> int:
    north, west, south, east = box
    span = max(east - west, north - south, 1e-3)
    return min(max(int(math.log2(360 * CELLS_ACROSS / span)), PRECISIONS[0]), PRECISIONS[1])


def listed_site_cells(es: Elasticsearch, prefix: str, options: CoverageOptions, report: dict) -> list[list[float]]:
    """[lat, lon, sites] per grid cell holding listed sites that meet the filter near the report's
    places (the cell's sites' centroid), the fullest cells first, at most MAX_SITE_CELLS."""
    box = site_box(report)
    if box is None:
        return []
    north, west, south, east = box
    counting = site_filter(options.tier, options.certs, options.countries if options.same_country else ())
    near = {"geo_bounding_box": {"location": {"top_left": {"lat": north, "lon": west},
                                              "bottom_right": {"lat": south, "lon": east}}}}
    # The report's own reads wait as long (a staff page, not the public search): one aggregation of the listing.
    answer = es.options(request_timeout=READ_TIMEOUT_S).search(
        index=sites_alias(prefix), size=0, query={"bool": {"filter": [*counting, near]}},
        aggs={"cells": {"geotile_grid": {"field": "location", "precision": cell_precision(box), "size": MAX_SITE_CELLS},
                        "aggs": {"centre": {"geo_centroid": {"field": "location"}}}}})
    return [[round(cell["centre"]["location"]["lat"], 3), round(cell["centre"]["location"]["lon"], 3), cell["doc_count"]]
            for cell in answer["aggregations"]["cells"]["buckets"]]


def _form() -> CoverageForm:
    return read_form(request.args, i18n.current(), staff_context().settings.analytics.min_count)


def _report(form: CoverageForm) -> dict:
    """The report of the staff app's day (the tests fix its clock): the period of searches ends today."""
    context = staff_context()
    return coverage_report(context.es, context.gazetteer, context.settings.index_prefix, form.options,
                           today=context.today())


def _page(status: int = 200, **values) -> tuple[str, int]:
    ui = i18n.current()
    choices = {"tiers": [(tier, display.tier_label(tier, ui)) for tier in reversed(LISTED_TIERS)],
               "certs": [(cert, f"{cert} – {display.cert_name(cert, ui)}") for cert in CERT_TYPES]}
    return render_template("staff_coverage.html", fields=form_fields(request.args, ui), choices=choices,
                           tiles=staff_context().settings.pages, **values), status


@coverage.get("/coverage")
def index():
    ui = i18n.current()
    try:
        form = _form()
    except BadForm as exc:
        return _page(400, problem=str(exc), view=None, languages=None)
    try:
        report = _report(form)
    except UserFacingError as exc:  # nothing live to measure against yet: the report says what to do
        return _page(503, problem=str(exc), view=None, languages=None)
    context = staff_context()
    cells = listed_site_cells(context.es, context.settings.index_prefix, form.options, report)
    query = with_language(form.query())
    return _page(problem=None, view=coverage_view(report, form, cells, ui), form=form,
                 languages=language_links("coverage.index", query, ui),
                 csv_href=url_for("coverage.coverage_csv", **query))


@coverage.get("/coverage.csv")
def coverage_csv() -> Response:
    try:
        form = _form()
        report = _report(form)
    except BadForm as exc:
        return Response(f"{exc}\n", 400, mimetype="text/plain")
    except UserFacingError as exc:
        return Response(f"{exc}\n", 503, mimetype="text/plain")
    out = io.StringIO()
    write_coverage_csv(shown_report(report, listed_places(report, form.listing)[0]), out)
    # utf-8-sig: spreadsheets then read the places' accents right (as the command line's CSV).
    return Response(out.getvalue().encode("utf-8-sig"), mimetype="text/csv",
                    headers={"Content-Disposition": 'attachment; filename="partner-locator-coverage.csv"'})
