"""The coverage page's filters, read from its GET form: the command line's options
(``partner-locator coverage``), with the radius as a number and a unit, and which places to list.

Every field is checked here, so a bad value is the form again with a message saying what to give
(BadForm, 400), never a traceback or a report of something else than was asked.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from locator.analytics.coverage import CoverageOptions
from locator.analytics.report import MAX_DAYS
from locator.api.display import ANY_DISTANCE_KM, format_number
from locator.core.geo import KM_PER_MILE
from locator.api.i18n import UNITS, Ui
from locator.core.contract import CERT_TYPES, LISTED_TIERS

MIN_POPULATION = 500  # the gazetteer's smallest places
DEFAULT_RADIUS = {"km": 100, "mi": 60}  # the command line's example pair: 60 mi is about 100 km
LISTINGS = ("gaps", "all")  # the table lists the gap places, or every place in scope
_COUNTRY = re.compile(r"^[A-Z]{2}$")
_WHOLE = re.compile(r"^\d{1,10}$")
_NUMBER = re.compile(r"^\d{1,6}(?:[.,]\d{1,3})?$")


class BadForm(ValueError):
    """A field the page cannot read: the message says what to give (shown above the form)."""


@dataclass(frozen=True)
class CoverageForm:
    options: CoverageOptions
    radius: float  # in ``unit``, as the form gave it
    unit: str
    listing: str

    def query(self) -> dict:
        """The filters as the form's own query arguments (the CSV link, the language links)."""
        options = self.options
        query = {"country": ",".join(options.countries), "tier": options.tier, "cert": list(options.certs),
                 "radius": _plain(self.radius), "unit": self.unit, "min_population": str(options.min_population),
                 "same_country": "1" if options.same_country else None, "since": str(options.since_days),
                 "list": self.listing}
        return {name: value for name, value in query.items() if value}


def _plain(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def form_fields(args: MultiDict, ui: Ui) -> dict:
    """What the form shows: the request's own values (also when they are wrong), else the defaults."""
    unit = args.get("unit") if args.get("unit") in UNITS else ui.unit
    return {"country": ", ".join(args.getlist("country")), "tier": args.get("tier", ""), "certs": args.getlist("cert"),
            "radius": args.get("radius", str(DEFAULT_RADIUS[unit])), "unit": unit,
            "min_population": args.get("min_population", str(CoverageOptions().min_population)),
            "same_country": bool(args.get("same_country")), "since": args.get("since", str(CoverageOptions().since_days)),
            "list": args.get("list", LISTINGS[0])}


def read_form(args: MultiDict, ui: Ui, min_count: int) -> CoverageForm:
    """The filters of a request (every field optional: the defaults are the command line's), or BadForm.
    ``min_count`` is ``[analytics] min_count``: the page shows no demand of fewer searches either."""
    fields = form_fields(args, ui)
    unit = args.get("unit") or ui.unit
    if unit not in UNITS:
        raise BadForm(_("Choose the radius in kilometres or in miles."))
    radius = _radius(fields["radius"], unit, ui)
    if fields["list"] not in LISTINGS:
        raise BadForm(_("Choose whether to list the gap places or every place in scope."))
    values = dict(countries=_countries(args.getlist("country")), tier=_tier(fields["tier"]), certs=_certs(fields["certs"]),
                  radius_km=radius * (KM_PER_MILE if unit == "mi" else 1.0),
                  min_population=_min_population(fields["min_population"], ui), same_country=fields["same_country"],
                  since_days=_since(fields["since"], ui), min_count=min_count)
    try:
        options = CoverageOptions(**values)
    except ValueError as exc:  # the report's own checks: the ones above say the same, in the page's language
        raise BadForm(str(exc)) from None
    return CoverageForm(options, radius, unit, fields["list"])


def _countries(values: list[str]) -> tuple[str, ...]:
    """Repeated fields or a comma list ("DK, SE"), any case; each once, in the order given."""
    codes = [code.strip().upper() for value in values for code in value.split(",") if code.strip()]
    if not all(_COUNTRY.match(code) for code in codes):
        raise BadForm(_("Give countries as two-letter codes, such as DK or DK, SE, or leave the field empty for every country."))
    return tuple(dict.fromkeys(codes))


def _tier(value: str) -> str | None:
    if value and value not in LISTED_TIERS:
        raise BadForm(_("Choose a tier from the list."))
    return value or None


def _certs(values: list[str]) -> tuple[str, ...]:
    if not all(value in CERT_TYPES for value in values):
        raise BadForm(_("Choose certifications from the list."))
    return tuple(cert for cert in CERT_TYPES if cert in values)


def _radius(text: str, unit: str, ui: Ui) -> float:
    largest = ANY_DISTANCE_KM / (KM_PER_MILE if unit == "mi" else 1.0)
    value = float(text.strip().replace(",", ".")) if _NUMBER.match(text.strip()) else 0.0
    if not 0 < value <= largest:
        raise BadForm(_("Give the radius as a number above 0 and at most %(largest)s.",
                        largest=format_number(int(largest), ui=ui)))
    return value


def _min_population(text: str, ui: Ui) -> int:
    value = int(text.strip()) if _WHOLE.match(text.strip()) else 0
    if value < MIN_POPULATION:
        raise BadForm(_("Give the smallest population as a whole number of at least %(least)s.",
                        least=format_number(MIN_POPULATION, ui=ui)))
    return value


def _since(text: str, ui: Ui) -> int:
    days = text.strip().removesuffix("d")
    value = int(days) if _WHOLE.match(days) else 0
    if not 1 <= value <= MAX_DAYS:
        raise BadForm(_("Give the days of searches to count as a whole number from 1 to %(most)s.",
                        most=format_number(MAX_DAYS, ui=ui)))
    return value
