"""``partner-locator analytics ...``: the commands around the events, for cron or a systemd timer
(docs/operations.md). ``rollup`` writes partners' own numbers and then prunes; ``prune`` deletes
whole months older than ``[analytics] retention_months``. Both connect as the indexer (the user
that manages the project's indices: the events user may only add events, the staff user only
read). The CLI assembles them.
"""
from __future__ import annotations

from datetime import datetime, timezone

import click

from locator.analytics.report_command import report_command
from locator.analytics.rollup import rollup
from locator.analytics.store import prune
from locator.core.es import connect
from locator.core.settings import Settings

_AT = click.option("--at", "at", type=click.DateTime(["%Y-%m-%dT%H:%M:%S", "%Y-%m-%d"]),
                   help="act as if it were this moment, UTC (re-running a missed day; tests) [default: now]")


def _moment(at: datetime | None) -> datetime:
    return at.replace(tzinfo=timezone.utc) if at else datetime.now(timezone.utc)


@click.group("analytics")
def analytics_group() -> None:
    """Search analytics: partners' daily numbers, retention, reports (docs/privacy.md)."""


analytics_group.add_command(report_command)


@analytics_group.command("rollup")
@_AT
@click.pass_obj
def rollup_command(settings: Settings, at: datetime | None) -> None:
    """Write each listed site's last 30 and 90 days for its partner's preview, then prune."""
    es, now = connect(settings, "indexer"), _moment(at)
    sites = rollup(es, settings.index_prefix, now)
    click.echo(f"rollup: {sites} sites with numbers as of {now:%Y-%m-%d %H:%M} UTC")
    _prune(es, settings, now)


@analytics_group.command("prune")
@_AT
@click.pass_obj
def prune_command(settings: Settings, at: datetime | None) -> None:
    """Delete the months of events older than [analytics] retention_months."""
    _prune(connect(settings, "indexer"), settings, _moment(at))


def _prune(es, settings: Settings, now: datetime) -> None:
    months = settings.analytics.retention_months
    deleted = prune(es, settings.index_prefix, now.date(), months)
    click.echo(f"prune: kept the last {months} months; deleted {', '.join(deleted) if deleted else 'nothing'}")
