"""Figures for sizing (docs/operations.md): how index size and Elasticsearch's CPU per search grow
with the number of listed sites.

    .venv/bin/python benchmarks/sizing.py [--sites 100000 300000 1000000] [--searches 1500]

On a node of its own (its own state dir and port, started and stopped here; never the developer's
node), for each export size: a sample is generated and indexed by the real indexer; the index's
store size is read; the API's request mix (benchmarks/api_bench.py: near a city, filters, text,
collapse, markers, suggest, site detail) is run once through the app to record the exact
Elasticsearch bodies; then those bodies are replayed sequentially, and with 4 threads, while the
node's CPU time is read from /proc. CPU seconds per search is what decides how many cores a
request rate needs; it does not depend on how busy the machine is, latency does.
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.api_bench import CLI, ROOT, Recorder, build_mix, cpu_seconds, percentile, raw_send  # noqa: E402
from benchmarks.machine import code_fingerprint  # noqa: E402
from indexer.sample import write_sample  # noqa: E402
from locator.api import create_app  # noqa: E402
from locator.core.es import connect, connection_for  # noqa: E402
from locator.core.gazetteer import Gazetteer  # noqa: E402
from locator.core.mapping import sites_alias  # noqa: E402
from locator.core.settings import load_settings  # noqa: E402
from locator.node import files, process  # noqa: E402


def start_node(state: Path, port: int, heap: str) -> dict:
    env = {"PARTNER_LOCATOR_LOCAL_NODE_STATE_DIR": str(state), "PARTNER_LOCATOR_LOCAL_NODE_PORT": str(port),
           "PARTNER_LOCATOR_LOCAL_NODE_HEAP": heap, "PARTNER_LOCATOR_API_RATE_LIMIT": ""}
    env.update({name: "" for name in os.environ if name.startswith("ELASTICSEARCH_")})
    done = subprocess.run([str(CLI), "es", "start"], env={**os.environ, **env}, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"cannot start the sizing node: {done.stderr}")
    return env


def index_sample(env: dict, sites: int, workdir: Path, gazetteer: Gazetteer) -> float:
    sample = workdir / f"sample-{sites}.jsonl"
    write_sample(sample, sites, 1, gazetteer=gazetteer, as_of=dt.date(2026, 6, 1))
    started = time.perf_counter()
    done = subprocess.run([str(CLI), "index", str(sample), "--as-of", "2026-06-01", "--force"], cwd=ROOT,
                          env={**os.environ, **env}, capture_output=True, text=True, timeout=7200)
    if done.returncode != 0:
        raise SystemExit(f"indexing {sites} sites failed:\n{done.stderr}")
    sample.unlink()
    return time.perf_counter() - started


def recorded_searches(settings, gazetteer: Gazetteer) -> tuple[list[tuple[str, dict]], int]:
    """The Elasticsearch bodies of the API's request mix, as the app builds them; and the request count."""
    app = create_app(settings, connection=connection_for(settings, "reader"), gazetteer=gazetteer)
    es = app.extensions["partner_locator"].es
    client, calls, requests = app.test_client(), [], 0
    for _, path in build_mix(es, sites_alias(settings.index_prefix), gazetteer, 400, 1):
        with Recorder() as recorder:
            if client.get(path).status_code == 200:
                calls += recorder.calls
                requests += 1
    return calls, requests


def replay(es, calls: list, searches: int, threads: int, es_pid: int) -> dict:
    """Send ``searches`` of the recorded bodies over ``threads``; ES CPU per search and took."""
    took, lock, turn = [], threading.Lock(), iter(range(searches))

    def worker():
        while True:
            with lock:
                number = next(turn, None)
            if number is None:
                return
            index, body = calls[number % len(calls)]
            arguments = {("from_" if key == "from" else key): value for key, value in body.items()}
            answer = es.search(index=index, **arguments)
            took.append(answer["took"])

    raw_send(es, calls)  # warm up: every body once
    cpu, wall = cpu_seconds([es_pid]), time.perf_counter()
    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    wall, cpu = time.perf_counter() - wall, cpu_seconds([es_pid]) - cpu
    return {"cpu_ms": cpu / searches * 1000, "per_s": searches / wall, "took_p50": statistics.median(took),
            "took_p99": percentile(took, 0.99)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sites", type=int, nargs="+", default=[100_000, 300_000, 1_000_000])
    parser.add_argument("--searches", type=int, default=1500)
    parser.add_argument("--port", type=int, default=19290)
    parser.add_argument("--heap", default="1g")
    parser.add_argument("--keep", action="store_true", help="leave the node and its data")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="pl-sizing-", dir="/var/tmp"))
    workdir.chmod(0o755)
    env = start_node(workdir / "state", args.port, args.heap)
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores, code {code_fingerprint(ROOT)}, node heap "
          f"{args.heap}, {dt.datetime.now(dt.timezone.utc):%Y-%m-%d %H:%M} UTC", flush=True)
    header = (f"{'sites':>9} {'listed':>8} {'index s':>8} {'store MB':>9} {'B/doc':>6} {'req->search':>11} "
              f"{'1 thread: ES CPU ms/search':>27} {'took p50/p99':>13} {'4 threads: ES CPU ms/search':>28} {'searches/s':>10}")
    rows = []
    try:
        gazetteer = Gazetteer.open(load_settings().cache_dir)
        for sites in args.sites:
            env_sites = {**env, "PARTNER_LOCATOR_ELASTICSEARCH_INDEX_PREFIX": f"partner-locator-size-{sites}"}
            settings = load_settings({**os.environ, **env_sites})
            seconds = index_sample(env_sites, sites, workdir, gazetteer)
            admin, reader = connect(settings, "admin"), connect(settings, "reader")
            alias = sites_alias(settings.index_prefix)
            listed = admin.count(index=alias)["count"]
            store = admin.indices.stats(index=alias, metric="store")["_all"]["primaries"]["store"]["size_in_bytes"]
            calls, requests = recorded_searches(settings, gazetteer)
            es_pid = process.running_pid(files.paths_for(settings))
            one = replay(reader, calls, args.searches, 1, es_pid)
            four = replay(reader, calls, args.searches, 4, es_pid)
            rows.append(f"{sites:>9} {listed:>8} {seconds:>8.0f} {store / 2**20:>9.1f} {store / listed:>6.0f} "
                        f"{len(calls) / requests:>11.2f} {one['cpu_ms']:>27.2f} "
                        f"{one['took_p50']:>6.0f}/{one['took_p99']:<6.0f} {four['cpu_ms']:>28.2f} {four['per_s']:>10.0f}")
            print(header, *rows, sep="\n", flush=True)
    finally:
        if not args.keep:
            subprocess.run([str(CLI), "es", "stop"], env={**os.environ, **env}, capture_output=True)
            shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
