"""The analytics report over a month of a busy locator: 1M events (a script, not a test; issue 18's
target is <= 3 s end to end).

Streams a realistic month of events (tests/analytics_events.py: searches of every kind, next pages,
details, contacts, site pages; ~1.85 events a search) into a benchmark prefix of its own, bulk-
written as the indexer with the events writer's own EventStore (op_type=create, the strict mapping,
monthly indices), a batch at a time so memory stays flat; refreshes; then times the report end to
end, several times:

- ``report``: as the ``staff`` user, ``fetch_report`` (the one aggregation request, then folding,
  rates, days and place labels in Python) and its JSON, as ``partner-locator analytics report``
  does: with Elasticsearch's request cache and global ordinals cleared before each run (cold),
  just after 500 new events were written and refreshed (a live month), and repeated (warm);
- ``dashboard``: the staff app's whole ``GET /`` (the report, the view, the SVG charts, the page);
- ``command``: ``partner-locator analytics report`` as a process (Python's start-up included), once.

Every index it made is deleted afterwards, by name (``--keep`` keeps them, ``--reuse`` uses them).

    .venv/bin/python benchmarks/analytics_report.py [--events 1000000] [--runs 5] [--keep] [--reuse]
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from itertools import islice
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import orjson  # noqa: E402

from benchmarks.machine import code_fingerprint, wait_until_quiet  # noqa: E402
from locator.analytics.report import fetch_report  # noqa: E402
from locator.analytics.store import EventStore  # noqa: E402
from locator.core.es import connect  # noqa: E402
from locator.core.events import events_pattern  # noqa: E402
from locator.core.gazetteer import Gazetteer  # noqa: E402
from locator.core.settings import load_settings  # noqa: E402
from tests.analytics_events import day_factor, realistic_events  # noqa: E402

DAYS = 30
EVENTS_PER_SEARCH = 1.85  # realistic_events' mix, measured
BATCH = 5000


def write_month(es, prefix: str, first_day, events: int) -> tuple[int, float]:
    """Stream ``events`` events of DAYS days into ``prefix``'s monthly indices; (stored, seconds)."""
    # A little more than enough (the weekdays of this month, ~1.85 events a search), cut at ``events``.
    busy = sum(day_factor(first_day + timedelta(days=offset)) for offset in range(DAYS))
    per_day = round(events / busy / EVENTS_PER_SEARCH * 1.03)
    store, stored, batch = EventStore(es), 0, []
    started = time.perf_counter()
    for event in islice(realistic_events(prefix, first_day, DAYS, per_day, seed=2026), events):
        batch.append(event)
        if len(batch) == BATCH:
            stored += store.write(batch)
            batch = []
            if stored % 100_000 < BATCH:
                print(f"  {stored:>9,} events written ({stored / (time.perf_counter() - started):,.0f}/s)", flush=True)
    if batch:
        stored += store.write(batch)
    es.indices.refresh(index=events_pattern(prefix))
    return stored, time.perf_counter() - started


def timed(action, runs: int, before=None) -> list[float]:
    seconds = []
    for _ in range(runs):
        if before is not None:
            before()
        started = time.perf_counter()
        action()
        seconds.append(time.perf_counter() - started)
    return seconds


def show(name: str, seconds: list[float]) -> None:
    print(f"{name:<40} min {min(seconds):6.3f} s   median {statistics.median(seconds):6.3f} s   "
          f"max {max(seconds):6.3f} s   ({len(seconds)} runs)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--keep", action="store_true", help="keep the benchmark's indices")
    parser.add_argument("--reuse", action="store_true", help="use the indices a --keep run left")
    args = parser.parse_args()

    base = load_settings()
    prefix = f"{base.index_prefix}-bench-report"
    settings = base.replace("elasticsearch", index_prefix=prefix).replace("staff", secret="b" * 40)
    indexer, staff = connect(settings, "indexer"), connect(settings, "staff")
    today = datetime.now(timezone.utc).date()
    first_day = (today.replace(day=1) - timedelta(days=1)).replace(day=1)  # last month: one monthly index
    last_day = first_day + timedelta(days=DAYS - 1)
    print(f"code {code_fingerprint(ROOT)}, prefix {prefix}, days {first_day}..{last_day}")
    try:
        if not args.reuse:
            names = list(indexer.indices.get(index=events_pattern(prefix), ignore_unavailable=True))
            if names:
                indexer.indices.delete(index=",".join(names))
            stored, seconds = write_month(indexer, prefix, first_day, args.events)
            print(f"wrote {stored:,} events in {seconds:.1f} s ({stored / seconds:,.0f} events/s, EventStore bulks of {BATCH})")
        counts = indexer.count(index=events_pattern(prefix))["count"]
        stats = indexer.indices.stats(index=events_pattern(prefix), metric="store,segments")["_all"]["primaries"]
        print(f"{counts:,} events, {stats['store']['size_in_bytes'] / 1e6:.0f} MB, {stats['segments']['count']} segments")
        gazetteer = Gazetteer.open(settings.cache_dir)
        wait_until_quiet()

        def report() -> bytes:
            return orjson.dumps(fetch_report(staff, prefix, first_day, last_day, settings.analytics.min_count,
                                             gazetteer=gazetteer))

        def clear_cache() -> None:
            # The request cache (a repeated report) and the global ordinals the terms aggregations build
            # (kept in the fielddata cache until the next refresh).
            indexer.indices.clear_cache(index=events_pattern(prefix), request=True, fielddata=True)

        later = realistic_events(prefix, last_day, 1, 20_000, seed=7)  # enough for every run

        def new_events() -> None:
            # A live month: events keep arriving, and each refresh makes the next report start afresh.
            store.write(list(islice(later, 500)))
            indexer.indices.refresh(index=events_pattern(prefix))

        store = EventStore(indexer)

        answer = orjson.loads(report())
        print(f"report: {answer['searches']:,} searches, {len(answer['by_place'])} place rows, "
              f"{len(answer['by_country'])} country rows, {sum(answer['interactions'].values()):,} interactions")
        show("report, cold (caches cleared)", timed(report, args.runs, clear_cache))
        show("report, just after new events", timed(report, args.runs, new_events))
        show("report, warm (request cache)", timed(report, args.runs))

        from locator.staff import create_staff_app
        from locator.staff.access import COOKIE
        from locator.staff.tokens import issue_link

        app = create_staff_app(settings, es=staff, gazetteer=gazetteer)
        client = app.test_client()
        client.get(f"/login?token={issue_link(settings.staff.secret, 1, int(time.time() * 1000))}")
        assert client.get_cookie(COOKIE) is not None
        page = f"/?from={first_day}&to={last_day}"

        def dashboard() -> None:
            assert client.get(page).status_code == 200

        show("dashboard GET /, cold", timed(dashboard, args.runs, clear_cache))
        show("dashboard GET /, just after new events", timed(dashboard, args.runs, new_events))

        env = {**os.environ, "PARTNER_LOCATOR_ELASTICSEARCH_INDEX_PREFIX": prefix}
        command = [sys.executable, "-m", "locator.cli", "analytics", "report", "--from", str(first_day),
                   "--to", str(last_day), "-o", os.devnull]
        clear_cache()
        show("command (a process, cold)", timed(lambda: subprocess.run(command, env=env, check=True,
                                                                       capture_output=True), 1))
    finally:
        if not args.keep:
            names = list(indexer.indices.get(index=events_pattern(prefix), ignore_unavailable=True))
            if names:
                indexer.indices.delete(index=",".join(names))
                print(f"deleted {', '.join(names)}")


if __name__ == "__main__":
    main()
