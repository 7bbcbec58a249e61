"""The coverage report at scale (a script, not a test; issue 19's targets: <= 30 s end to end, the
nearest-neighbour part <= 5 s): every place of 15,000+ people against the listing of a 1M-site export.

Prepares, under a benchmark prefix of its own (``<index_prefix>-bench-coverage``: the roles'
``partner-locator*`` patterns cover it): a sample export of ``--sites`` sites made and indexed by
the real ``partner-locator index`` (sites and eligibility), and a month of realistic search events
(tests/analytics_events.py) ending today. Then, each in a fresh process (so that its peak memory is
its own): the report end to end as the ``staff`` user (``coverage_report``: reading the listing,
the companies, the eligibility documents and the events from Elasticsearch, the nearest-neighbour
part, the candidates, the demand and the assembly) with each stage's time; and the methods tried
for the nearest-neighbour part on the same points (scipy's cKDTree on unit vectors, balanced or
not; scikit-learn's BallTree with the haversine metric, when installed; a brute-force numpy scan and
Elasticsearch's own geo-distance sort, both on a sample of places and scaled up); then
``partner-locator coverage`` as a process once. Every index it made is deleted afterwards
(``--keep`` keeps them, ``--reuse`` uses them).

    PARTNER_LOCATOR_LOCAL_NODE_HEAP=1g .venv/bin/python benchmarks/coverage_bench.py \\
        [--sites 1000000] [--min-population 15000] [--tier premier] [--runs 3] [--keep] [--reuse]
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from itertools import islice
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.machine import code_fingerprint, wait_until_quiet  # noqa: E402
from indexer.sample import write_sample  # noqa: E402
from locator.analytics.coverage import CoverageOptions, coverage_report, nearest_listed  # noqa: E402
from locator.analytics.coverage_query import read_listed_sites, site_filter  # noqa: E402
from locator.analytics.store import EventStore  # noqa: E402
from locator.core.es import connect  # noqa: E402
from locator.core.events import events_pattern  # noqa: E402
from locator.core.gazetteer import Gazetteer  # noqa: E402
from locator.core.mapping import sites_alias  # noqa: E402
from locator.core.settings import load_settings  # noqa: E402
from tests.analytics_events import realistic_events  # noqa: E402

CLI = ROOT / ".venv" / "bin" / "partner-locator"
PREFIX_ENV = "PARTNER_LOCATOR_ELASTICSEARCH_INDEX_PREFIX"
SAMPLE_PLACES = 200  # places asked of the slow methods (brute force, Elasticsearch), scaled up
BATCH = 5000


def prepare(args, settings, indexer, prefix: str) -> None:
    """The bench's listing (the real indexer, as a process) and a month of events ending today."""
    delete_prefix(indexer, prefix)
    with tempfile.TemporaryDirectory(prefix="coverage-bench-") as work:
        sample = Path(work) / "sample.jsonl"
        started = time.perf_counter()
        write_sample(sample, args.sites, args.seed, gazetteer=Gazetteer.open(settings.cache_dir))
        print(f"sample: {args.sites:,} sites in {time.perf_counter() - started:.0f} s", flush=True)
        started = time.perf_counter()
        done = subprocess.run([str(CLI), "index", str(sample), "--force"], cwd=ROOT, env={**os.environ, PREFIX_ENV: prefix},
                              capture_output=True, text=True, timeout=3600)
        if done.returncode != 0:
            raise SystemExit(f"indexing failed:\n{done.stderr[-3000:]}")
        print(f"indexed in {time.perf_counter() - started:.0f} s: {done.stderr.strip().splitlines()[-3:]}", flush=True)
    today = datetime.now(timezone.utc).date()
    store, batch, stored = EventStore(indexer), [], 0
    per_day = max(1, round(args.events / 30 / 1.85))
    for event in islice(realistic_events(prefix, today - timedelta(days=29), 30, per_day, seed=19), args.events):
        batch.append(event)
        if len(batch) == BATCH:
            stored, batch = stored + store.write(batch), []
    stored += store.write(batch) if batch else 0
    indexer.indices.refresh(index=events_pattern(prefix))
    print(f"events: {stored:,} written", flush=True)


def delete_prefix(es, prefix: str) -> list[str]:
    names = sorted(es.indices.get(index=f"{prefix}-*", expand_wildcards="open,closed"))
    for start in range(0, len(names), 20):  # a request line holds 4,096 bytes
        es.indices.delete(index=",".join(names[start:start + 20]), ignore_unavailable=True)
    return names


def options_of(args) -> CoverageOptions:
    return CoverageOptions(tier=args.tier, certs=tuple(args.cert), min_population=args.min_population,
                           min_count=load_settings().analytics.min_count)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def child_report(args, settings, prefix: str) -> dict:
    """One report end to end, in this (fresh) process: its stages, total and peak memory."""
    staff, gazetteer, timings = connect(settings, "staff"), Gazetteer.open(settings.cache_dir), {}
    started = time.perf_counter()
    report = coverage_report(staff, gazetteer, prefix, options_of(args), timings=timings)
    total = time.perf_counter() - started
    return {"total_s": total, "stages": timings, "peak_rss_mb": peak_rss_mb(), "places": len(report["places"]),
            "gaps": sum(row["gap"] for row in report["places"]), "sites": report["sites_meeting_filter"],
            "candidates": sum(len(row["upgrade_candidates"]) for row in report["places"]),
            "searches": report["demand"]["searches"], "assigned": report["demand"]["assigned_searches"]}


def child_methods(args, settings, prefix: str) -> dict:
    """The nearest-neighbour part by each method, on the same sites and places."""
    import numpy as np
    from scipy.spatial import cKDTree

    from locator.analytics.coverage_nearest import chord_to_km, great_circle_km, unit_vectors

    staff, gazetteer = connect(settings, "staff"), Gazetteer.open(settings.cache_dir)
    options = options_of(args)
    sites = read_listed_sites(staff, prefix, options.tier, options.certs)
    places = gazetteer.places_from(options.min_population)
    lat, lon = np.array([p.lat for p in places]), np.array([p.lon for p in places])
    figures: dict[str, float] = {}
    started = time.perf_counter()
    expected, _ = nearest_listed(places, sites, same_country=False)
    figures["cKDTree unbalanced (the report's): build + query"] = time.perf_counter() - started
    started = time.perf_counter()
    nearest_listed(places, sites, same_country=True)
    figures["cKDTree, one tree per country (--same-country)"] = time.perf_counter() - started
    for balanced in (True, False):
        started = time.perf_counter()
        tree = cKDTree(unit_vectors(sites.lat, sites.lon), balanced_tree=balanced, compact_nodes=balanced)
        built = time.perf_counter() - started
        chord, _ = tree.query(unit_vectors(lat, lon), k=1, workers=-1)
        figures[f"cKDTree balanced={balanced}: build"] = built
        figures[f"cKDTree balanced={balanced}: query"] = time.perf_counter() - started - built
        assert np.allclose(chord_to_km(chord), expected)
    try:
        from sklearn.neighbors import BallTree

        started = time.perf_counter()
        ball = BallTree(np.radians(np.column_stack((sites.lat, sites.lon))), metric="haversine")
        built = time.perf_counter() - started
        found, _ = ball.query(np.radians(np.column_stack((lat, lon))), k=1)
        figures["BallTree haversine: build"] = built
        figures["BallTree haversine: query"] = time.perf_counter() - started - built
        assert np.allclose(found[:, 0] * 6371.0088, expected, atol=1e-6)
    except ImportError:
        figures["BallTree haversine: scikit-learn not installed"] = float("nan")
    sample = np.linspace(0, len(places) - 1, SAMPLE_PLACES).astype(int)
    started = time.perf_counter()
    for index in sample:
        km = great_circle_km(lat[index], lon[index], sites.lat, sites.lon).min()
        assert abs(km - expected[index]) < 1e-6
    figures["brute-force numpy scan, scaled to every place"] = (time.perf_counter() - started) * len(places) / SAMPLE_PLACES
    body = []
    for index in sample:
        body += [{}, {"size": 1, "_source": False, "track_total_hits": False,
                      "query": {"bool": {"filter": site_filter(options.tier, options.certs)}},
                      "sort": [{"_geo_distance": {"location": {"lat": lat[index], "lon": lon[index]}, "order": "asc",
                                                  "unit": "km", "distance_type": "arc"}}]}]
    started = time.perf_counter()
    answers = staff.options(request_timeout=120).msearch(index=sites_alias(prefix), searches=body)["responses"]
    figures["Elasticsearch geo-distance sort (msearch), scaled to every place"] = \
        (time.perf_counter() - started) * len(places) / SAMPLE_PLACES
    for index, answer in zip(sample, answers):
        assert abs(answer["hits"]["hits"][0]["sort"][0] - expected[index]) < 0.01
    figures.update(reading_methods(staff, prefix, options))
    return {"sites": len(sites), "places": len(places), "figures": figures, "peak_rss_mb": peak_rss_mb()}


def reading_methods(staff, prefix: str, options: CoverageOptions) -> dict[str, float]:
    """Reading the listing (site id, country, point of each site meeting the filter) a page at a time
    through a point in time: from ``_source`` or from doc values, with Python's cycle collector on or
    off while the pages come (the report: doc values, collector off)."""
    import gc

    from locator.analytics.coverage_query import _scan

    query = {"bool": {"filter": site_filter(options.tier, options.certs)}}
    ways = {"_source": {"source": ["site_id", "country", "location"], "filter_path": ["pit_id", "hits.hits._source",
                                                                                      "hits.hits.sort"]},
            "docvalue_fields": {"source": False, "stored_fields": "_none_", "docvalue_fields": ["site_id", "country", "location"],
                                "filter_path": ["pit_id", "hits.hits.fields", "hits.hits.sort"]}}
    figures = {}
    for name, request in ways.items():
        for collector in (True, False):
            gc.enable() if collector else gc.disable()
            kept, started = [], time.perf_counter()
            for hits in _scan(staff.options(request_timeout=120), sites_alias(prefix), query, **request):
                kept += [hit.get("_source") or hit.get("fields") for hit in hits]  # as the report keeps each site's values
            figures[f"reading the listing from {name}, cycle collector {'on' if collector else 'off'}"] = \
                time.perf_counter() - started
            del kept
    gc.enable()
    return figures


def in_child(mode: str, args) -> dict:
    argv = [sys.executable, __file__, "--child", mode, "--min-population", str(args.min_population)]
    argv += ["--tier", args.tier] if args.tier else []
    argv += [item for cert in args.cert for item in ("--cert", cert)]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=900)
    if done.returncode != 0:
        raise SystemExit(done.stderr[-3000:])
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sites", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--events", type=int, default=300_000, help="events of the month ending today")
    parser.add_argument("--min-population", type=int, default=15_000)
    parser.add_argument("--tier", choices=["advanced", "premier"], default="premier", help="the one filter")
    parser.add_argument("--cert", action="append", default=[])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keep", action="store_true", help="keep the benchmark's indices")
    parser.add_argument("--reuse", action="store_true", help="use the indices a --keep run left")
    parser.add_argument("--child", choices=["report", "methods"], help=argparse.SUPPRESS)
    args = parser.parse_args()

    base = load_settings()
    prefix = f"{base.index_prefix}-bench-coverage"
    settings = base.replace("elasticsearch", index_prefix=prefix)
    if args.child:
        work = child_report if args.child == "report" else child_methods
        print(json.dumps(work(args, settings, prefix)))
        return
    indexer = connect(settings, "indexer")
    print(f"code {code_fingerprint(ROOT)}, prefix {prefix}, filter: tier {args.tier}, certs {args.cert or 'any'}, "
          f"places of {args.min_population:,}+ people", flush=True)
    try:
        if not (args.reuse and indexer.indices.exists_alias(name=sites_alias(prefix))):
            prepare(args, settings, indexer, prefix)
        print(f"listed sites: {indexer.count(index=sites_alias(prefix))['count']:,}; "
              f"events: {indexer.count(index=events_pattern(prefix))['count']:,}", flush=True)
        wait_until_quiet()
        runs = [in_child("report", args) for _ in range(args.runs)]
        first = runs[0]
        print(f"report: {first['places']:,} places, {first['gaps']:,} gaps, {first['sites']:,} sites meeting the filter, "
              f"{first['candidates']:,} upgrade candidates, {first['searches']:,} searches ({first['assigned']:,} assigned)")
        totals = [run["total_s"] for run in runs]
        print(f"{'end to end (coverage_report)':<52} min {min(totals):6.2f} s  median {statistics.median(totals):6.2f} s  "
              f"max {max(totals):6.2f} s  (target <= 30 s)")
        for stage in first["stages"]:
            values = [run["stages"][stage] for run in runs]
            print(f"  {stage:<50} median {statistics.median(values):6.2f} s")
        print(f"{'peak RSS of the process':<52} max {max(run['peak_rss_mb'] for run in runs):6.0f} MB")
        methods = in_child("methods", args)
        print(f"methods tried ({methods['places']:,} places, {methods['sites']:,} sites; nearest-neighbour target <= 5 s):")
        for name, seconds in methods["figures"].items():
            print(f"  {name:<68} {seconds:8.3f} s")
        started = time.perf_counter()
        command = [str(CLI), "coverage", "--min-population", str(args.min_population), "-o", os.devnull,
                   *(["--tier", args.tier] if args.tier else []), *(item for c in args.cert for item in ("--cert", c))]
        done = subprocess.run(command, cwd=ROOT, env={**os.environ, PREFIX_ENV: prefix}, capture_output=True, text=True)
        print(f"{'partner-locator coverage as a process':<52} {time.perf_counter() - started:6.2f} s  ({done.stderr.strip()})")
    finally:
        if not args.keep:
            print(f"deleted {len(delete_prefix(indexer, prefix))} indices")


if __name__ == "__main__":
    main()
