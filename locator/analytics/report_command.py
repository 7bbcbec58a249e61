"""``partner-locator analytics report``: the analytics report as JSON (the contract) or CSV.

Connects as the ``staff`` user (the one role that reads the events). The CLI attaches the command
to the ``analytics`` group; failures are one line (UserFacingError), and a period without events,
or a cluster without any events yet, is a valid report of zeros.
"""
from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import click
from elasticsearch import AuthorizationException

from locator.analytics.report import fetch_report, parse_period
from locator.analytics.report_csv import write_csv
from locator.analytics.output import write_output
from locator.core.errors import UserFacingError
from locator.core.es import connect
from locator.core.gazetteer import Gazetteer
from locator.core.settings import Settings

_DAY = click.DateTime(formats=["%Y-%m-%d"])


def _country(ctx, param, value: str | None) -> str | None:
    if value is not None and not (len(value) == 2 and value.isascii() and value.isalpha()):
        raise click.BadParameter("must be an ISO 3166-1 alpha-2 country code such as DK")
    return value.upper() if value else None


def report_for(settings: Settings, since: str | None, start, end, country: str | None) -> dict:
    """The report the options ask for, as the staff user (UserFacingError for what the user can fix)."""
    today = datetime.now(timezone.utc).date()
    try:
        first, last = parse_period(today, since, start and start.date(), end and end.date())
    except ValueError as exc:
        raise UserFacingError(str(exc)) from None
    es = connect(settings, "staff")
    try:
        return fetch_report(es, settings.index_prefix, first, last, settings.analytics.min_count, country,
                            Gazetteer.open(settings.cache_dir))
    except AuthorizationException as exc:
        raise UserFacingError(f"the staff user may not read the events ({exc.message}): give it the role in "
                              "config/roles/partner_locator_staff.json") from None
    finally:
        es.close()


@click.command("report")
@click.option("--since", metavar="Nd", help="the last N days, today (UTC) included [default: 30d]")
@click.option("--from", "start", type=_DAY, help="first day, YYYY-MM-DD (UTC) [default: 29 days before --to]")
@click.option("--to", "end", type=_DAY, help="last day, YYYY-MM-DD, included [default: today]")
@click.option("--country", callback=_country, help="only searches in this country (ISO code)")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="write here [default: stdout]")
@click.option("--format", "form", type=click.Choice(["json", "csv"]), default="json", show_default=True)
@click.pass_obj
def report_command(settings: Settings, since: str | None, start, end, country: str | None, output: Path | None,
                   form: str) -> None:
    """What customers searched for: by day, country, place, filter, language and source (docs/staff-app.md)."""
    report = report_for(settings, since, start, end, country)
    try:
        _write(report, form, output)
    except OSError as exc:
        raise UserFacingError(f"cannot write {output}: {exc.strerror or exc}") from None
    click.echo(f"{report['searches']} searches from {report['from']} to {report['to']}"
               + (f" in {country}" if country else "") + (f", written to {output}" if output else ""), err=True)


def _write(report: dict, form: str, output: Path | None) -> None:
    write_output(report, form, output, write_csv)
