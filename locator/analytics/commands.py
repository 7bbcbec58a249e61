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
from locator.analytics.rollup import rollup_and_prune
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
    now = _moment(at)
    sites, deleted = rollup_and_prune(connect(settings, "indexer"), settings.index_prefix, now,
                                      settings.analytics.retention_months)
    click.echo(f"rollup: {sites} sites with numbers as of {now:%Y-%m-%d %H:%M} UTC")
    _said_pruned(settings, deleted)


@analytics_group.command("prune")
@_AT
@click.pass_obj
def prune_command(settings: Settings, at: datetime | None) -> None:
    """Delete the months of events older than [analytics] retention_months."""
    months = settings.analytics.retention_months
    _said_pruned(settings, prune(connect(settings, "indexer"), settings.index_prefix, _moment(at).date(), months))


def _said_pruned(settings: Settings, deleted: list[str]) -> None:
    click.echo(f"prune: kept the last {settings.analytics.retention_months} months; "
               f"deleted {', '.join(deleted) if deleted else 'nothing'}")
