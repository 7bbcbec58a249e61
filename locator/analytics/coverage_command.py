"""``partner-locator coverage``: the coverage report (``locator.analytics.coverage``) as JSON (the
contract, docs/staff-app.md) or CSV, connecting as the ``staff`` user.

Every failure is one line (UserFacingError): a bad option, a country the gazetteer does not know,
no listing yet, a user without the staff role. The report's own modules (numpy, scipy) are loaded
when the command runs, not whenever the command line starts.
"""
from __future__ import annotations

from pathlib import Path

import click

from locator.core.contract import CERT_TYPES, LISTED_TIERS
from locator.analytics.output import write_output
from locator.core.errors import UserFacingError
from locator.core.es import connect
from locator.core.gazetteer import Gazetteer
from locator.core.settings import Settings


def _since(text: str | None) -> int | None:
    """"30d" -> 30; "all" -> None (every event kept)."""
    if text is None:
        return 30
    if text.strip().lower() == "all":
        return None
    days = text.strip().lower().removesuffix("d")
    if not days.isdigit() or int(days) < 1:
        raise UserFacingError(f"--since must be a number of days such as 30d, or all, not {text!r}")
    return int(days)


def options_from(settings: Settings, gazetteer: Gazetteer, countries, tier, certs, radius, min_population,
                 same_country, since, circuity):
    """The report's options from the command's, checked (UserFacingError naming what is wrong)."""
    from locator.analytics.coverage import CoverageOptions, parse_radius

    unknown = [code for code in countries if gazetteer.country(code.upper()) is None]
    if unknown:
        raise UserFacingError(f"--country {unknown[0]}: not a country the gazetteer knows (an ISO code such as DK)")
    try:
        return CoverageOptions(countries=tuple(countries), tier=tier, certs=tuple(certs), radius_km=parse_radius(radius),
                               min_population=min_population, same_country=same_country, since_days=_since(since),
                               circuity=circuity, min_count=settings.analytics.min_count)
    except ValueError as exc:
        raise UserFacingError(str(exc)) from None


@click.command("coverage")
@click.option("--country", "countries", multiple=True, metavar="CC", help="only places in this country (repeatable)")
@click.option("--tier", type=click.Choice(LISTED_TIERS, case_sensitive=False), metavar="|".join(LISTED_TIERS),
              help="sites of at least this tier (advanced: every listed site) [default: any listed]")
@click.option("--cert", "certs", multiple=True, type=click.Choice(CERT_TYPES, case_sensitive=False),
              metavar="|".join(CERT_TYPES),
              help="sites with this certification (repeatable: all of them)")
@click.option("--radius", default="100km", show_default=True, metavar="100km|60mi", help="a gap is a place farther than this: 100km, 60mi")
@click.option("--min-population", type=int, default=50_000, show_default=True, help="places of at least N people (>= 500)")
@click.option("--same-country", is_flag=True, help="count only sites in the place's own country")
@click.option("--since", metavar="Nd", help="searches of the last N days, or all [default: 30d]")
@click.option("--circuity", type=float, default=1.0, show_default=True,
              help="multiply great-circle distances by this (roads are longer), 1 to 3")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="write here [default: stdout]")
@click.option("--format", "form", type=click.Choice(["json", "csv"]), default="json", show_default=True)
@click.pass_obj
def coverage_command(settings: Settings, countries, tier, certs, radius, min_population, same_country, since, circuity,
                     output: Path | None, form: str) -> None:
    """Where people and searches are far from a qualified partner, and who could close the gap (docs/staff-app.md)."""
    from locator.analytics.coverage import coverage_report

    gazetteer = Gazetteer.open(settings.cache_dir)
    options = options_from(settings, gazetteer, countries, tier and tier.lower(), [cert.upper() for cert in certs],
                           radius, min_population, same_country, since, circuity)
    es = connect(settings, "staff")
    try:
        report = coverage_report(es, gazetteer, settings.index_prefix, options)
    finally:
        es.close()
    try:
        _write(report, form, output)
    except OSError as exc:
        raise UserFacingError(f"cannot write {output or 'stdout'}: {exc.strerror or exc}") from None
    gaps = sum(place["gap"] for place in report["places"])
    click.echo(f"{len(report['places'])} places in scope, {gaps} gaps within {options.radius_km:g} km, "
               f"{report['sites_meeting_filter']} sites meeting the filter"
               + (f", written to {output}" if output else ""), err=True)


def _write(report: dict, form: str, output: Path | None) -> None:
    from locator.analytics.coverage_csv import write_coverage_csv

    write_output(report, form, output, write_coverage_csv)
