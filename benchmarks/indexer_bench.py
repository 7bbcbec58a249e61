"""Indexer benchmark (a script, not a test): end-to-end indexer against raw ``_bulk`` of the same documents.

For each size in ``--sites``:

1. write a deterministic sample export (``indexer.sample.write_sample``, fixed ``--as-of``) to a
   temporary file;
2. run the real indexer as a subprocess, ``partner-locator index FILE --as-of D --force``, with its
   own index prefix (``PARTNER_LOCATOR_ELASTICSEARCH_INDEX_PREFIX=partner-locator-bench-<size>``) so
   the live product index is never touched; wall time from spawn to exit, peak RSS and CPU from
   ``os.wait4`` (the kernel's rusage of that process: its threads included; it starts no children);
3. read the documents it indexed back from its new index (point in time + ``search_after``): they
   are byte for byte the ``_source`` the indexer sent; they go to an NDJSON file;
4. delete the indexer's index (so Elasticsearch holds the same data during both loads), create a
   fresh index with the same mapping and settings (``indexer.lifecycle.create_index``) and send the
   same documents straight with ``elasticsearch.helpers.parallel_bulk`` - same client factory
   (``locator.core.es.make_client``, indexer role), same action shape (``create`` with ``_id``), same
   chunk size and thread count as the indexer's settings - and time that;
5. print one table per size and the targets; delete every index it made, by concrete name.

Usage (from the repository root, node running: ``partner-locator es start``)::

    .venv/bin/python benchmarks/indexer_bench.py --sites 10000 100000 1000000

Bounded: each indexer run is killed after ``--timeout`` seconds (default 1800).
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import orjson
from elasticsearch.helpers import parallel_bulk

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from indexer import lifecycle  # noqa: E402
from indexer.sample import write_sample  # noqa: E402
from locator.core.es import connect  # noqa: E402
from locator.core.gazetteer import Gazetteer  # noqa: E402
from locator.core.mapping import sites_alias  # noqa: E402
from locator.core.settings import load_settings  # noqa: E402

sys.path.insert(0, str(ROOT / "benchmarks"))
from machine import CpuMeter, TreeMemory, code_fingerprint, elasticsearch_pid, wait_until_quiet  # noqa: E402

CLI = ROOT / ".venv" / "bin" / "partner-locator"
PREFIX_ENV = "PARTNER_LOCATOR_ELASTICSEARCH_INDEX_PREFIX"
TARGET_RATIO, TARGET_RSS_MB, TARGET_1M_S = 0.9, 250.0, 180.0


@dataclass
class SizeResult:
    sites: int
    sample_bytes: int = 0
    sample_s: float = 0.0
    listed: int = 0
    indexer_wall_s: float = 0.0
    indexer_reported_s: float | None = None
    indexer_user_s: float = 0.0
    indexer_sys_s: float = 0.0
    peak_rss_mb: float = 0.0
    indexer_exit: int = 0
    read_back_s: float = 0.0
    parse_only_s: float = 0.0
    raw_bulk_s: float = 0.0
    raw_bulk_ok: int = 0
    raw_bulk_failed: int = 0
    raw_refresh_s: float = 0.0
    largest_process_rss_mb: float = 0.0
    peak_pss_mb: float = 0.0
    processes: int = 0
    indexer_cpu: str = ""
    indexer_tree_cpu_s: float = 0.0
    per_process_peaks: str = ""
    raw_cpu: str = ""
    notes: list[str] = field(default_factory=list)

    @property
    def sites_per_s(self) -> float:
        return self.sites / self.indexer_wall_s if self.indexer_wall_s else 0.0

    @property
    def raw_docs_per_s(self) -> float:
        return self.raw_bulk_ok / self.raw_bulk_s if self.raw_bulk_s else 0.0

    @property
    def ratio(self) -> float:
        return self.raw_bulk_s / self.indexer_wall_s if self.indexer_wall_s else 0.0


def concrete_indices(es, prefix: str) -> list[str]:
    """Every index whose name starts with ``prefix-`` (GET with a wildcard is fine; deletes are by name)."""
    return sorted(es.indices.get(index=f"{prefix}-*", expand_wildcards="open,closed"))


def delete_by_name(es, names: list[str]) -> None:
    for name in names:
        es.indices.delete(index=name, ignore_unavailable=True)


def run_indexer(sample: Path, prefix: str, as_of: str, report: Path, timeout_s: float,
                log: Path) -> tuple[float, int, object, TreeMemory]:
    """Spawn the real indexer; return (wall seconds, exit status, rusage of that process, memory of its tree).

    rusage's ru_maxrss is the largest single process (the indexer or one of its worker processes);
    the tree poller sums RSS and PSS over the indexer and its live descendants every 50 ms."""
    env = {**os.environ, PREFIX_ENV: prefix}
    command = [str(CLI), "index", str(sample), "--as-of", as_of, "--force", "--report", str(report)]
    with log.open("wb") as out:
        started = time.perf_counter()
        process = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT)
        timer = threading.Timer(timeout_s, lambda: os.kill(process.pid, signal.SIGKILL))
        timer.start()
        memory = TreeMemory(process.pid)
        try:
            _, status, usage = os.wait4(process.pid, 0)
        finally:
            timer.cancel()
            memory.stop()
        wall = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)  # keep Popen from waiting again
    return wall, process.returncode, usage, memory


def every_hit(es, index: str, page: int = 5000):
    """Every hit of an index (``_id``, ``_source``), through a point in time and ``search_after``."""
    pit = es.open_point_in_time(index=index, keep_alive="2m")["id"]
    after = None
    try:
        while True:
            kwargs = {"search_after": after} if after else {}
            response = es.search(pit={"id": pit, "keep_alive": "2m"}, size=page, sort=["_shard_doc"],
                                 track_total_hits=False, **kwargs)
            hits = response["hits"]["hits"]
            if not hits:
                return
            pit = response.get("pit_id", pit)
            yield from hits
            after = hits[-1]["sort"]
    finally:
        es.close_point_in_time(id=pit)


def dump_index(es, index: str, out: Path) -> int:
    """Write every document's _source (as indexed, one JSON per line) in index order; return count."""
    count = 0
    with out.open("wb") as handle:
        for hit in every_hit(es, index):
            handle.write(orjson.dumps(hit["_source"]) + b"\n")
            count += 1
    return count


def documents(path: Path):
    with path.open("rb") as handle:
        for line in handle:
            yield orjson.loads(line)


def actions(index: str, path: Path):
    # The same action shape as indexer.lifecycle._actions: create, with the site id as _id.
    for document in documents(path):
        yield {"_op_type": "create", "_index": index, "_id": document["site_id"], "_source": document}


def raw_bulk(es, index: str, path: Path, chunk_size: int, threads: int) -> tuple[float, int, int]:
    ok_count = failed = 0
    started = time.perf_counter()
    for ok, _ in parallel_bulk(es, actions(index, path), thread_count=threads, chunk_size=chunk_size,
                               raise_on_error=False, raise_on_exception=True):
        if ok:
            ok_count += 1
        else:
            failed += 1
    return time.perf_counter() - started, ok_count, failed


def bench_size(sites: int, args, settings, writer, admin, workdir: Path) -> SizeResult:
    result = SizeResult(sites)
    prefix = f"partner-locator-bench-{sites}"
    leftovers = concrete_indices(admin, prefix)
    if leftovers:
        print(f"  removing leftovers of an earlier run: {', '.join(leftovers)}", flush=True)
        delete_by_name(admin, leftovers)

    sample = workdir / f"sample-{sites}.jsonl"
    started = time.perf_counter()
    write_sample(sample, sites, args.seed, gazetteer=Gazetteer.open(settings.cache_dir),
                 as_of=dt.date.fromisoformat(args.as_of))
    result.sample_s, result.sample_bytes = time.perf_counter() - started, sample.stat().st_size
    print(f"  sample: {sites} sites, {result.sample_bytes / 1e6:.0f} MB in {result.sample_s:.1f}s", flush=True)

    try:
        log = workdir / f"indexer-{sites}.log"
        wait_until_quiet(timeout_s=args.quiet_wait)
        with CpuMeter(args.es_pid, self_only=True) as meter:
            wall, status, usage, memory = run_indexer(sample, prefix, args.as_of, workdir / f"report-{sites}.jsonl",
                                                      args.timeout, log)
            meter.add_extra(memory.cpu_s)  # the indexer and its worker processes, polled
        result.indexer_cpu = meter.use.describe().replace("benchmark+children", "indexer + its workers")
        result.indexer_tree_cpu_s, result.per_process_peaks = memory.cpu_s, memory.peaks()
        result.indexer_wall_s, result.indexer_exit = wall, status
        result.indexer_user_s, result.indexer_sys_s = usage.ru_utime, usage.ru_stime
        result.largest_process_rss_mb = usage.ru_maxrss / 1024  # Linux: KiB
        result.peak_rss_mb = max(memory.peak_rss_kib / 1024, result.largest_process_rss_mb)
        result.peak_pss_mb, result.processes = memory.peak_pss_kib / 1024, memory.max_processes
        output = log.read_text(errors="replace")
        print("  indexer: " + output.strip().replace("\n", "\n           "), flush=True)
        if status != 0:
            result.notes.append(f"indexer exited {status}")
            return result
        reported = re.search(r"^time: ([0-9.]+)s", output, re.M)
        result.indexer_reported_s = float(reported.group(1)) if reported else None

        live = list(admin.indices.get_alias(name=sites_alias(prefix)))[0]
        dump = workdir / f"documents-{sites}.ndjson"
        started = time.perf_counter()
        result.listed = dump_index(admin, live, dump)
        result.read_back_s = time.perf_counter() - started
        started = time.perf_counter()
        for _ in documents(dump):  # what the raw run spends reading its input, for the record
            pass
        result.parse_only_s = time.perf_counter() - started
        delete_by_name(admin, concrete_indices(admin, prefix))  # same data in the node for both loads

        raw_index = f"{prefix}-raw-{dt.datetime.now(dt.timezone.utc):%Y%m%d%H%M%S}"
        lifecycle.create_index(writer, raw_index, {"as_of": args.as_of, "indexed_at": "benchmark"})
        tuning = settings.indexer
        wait_until_quiet(timeout_s=args.quiet_wait)
        with CpuMeter(args.es_pid) as meter:
            result.raw_bulk_s, result.raw_bulk_ok, result.raw_bulk_failed = raw_bulk(
                writer, raw_index, dump, tuning.bulk_chunk_size, tuning.bulk_threads)
        result.raw_cpu = meter.use.describe()
        if result.raw_bulk_failed:
            result.notes.append(f"{result.raw_bulk_failed} documents refused in the raw load")
        started = time.perf_counter()
        count = lifecycle.make_live_ready(writer, raw_index)
        result.raw_refresh_s = time.perf_counter() - started
        if count != result.listed:
            result.notes.append(f"raw index holds {count} documents, expected {result.listed}")
    finally:
        delete_by_name(admin, concrete_indices(admin, prefix))
        if not args.keep_files:
            for path in workdir.glob(f"*-{sites}.*"):
                path.unlink()
    return result


def table(result: SizeResult) -> str:
    rows = [
        ("input sites", f"{result.sites:,}"),
        ("listed docs", f"{result.listed:,}"),
        ("indexer wall s", f"{result.indexer_wall_s:.1f}"
         + (f"  (its own summary: {result.indexer_reported_s:.1f}s; CPU of its main process {result.indexer_user_s:.1f}s"
            f" user + {result.indexer_sys_s:.1f}s sys; of it and its workers {result.indexer_tree_cpu_s:.1f}s)"
            if result.indexer_reported_s is not None else "")),
        ("end-to-end sites/s", f"{result.sites_per_s:,.0f}"),
        ("raw _bulk s", f"{result.raw_bulk_s:.1f}  (+ refresh {result.raw_refresh_s:.1f}s, not counted)"),
        ("raw _bulk docs/s", f"{result.raw_docs_per_s:,.0f}"),
        ("ratio raw/indexer", f"{result.ratio:.2f}  (target >= {TARGET_RATIO})"),
        ("peak RSS MB", f"{result.peak_rss_mb:.0f}" + (f"  (target <= {TARGET_RSS_MB:.0f} at 1M)" if result.sites >= 1_000_000 else "")
         + f"  (summed over {result.processes} process(es); PSS {result.peak_pss_mb:.0f};"
           f" largest single process {result.largest_process_rss_mb:.0f})"),
    ]
    if result.sites >= 1_000_000:
        rows.append(("1M target", f"{result.indexer_wall_s:.0f}s vs <= {TARGET_1M_S:.0f}s"))
    rows.append(("peak RSS per process MB", result.per_process_peaks))
    rows.append(("indexer run", result.indexer_cpu))
    rows.append(("raw run", result.raw_cpu))
    rows.append(("read back / parse-only", f"{result.read_back_s:.1f}s / {result.parse_only_s:.1f}s (not counted)"))
    rows += [("note", note) for note in result.notes]
    width = max(len(name) for name, _ in rows)
    title = f"== {result.sites:,} sites =="
    return "\n".join([title] + [f"  {name:<{width}}  {value}" for name, value in rows])


def verdict(results: list[SizeResult]) -> list[str]:
    lines = []
    for r in results:
        ok = r.ratio >= TARGET_RATIO
        lines.append(f"{r.sites:>9,} sites: ratio {r.ratio:.2f} {'MET' if ok else 'MISSED'} (>= {TARGET_RATIO})")
        if r.sites >= 1_000_000:
            lines.append(f"{r.sites:>9,} sites: peak RSS {r.peak_rss_mb:.0f} MB "
                         f"{'MET' if r.peak_rss_mb <= TARGET_RSS_MB else 'MISSED'} (<= {TARGET_RSS_MB:.0f})")
            lines.append(f"{r.sites:>9,} sites: wall {r.indexer_wall_s:.0f}s "
                         f"{'MET' if r.indexer_wall_s <= TARGET_1M_S else 'MISSED'} (<= {TARGET_1M_S:.0f})")
    return lines


def es_version(settings) -> str:
    # The local node's distribution answers no GET /; its version is the configured one.
    return "external cluster" if settings.connection.external else settings.local_node.version


def _terminate(signum, frame):
    raise SystemExit(128 + signum)  # so the finally blocks delete this run's indices


def main(argv: list[str] | None = None) -> int:
    signal.signal(signal.SIGTERM, _terminate)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sites", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--as-of", default="2026-06-01", help="fixed evaluation date of the sample and the indexer")
    parser.add_argument("--keep-files", action="store_true", help="keep samples, logs, reports, document dumps")
    parser.add_argument("--workdir", type=Path, help="where files go [default: a new temporary directory]")
    parser.add_argument("--timeout", type=float, default=1800, help="kill an indexer run after this many seconds")
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument("--quiet-wait", type=float, default=300,
                        help="before each timed run, wait at most this long for the machine to be idle")
    args = parser.parse_args(argv)

    settings = load_settings()
    args.es_pid = elasticsearch_pid(settings)
    writer, admin = connect(settings, "indexer"), connect(settings, "admin")
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="partner-locator-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    print(f"python {platform.python_version()}, {os.cpu_count()} cores, elasticsearch {es_version(settings)}, "
          f"bulk chunk {settings.indexer.bulk_chunk_size} x {settings.indexer.bulk_threads} threads, "
          f"as_of {args.as_of}, seed {args.seed}, files in {workdir}", flush=True)
    print(f"code fingerprint {code_fingerprint(ROOT)} (sha256 of indexer/, locator/, config/ sources), "
          f"started {dt.datetime.now(dt.timezone.utc):%Y-%m-%d %H:%M} UTC", flush=True)
    results = []
    try:
        for sites in args.sites:
            print(f"-- {sites:,} sites", flush=True)
            results.append(bench_size(sites, args, settings, writer, admin, workdir))
    finally:
        if not args.keep_files and not args.workdir:
            shutil.rmtree(workdir, ignore_errors=True)
    print()
    for result in results:
        print(table(result))
        print()
    print("targets:")
    for line in verdict(results):
        print("  " + line)
    if args.json:
        args.json.write_text(json.dumps([{**asdict(r), "sites_per_s": r.sites_per_s, "raw_docs_per_s": r.raw_docs_per_s,
                                           "ratio": r.ratio} for r in results], indent=2))
    return 0 if all(r.indexer_exit == 0 for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
