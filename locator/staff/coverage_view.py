"""The coverage page's view of a coverage report (``locator.analytics.coverage``): the rows it lists,
every number and distance written in the staff member's language and unit, and the map's data.
Runs in a request (Flask-Babel's gettext).

The page lists the report's places in the report's order (most unmet searches, else most people,
first): the gap places, or every place in scope, at most MAX_ROWS of them. ``shown_report`` is the
report cut to exactly those rows: the CSV writes it, so the download is what the page shows.
"""
from __future__ import annotations

from datetime import date

from babel.dates import format_date
from flask_babel import gettext as _

from locator.api import display
from locator.api.i18n import Ui
from locator.core import requirement_words
from locator.core.geo import KM_PER_MILE
from locator.staff.coverage_form import CoverageForm
from locator.staff.view import percent

MAX_ROWS = 500  # a page of a few hundred kB; narrower filters (or the command line) list the rest
# The map: every gap place up to MAP_GAPS (a circle each, with its tooltip), then the covered places
# up to MAP_COVERED (light dots): enough to see the shape of a country, never a page of megabytes.
MAP_GAPS = 1500
MAP_COVERED = 3000
# Gap places are coloured by how far the nearest qualified site is, in radii: 1-1.5, 1.5-2, 2-3, 3+ (or none).
GAP_BANDS = (1.5, 2.0, 3.0)
COORDINATE_DECIMALS = 3  # ~100 m: the map needs no more


def listed_places(report: dict, listing: str) -> tuple[list[dict], int]:
    """The report's places the page lists (in its order, at most MAX_ROWS) and how many there were."""
    places = [place for place in report["places"] if listing == "all" or place["gap"]]
    return places[:MAX_ROWS], len(places)


def shown_report(report: dict, rows: list[dict]) -> dict:
    return {**report, "places": rows}


def gap_band(nearest_km: float | None, radius_km: float) -> int:
    """0 (nearest just beyond the radius) to 3 (three radii or more away, or no qualified site at all)."""
    if nearest_km is None:
        return len(GAP_BANDS)
    return sum(1 for edge in GAP_BANDS if nearest_km >= edge * radius_km)


class Writer:
    """Numbers and distances as the page writes them: the staff member's language, the form's unit."""

    def __init__(self, ui: Ui, unit: str):
        self.ui, self.unit = ui, unit
        self.per_km = 1 / KM_PER_MILE if unit == "mi" else 1.0

    def number(self, value: int) -> str:
        return display.format_number(value, ui=self.ui)

    def distance(self, km: float) -> str:
        return display.format_distance_in(km * self.per_km, self.unit, self.ui)


def _requirement(name: str, ui: Ui) -> str:
    return requirement_words.reworded(name, _, lambda tier: display.tier_label(tier, ui))


def _candidate(candidate: dict, write: Writer, ui: Ui) -> dict:
    values = {"partner": candidate["partner_id"], "site": candidate["site_id"], "city": candidate.get("city"),
              "distance": write.distance(candidate["distance_km"])}
    where = (_("partner %(partner)s, site %(site)s in %(city)s, %(distance)s", **values) if values["city"]
             else _("partner %(partner)s, site %(site)s, %(distance)s", **values))
    return {"company": candidate["company"] or candidate["partner_id"], "where": where,
            "missing": [_requirement(name, ui) for name in candidate["missing_for_advanced"]]}


def _place_row(rank: int, place: dict, radius_km: float, write: Writer, ui: Ui) -> dict:
    nearest = place["nearest_km"]
    return {"rank": write.number(rank), "place": place["place"], "region": place["region"] or "",
            "country": display.country_name(place["country"], ui), "population": write.number(place["population"]),
            "nearest": write.distance(nearest) if nearest is not None else _("no qualified site"),
            "nearest_site": (f'{place["nearest_company"] or ""} ({place["nearest_site_id"]})'
                             if place["nearest_site_id"] else ""),
            "gap": place["gap"], "band": gap_band(nearest, radius_km) if place["gap"] else None,
            "searches": write.number(place["searches"]), "unmet": write.number(place["unmet_searches"]),
            "candidates": [_candidate(candidate, write, ui) for candidate in place["upgrade_candidates"]]}


def _country_row(row: dict, write: Writer, ui: Ui) -> dict:
    return {"country": display.country_name(row["country"], ui), "places": write.number(row["places"]),
            "population": write.number(row["population_in_scope"]), "searches": write.number(row["searches"]),
            "covered": percent(row["population_covered_share"], ui), "gaps": write.number(row["gap_places"]),
            "unmet": write.number(row["unmet_searches"])}


def _tiles(report: dict, min_population: int, write: Writer, ui: Ui) -> list[tuple[str, str, str]]:
    places = report["places"]
    people = sum(place["population"] for place in places)
    gaps = [place for place in places if place["gap"]]
    gap_people = sum(place["population"] for place in gaps)
    return [
        (_("Places in scope"), write.number(len(places)), _("of %(count)s people or more", count=write.number(min_population))),
        (_("Gap places"), write.number(len(gaps)), _("no qualified site within %(radius)s",
                                                     radius=write.distance(report["radius_km"]))),
        (_("People covered"), percent((people - gap_people) / people if people else None, ui),
         _("%(count)s people in gap places", count=write.number(gap_people))),
        (_("Unmet searches"), write.number(sum(place["unmet_searches"] for place in places)),
         _("of %(count)s searches near these places", count=write.number(sum(place["searches"] for place in places)))),
        (_("Qualified sites"), write.number(report["sites_meeting_filter"]), _("listed sites that meet the filter")),
    ]


def _legend(radius_km: float, write: Writer) -> list[tuple[str, str]]:
    edges = [write.distance(radius_km * factor) for factor in (1.0, *GAP_BANDS)]
    return [("gap-0", _("%(low)s to %(high)s", low=edges[0], high=edges[1])),
            ("gap-1", _("%(low)s to %(high)s", low=edges[1], high=edges[2])),
            ("gap-2", _("%(low)s to %(high)s", low=edges[2], high=edges[3])),
            ("gap-3", _("over %(distance)s, or no qualified site", distance=edges[3])),
            ("covered", _("covered: a qualified site within %(distance)s", distance=edges[0])),
            ("sites", _("listed sites that meet the filter"))]


def _point(place: dict) -> list[float]:
    return [round(place["lat"], COORDINATE_DECIMALS), round(place["lon"], COORDINATE_DECIMALS)]


def map_data(report: dict, site_cells: list[list[float]], write: Writer, ui: Ui) -> dict:
    """The JSON block coverage.js draws: gap circles (sized by population, a band each, a tooltip),
    covered places and listed sites as light dots ([lat, lon], [lat, lon, sites])."""
    radius = report["radius_km"]
    gaps = [place for place in report["places"] if place["gap"]][:MAP_GAPS]
    covered = [place for place in report["places"] if not place["gap"]][:MAP_COVERED]
    return {
        "gaps": [{"at": _point(place), "population": place["population"], "band": gap_band(place["nearest_km"], radius),
                  "tip": _gap_tip(place, write, ui)} for place in gaps],
        "covered": [_point(place) for place in covered],
        "sites": site_cells,
    }


def _gap_tip(place: dict, write: Writer, ui: Ui) -> str:
    where = f'{place["place"]}, {place["country"]}'
    people = write.number(place["population"])
    if place["nearest_km"] is None:
        return _("%(place)s: %(people)s people, no qualified site", place=where, people=people)
    return _("%(place)s: %(people)s people, the nearest qualified site %(distance)s away", place=where, people=people,
             distance=write.distance(place["nearest_km"]))


def coverage_view(report: dict, form: CoverageForm, site_cells: list[list[float]], ui: Ui) -> dict:
    """Everything the coverage template shows of ``report``."""
    write = Writer(ui, form.unit)
    rows, total = listed_places(report, form.listing)
    return {
        "tiles": _tiles(report, form.options.min_population, write, ui),
        "countries": [_country_row(row, write, ui) for row in report["countries"]],
        "places": [_place_row(rank, place, report["radius_km"], write, ui) for rank, place in enumerate(rows, 1)],
        "listed": len(rows), "matching": total,
        "legend": _legend(report["radius_km"], write),
        "map": map_data(report, site_cells, write, ui),
        "radius": write.distance(report["radius_km"]),
        "period": tuple(format_date(date.fromisoformat(day), "long", locale=ui.locale)
                        for day in (report["period"]["from"], report["period"]["to"])) if report.get("period") else None,
    }
