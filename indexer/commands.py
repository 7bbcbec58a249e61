"""``partner-locator index`` and ``partner-locator sample``: the indexer's commands (the CLI assembles them)."""
from __future__ import annotations

import functools
import os
import sys
from datetime import datetime, timezone
from pathlib import Path

import click

from locator.core.errors import UserFacingError
from locator.core.settings import Settings


def _locator_factory(settings: Settings):
    from indexer.sitelocator import build_site_locator

    return functools.partial(build_site_locator, settings.cache_dir, settings.geocoding)


def _workers(settings: Settings) -> int:
    # Online geocoders are rate-limited per process: several processes would break their policy.
    if settings.geocoding.backend != "gazetteer":
        return 1
    return settings.indexer.workers or os.cpu_count() or 1


def _options(settings: Settings, as_of, report, max_error_rate, min_ratio, force):
    from indexer.pipeline import IndexOptions

    tuning = settings.indexer
    return IndexOptions(
        as_of=(as_of or datetime.now(timezone.utc)).date(), max_error_rate=max_error_rate, min_ratio=min_ratio,
        force=force, report=report, bulk_chunk_size=tuning.bulk_chunk_size, bulk_threads=tuning.bulk_threads,
        lock_lease_s=tuning.lock_lease_s, primary_shards=tuning.primary_shards,
        auto_expand_replicas=tuning.auto_expand_replicas, workers=_workers(settings))


def _echo_summary(summary) -> None:
    for line in summary.lines() if summary else ():
        click.echo(line, err=True)


@click.command("index")
@click.argument("file", required=False)
@click.option("--config", "program_path", type=click.Path(dir_okay=False, path_type=Path),
              help="program configuration TOML [default: program.toml in PARTNER_LOCATOR_CONFIG_DIR, else the shipped one]")
@click.option("--as-of", type=click.DateTime(["%Y-%m-%d"]), help="evaluation date YYYY-MM-DD [default: today, UTC]")
@click.option("--report", type=click.Path(dir_okay=False, path_type=Path), help="write rejected lines here (JSON Lines)")
@click.option("--max-error-rate", type=click.FloatRange(0, 1), default=0.05, show_default=True,
              help="fail when more than this share of records is rejected or refused")
@click.option("--min-ratio", type=click.FloatRange(0, 1), default=0.9, show_default=True,
              help="refuse to go live with fewer than this share of the live index's sites")
@click.option("--force", is_flag=True, help="go live even below --min-ratio")
@click.option("--rollback", is_flag=True, help="point the alias back at the previous index (no FILE)")
@click.pass_obj
def index_command(settings: Settings, file, program_path, as_of, report, max_error_rate, min_ratio, force, rollback):
    """Index a partner export (FILE, '-' for stdin, plain or gzip) and swap it live; or --rollback."""
    from indexer import lifecycle
    from indexer.lifecycle import IndexRunError
    from indexer.lock import LockHeldError
    from indexer.pipeline import run_index
    from indexer.program import ProgramConfigError, load_program
    from indexer.source import numbered_lines, open_export
    from locator.core.es import connect

    if rollback == bool(file):
        raise click.UsageError("give either FILE or --rollback")
    es = connect(settings, "indexer")
    try:
        if rollback:
            live, previous = lifecycle.rollback(es, settings.index_prefix)
            click.echo(f"rolled back: {live} is live again (previous: {previous})")
            return
        program = load_program(program_path)  # a bad config stops the run before any record is read
        options = _options(settings, as_of, report, max_error_rate, min_ratio, force)
        with open_export(file) as stream:
            result = run_index(es, settings.index_prefix, numbered_lines(stream), program, _locator_factory(settings), options)
    except (IndexRunError, LockHeldError, ProgramConfigError, OSError) as exc:
        _echo_summary(exc.summary if isinstance(exc, IndexRunError) else None)
        raise UserFacingError(f"index: {exc}") from None
    _echo_summary(result.summary)
    click.echo(f"live: {result.index} ({result.summary.listed} sites; previous: {result.previous or 'none'})")
    _rollup_analytics(es, settings)


def _rollup_analytics(es, settings: Settings) -> None:
    """Every run ends with the partners' numbers brought up to date (issue 18): a failure there is
    said, and the run, already live, still succeeds."""
    from locator.analytics.rollup import rollup_and_prune

    if not settings.analytics.enabled:
        return
    try:
        sites, _ = rollup_and_prune(es, settings.index_prefix, datetime.now(timezone.utc),
                                    settings.analytics.retention_months)
    except Exception as exc:  # noqa: BLE001 - the listing is live; the numbers wait for the daily rollup
        click.echo(f"analytics rollup failed ({type(exc).__name__}: {exc}); the daily "
                   "`partner-locator analytics rollup` will catch up", err=True)
        return
    click.echo(f"analytics: {sites} sites with numbers for their partners' previews")


@click.command("sample")
@click.option("--sites", type=click.IntRange(1, 10_000_000), required=True, help="number of sites")
@click.option("--seed", type=int, default=1, show_default=True)
@click.option("--as-of", type=click.DateTime(["%Y-%m-%d"]),
              help="dates in the export are relative to this day, so its tiers come out as intended when the "
                   "indexer evaluates at the same day [default: today, UTC]")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="file [default: stdout]")
@click.pass_obj
def sample_command(settings: Settings, sites: int, seed: int, as_of, output: Path | None):
    """Write a realistic partner export of SITES sites over real cities (same seed and day: same bytes)."""
    from indexer.sample import write_sample
    from locator.core.gazetteer import Gazetteer

    write_sample(output or sys.stdout, sites, seed, gazetteer=Gazetteer.open(settings.cache_dir),
                 as_of=as_of.date() if as_of else None)

