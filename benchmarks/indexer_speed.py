"""Indexer speed against its floor, in one run (issue 12; a script, not a test).

For each size in ``--sites`` (a deterministic sample over real cities, written once):

- **the indexer**: ``partner-locator index`` of this checkout as a subprocess, wall time from spawn to
  exit, peak RSS summed over its process tree (its validating workers included);
- **the baseline** (``--baseline 8abe16f``): the same command from a worktree of that commit, so
  "today" is measured in the same run, rounds interleaved with the indexer's;
- **the floor**, the work no indexer can avoid: orjson-decoding every input line, plus
  ``parallel_bulk`` (2 threads, chunks of 1000, refresh off, replicas 0, the same mappings) of
  every document the indexer's run wrote - the listed sites and the eligibility documents, read
  back from its indices - into fresh indices.

Reported: medians over ``--rounds``; floor / wall (target >= 0.5, issue 20) and peak RSS (target <= 250 MB
at 1M); per run, the CPU seconds of Elasticsearch, of the run's process tree and of every other process
(a run disturbed by another session shows there), and the code fingerprint measured. Every index made is deleted by name. Usage::

    .venv/bin/python benchmarks/indexer_speed.py --sites 200000 1000000 [--baseline 8abe16f] [--rounds 2]
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

import orjson
from elasticsearch.helpers import parallel_bulk

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from baseline import baseline_checkout  # noqa: E402
from indexer_bench import concrete_indices, delete_by_name, every_hit  # noqa: E402
from machine import CpuMeter, TreeMemory, code_fingerprint, elasticsearch_pid, wait_until_quiet  # noqa: E402

from indexer.sample import write_sample  # noqa: E402
from locator.core.es import connect  # noqa: E402
from locator.core.gazetteer import Gazetteer  # noqa: E402
from locator.core.mapping import CREATE_SETTINGS, FAMILIES  # noqa: E402
from locator.core.settings import load_settings  # noqa: E402

TARGET_RATIO, TARGET_RSS_MB = 0.5, 250.0  # issue 20
PREFIX_ENV = "PARTNER_LOCATOR_ELASTICSEARCH_INDEX_PREFIX"


def run_indexer(command: list[str], cwd: Path, env: dict, sample: Path, as_of: str, log: Path,
                es_pid: int | None) -> tuple[float, float, int, str]:
    """(wall seconds, peak RSS MB summed over the process tree, exit status, who used the CPUs)."""
    with log.open("wb") as out, CpuMeter(es_pid, self_only=True) as meter:
        started = time.perf_counter()
        process = subprocess.Popen([*command, "index", str(sample), "--as-of", as_of, "--force"], cwd=cwd,
                                   env={**os.environ, **env}, stdout=out, stderr=subprocess.STDOUT)
        memory = TreeMemory(process.pid)
        try:
            status = process.wait(timeout=3600)
        finally:
            memory.stop()
        wall = time.perf_counter() - started
        meter.add_extra(memory.cpu_s)
    return wall, memory.peak_rss_kib / 1024, status, f"{meter.use.describe()}; peaks (MB): {memory.peaks()}"


def decode_seconds(sample: Path) -> float:
    started = time.perf_counter()
    with sample.open("rb") as handle:
        for raw in handle:
            if raw.strip():
                try:
                    orjson.loads(raw)
                except orjson.JSONDecodeError:
                    pass  # the sample's deliberately broken lines cost their decoding too
    return time.perf_counter() - started


def dump(es, index: str, out: Path) -> int:
    """Every (_id, _source) of an index, as the run wrote them, one JSON array per line."""
    count = 0
    with out.open("wb") as handle:
        for hit in every_hit(es, index):
            handle.write(orjson.dumps([hit["_id"], hit["_source"]]) + b"\n")
            count += 1
    return count


def raw_bulk(es, index: str, path: Path) -> float:
    def actions():
        with path.open("rb") as handle:
            for raw in handle:
                doc_id, source = orjson.loads(raw)
                yield {"_op_type": "create", "_index": index, "_id": doc_id, "_source": source}

    started = time.perf_counter()
    for ok, item in parallel_bulk(es, actions(), thread_count=2, chunk_size=1000, raise_on_error=False):
        if not ok:
            raise SystemExit(f"the floor's bulk was refused: {item}")
    return time.perf_counter() - started


def floor(writer, admin, prefix: str, sample: Path, workdir: Path) -> tuple[float, int]:
    """Seconds of the floor, and the documents it loaded: decode + raw bulk of what the run wrote."""
    seconds, documents = decode_seconds(sample), 0
    for family in FAMILIES:
        live = [name for name in admin.indices.get_alias(name=family.alias(prefix), ignore_unavailable=True)]
        if not live:
            continue
        path = workdir / f"{family.kind}.ndjson"
        documents += dump(admin, live[0], path)
        fresh = f"{prefix}-floor-{family.kind}"
        writer.indices.create(index=fresh, settings=CREATE_SETTINGS, mappings=family.mapping)
        seconds += raw_bulk(writer, fresh, path)
        delete_by_name(admin, [fresh])
    return seconds, documents


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sites", type=int, nargs="+", default=[200_000, 1_000_000])
    parser.add_argument("--baseline", help="a commit to measure as 'today', from a worktree (e.g. 8abe16f)")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--as-of", default="2026-06-01")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    settings = load_settings()
    print(f"code fingerprint {code_fingerprint(ROOT)}", flush=True)
    writer, admin = connect(settings, "indexer"), connect(settings, "admin")
    workdir = Path(tempfile.mkdtemp(prefix="indexer-speed-"))
    sides = {"indexer": ([str(ROOT / ".venv" / "bin" / "partner-locator")], ROOT, {})}
    with ExitStack() as stack:
        if args.baseline:
            tree, python = stack.enter_context(baseline_checkout(args.baseline, workdir))
            sides["baseline"] = ([str(python), "-m", "locator.cli"], tree, {"PYTHONPATH": str(tree)})
        for sites in args.sites:
            measure(sites, args, sides, writer, admin, workdir, settings)
    return 0


def measure(sites: int, args, sides: dict, writer, admin, workdir: Path, settings) -> None:
    sample = workdir / f"sample-{sites}.jsonl"
    write_sample(sample, sites, args.seed, gazetteer=Gazetteer.open(settings.cache_dir),
                 as_of=dt.date.fromisoformat(args.as_of))
    walls, peaks, floors = {name: [] for name in sides}, {name: [] for name in sides}, []
    for round_number in range(args.rounds):
        order = list(sides) if round_number % 2 == 0 else list(reversed(sides))
        for name in order:
            command, cwd, env = sides[name]
            prefix = f"partner-locator-bench-speed-{name}"
            delete_by_name(admin, concrete_indices(admin, prefix))
            wait_until_quiet()
            wall, peak, status, cpu = run_indexer(command, cwd, {**env, PREFIX_ENV: prefix}, sample, args.as_of,
                                                  workdir / f"{name}-{sites}.log", elasticsearch_pid(settings))
            print(f"  {name}: {cpu}", flush=True)
            if status != 0:
                raise SystemExit(f"{name} exited {status}: see {workdir / f'{name}-{sites}.log'}")
            walls[name].append(wall)
            peaks[name].append(peak)
            if name == "indexer":
                wait_until_quiet()
                with CpuMeter(elasticsearch_pid(settings)) as meter:
                    seconds, documents = floor(writer, admin, prefix, sample, workdir)
                print(f"  floor: {meter.use.describe()} (dumping the run's indices included)", flush=True)
                floors.append(seconds)
            delete_by_name(admin, concrete_indices(admin, prefix))
        print(f"{sites:,} sites, round {round_number + 1}: " + ", ".join(
            f"{name} {walls[name][-1]:.1f}s (peak {peaks[name][-1]:.0f} MB)" for name in sides)
              + f", floor {floors[-1]:.1f}s ({documents:,} documents)", flush=True)
    floor_s = statistics.median(floors)
    for name in sides:
        wall, peak = statistics.median(walls[name]), max(peaks[name])
        print(f"  {sites:,} sites, {name:8}: wall {wall:6.1f}s, floor {floor_s:5.1f}s, floor/wall {floor_s / wall:.2f} "
              f"(target >= {TARGET_RATIO}), peak RSS {peak:.0f} MB (target <= {TARGET_RSS_MB:.0f} at 1M)", flush=True)
    sample.unlink()


if __name__ == "__main__":
    sys.exit(main())
