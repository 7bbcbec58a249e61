"""Where does the indexer's time go? A profiling script (not a test) for docs/benchmarks.md.

Runs the same code as ``partner-locator index FILE --as-of D --force`` in this process (same
settings, client, program config and locator as ``indexer.commands``), under its own index prefix
(``partner-locator-bench-profile``), and prints:

* a wall-clock breakdown by phase (no profiler attached: plain timers wrapped around the pipeline's
  steps): start-up imports, lock, pass 1 (validate + locate + group + spill), tier evaluation, index
  creation, bulk load, refresh, alias swap, lock release;
* a per-record cost breakdown of pass 1, timing each step on the first ``--sample-records`` lines
  alone (JSON decode, unknown-field scan, marshmallow load, locate, group fold, public document,
  spill) and of pass 2 (``listed_document``, JSON serialisation of the bulk body);
* with ``--cprofile``, the top functions of a cProfile run of the whole thing (main thread only:
  parallel_bulk's worker threads show as waiting in the main thread).

Usage::

    .venv/bin/python benchmarks/indexer_profile.py FILE [--as-of 2026-06-01] [--cprofile]

Every index it makes is deleted at the end, by concrete name.
"""
from __future__ import annotations

import time

_T0 = time.perf_counter()

import argparse  # noqa: E402
import cProfile  # noqa: E402
import gc  # noqa: E402
import datetime as dt  # noqa: E402
import io  # noqa: E402
import pstats  # noqa: E402
import resource  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import orjson  # noqa: E402

from indexer import lifecycle, pipeline, records  # noqa: E402
from indexer import commands as indexer_cli  # noqa: E402
from indexer.commands import _options  # noqa: E402
from indexer.documents import listed_document, public_document, searchable_document  # noqa: E402
from indexer.lock import IndexerLock  # noqa: E402
from indexer.program import load_program  # noqa: E402
from indexer.source import numbered_lines, open_export  # noqa: E402
from locator.core.es import connect  # noqa: E402
from locator.core.settings import load_settings  # noqa: E402

IMPORT_S = time.perf_counter() - _T0
PREFIX = "partner-locator-bench-profile"


class GcTimer:
    """Time spent in the cyclic garbage collector (gc.callbacks), per generation."""

    def __init__(self):
        self.seconds, self.collections, self._started = [0.0, 0.0, 0.0], [0, 0, 0], 0.0

    def __call__(self, phase, info):
        if phase == "start":
            self._started = time.perf_counter()
        else:
            self.seconds[info["generation"]] += time.perf_counter() - self._started
            self.collections[info["generation"]] += 1


def _rss_mib() -> float:
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class Phases:
    """Wall seconds per phase, and this process's RSS when it ended and its peak RSS so far."""

    def __init__(self):
        self.seconds: dict[str, float] = {}
        self.memory: dict[str, tuple[float, float]] = {}

    def wrap(self, owner, name: str, label: str):
        original = getattr(owner, name)

        def timed(*args, **kwargs):
            started = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                self.seconds[label] = self.seconds.get(label, 0.0) + time.perf_counter() - started
                self.memory[label] = (_rss_mib(), _peak_mib())

        setattr(owner, name, timed)
        return original


def _first_pass_class():
    try:
        from indexer.firstpass import FirstPass  # pass 1 in its own module (worker processes)
        return FirstPass
    except ImportError:
        return pipeline._FirstPass


def make_locator_factory(settings):
    """What run_index takes to locate sites: a factory (current code) or a locator (older code)."""
    if hasattr(indexer_cli, "_locator_factory"):
        return indexer_cli._locator_factory(settings)
    return indexer_cli._build_locator(settings)


def instrument(phases: Phases) -> None:
    phases.wrap(IndexerLock, "acquire", "lock acquire")
    phases.wrap(IndexerLock, "release", "lock release")
    phases.wrap(_first_pass_class(), "run", "pass 1: validate, locate, group, spill")
    phases.wrap(pipeline, "_evaluate_groups", "tier evaluation + eligibility documents spilled")
    phases.wrap(lifecycle, "create_index", "create index")
    phases.wrap(lifecycle, "bulk_load", "pass 2: listed documents, then eligibility documents + parallel_bulk")
    phases.wrap(lifecycle, "make_live_ready", "restore settings + refresh + count")
    phases.wrap(lifecycle, "live_index", "alias lookups (also inside the swap)")
    phases.wrap(lifecycle, "swap_aliases", "alias swap (sites + eligibility) + delete old")


def per_record(path: Path, settings, limit: int, as_of: dt.date) -> list[tuple[str, float]]:
    """Microseconds per record of each step of pass 1 and pass 2, over the first ``limit`` lines."""
    with open_export(str(path)) as stream:
        lines = [text for _, (_, text) in zip(range(limit), numbered_lines(stream))]
    texts = [text for text in lines if text and text.strip()]
    factory = make_locator_factory(settings)
    locator = factory() if callable(factory) and not hasattr(factory, "locate") else factory
    costs: list[tuple[str, float]] = []

    def step(label, function, items):
        # The outputs are kept for the next step; the collector is paused so that keeping them
        # does not bill this step for collections the streaming pipeline would not make.
        gc.collect()
        gc.disable()
        try:
            started = time.perf_counter()
            out = [function(item) for item in items]
            costs.append((label, (time.perf_counter() - started) / len(texts) * 1e6))
        finally:
            gc.enable()
        return out

    def guarded(decode):
        def run(text):
            try:
                return decode(text)
            except ValueError:  # the sample's deliberately broken lines
                return None
        return run

    decoded = step("json.loads(parse_float=Decimal)", guarded(records._decode), texts)
    step("orjson.loads (for comparison)", guarded(orjson.loads), texts)
    step("unknown-field scan", lambda d: list(records._unknown_fields(records._SCHEMA, d)) if isinstance(d, dict) else None,
         decoded)
    valid = []

    def load(data):
        try:
            valid.append(records._SCHEMA.load(data))
        except Exception:  # noqa: BLE001 - broken sample lines
            pass

    step("marshmallow _Record.load", load, [d for d in decoded if isinstance(d, dict)])
    located = []

    def locate(record):
        try:
            located.append((record, locator.locate(record)))
        except Exception:  # noqa: BLE001
            pass

    step("SiteLocator.locate (gazetteer, memoised)", locate, valid)
    from indexer.grouping import GroupSpill  # groups spilled to SQLite, folded after pass 1
    from indexer.tiers import PersonKeys, program_facts

    keys = PersonKeys()
    facts = step("program_facts (person ids hashed)", lambda record: program_facts(record["program"], keys), valid)
    spill = GroupSpill()
    step("GroupSpill.add (pickle + SQLite insert)",
         lambda pair: spill.add(pair[0]["partner_id"], pair[0]["address"]["country"], pair[1]), list(zip(valid, facts)))
    spill.close()
    documents = step("public_document", lambda pair: public_document(pair[0], (pair[1].lat, pair[1].lon), pair[1].place_id),
                     located)
    documents = step("searchable_document (fold, search keys)", searchable_document, documents)
    spilled = step("spill: orjson.dumps", lambda document: orjson.dumps([1, document]), documents)
    step("pass 2: orjson.loads of spill", orjson.loads, spilled)
    listed = step("pass 2: listed_document (tier, dates)",
                  lambda document: listed_document(document, "premier", {"MCDE": 1, "MCIT": 0, "MCIE": 0}, as_of, "now"),
                  documents)
    step("pass 2: orjson.dumps of bulk source", orjson.dumps, listed)
    return costs


def cleanup(es) -> list[str]:
    names = sorted(es.indices.get(index=f"{PREFIX}-*", expand_wildcards="open,closed"))
    for name in names:
        es.indices.delete(index=name, ignore_unavailable=True)
    return names


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", type=Path)
    parser.add_argument("--as-of", default="2026-06-01")
    parser.add_argument("--cprofile", action="store_true", help="also run cProfile and print the top functions")
    parser.add_argument("--top", type=int, default=35)
    parser.add_argument("--sample-records", type=int, default=20_000, help="lines for the per-record breakdown")
    args = parser.parse_args(argv)

    base = load_settings()
    settings = base.replace("elasticsearch", index_prefix=PREFIX)
    admin = connect(settings, "admin")
    cleanup(admin)
    as_of = dt.date.fromisoformat(args.as_of)
    phases = Phases()
    instrument(phases)

    started = time.perf_counter()
    es = connect(settings, "indexer")
    program = load_program(None)
    locator = make_locator_factory(settings)
    options = _options(settings, dt.datetime.combine(as_of, dt.time()), None, 0.05, 0.9, True)
    setup_s = time.perf_counter() - started
    profiler = cProfile.Profile() if args.cprofile else None
    gc_timer = GcTimer()
    gc.callbacks.append(gc_timer)
    try:
        started = time.perf_counter()
        with open_export(str(args.file)) as stream:
            if profiler:
                profiler.enable()
            result = pipeline.run_index(es, settings.index_prefix, numbered_lines(stream), program, locator, options)
            if profiler:
                profiler.disable()
        run_s = time.perf_counter() - started
    finally:
        gc.callbacks.remove(gc_timer)
        cleanup(admin)

    print(f"file {args.file}: read {result.summary.read}, listed {result.summary.listed}"
          f"{' (under cProfile: times inflated)' if profiler else ''}")
    print(f"peak RSS of this process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    rows = [("imports (python start-up not included)", IMPORT_S), ("settings, client, program, gazetteer", setup_s)]
    rows += sorted(phases.seconds.items(), key=lambda item: -item[1])
    rows.append(("  of which cyclic GC (all phases)", sum(gc_timer.seconds)))
    rows.append(("run_index total", run_s))
    width = max(len(label) for label, _ in rows)
    print("\nwall-clock by phase (s), and this process's memory at the end of the phase (RSS / peak RSS so far, MB):")
    for label, seconds in rows:
        share = f"{seconds / run_s:6.1%} of run_index" if label not in ("run_index total",) and not label.startswith(("imports", "settings")) else ""
        memory = phases.memory.get(label)
        memory = f"  RSS {memory[0]:4.0f} / peak {memory[1]:4.0f}" if memory else ""
        print(f"  {label:<{width}}  {seconds:8.2f}  {share:<18}{memory}")

    print("GC collections per generation: " + ", ".join(
        f"gen{g} {n} ({t:.2f}s)" for g, (n, t) in enumerate(zip(gc_timer.collections, gc_timer.seconds))))
    print(f"\nper record, first {args.sample_records} lines, no profiler (us/record):")
    for label, micros in per_record(args.file, settings, args.sample_records, as_of):
        print(f"  {label:<45} {micros:8.1f}")

    if profiler:
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out).strip_dirs()
        stats.sort_stats("tottime").print_stats(args.top)
        stats.sort_stats("cumulative").print_stats(args.top)
        print(out.getvalue())
    return 0


if __name__ == "__main__":
    sys.exit(main())
