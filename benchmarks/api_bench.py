"""Search API benchmark (a script, not a test): the API against the raw Elasticsearch round trip.

1. Index a 100k-site sample once, under its own prefix (``partner-locator-bench-api``), with the
   real indexer (``partner-locator index``); ``--reuse-index`` keeps an index from an earlier run.
2. Build a deterministic mix of realistic requests from what is indexed: near a city (``near=``),
   lat/lon + filters, text with a typo, ``collapse=partner``, map markers, suggest, site detail.
3. Record the Elasticsearch request bodies of every request of the mix: the app is run in this
   process with ``locator.api.service.run_search`` wrapped, so the bodies are exactly what the
   service built with ``locator.api.queries`` (one or two searches per request).
4. Sequential latency, one process, interleaved request by request:
   (a) the API over real HTTP (``http.client``, keep-alive) to ``partner-locator serve`` on 127.0.0.1;
   (b) the same recorded bodies sent with the same client (``locator.core.es.connect(settings,
       "reader")``, the app's own factory), one after the other as the service sends them.
   p50/p99 of each, ratio API p50 / raw p50 (target <= 1.10), per kind and for the whole mix.
5. API CPU per request (target <= 400 us), two ways:
   - in process: ``time.process_time()`` around each Flask test-client request minus
     ``time.process_time()`` around the raw sends of its bodies with the same client (the ES
     client's own CPU: serialising the body, HTTP, parsing the answer), medians and means;
   - in the server: CPU of the gunicorn processes (``/proc/<pid>/stat``) over the HTTP run divided
     by the requests served, minus the same raw client CPU per request.
   Both with the access log on at INFO, as ``serve`` runs it.
6. Concurrency with ``wrk`` against ``partner-locator serve --workers 2`` (lua script cycling the
   mix), ``--duration`` seconds: requests/s, latency percentiles, errors (must be 0); then the
   same for suggest alone. Suggest p99 target <= 20 ms.

Only 127.0.0.1; every loop is bounded in count and time; the server it started is stopped by pid.

Usage::

    .venv/bin/python benchmarks/api_bench.py [--sites 100000] [--requests 1500] [--duration 20]
"""
from __future__ import annotations

import argparse
import datetime as dt
import http.client
import logging
import os
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from urllib.parse import urlencode

import orjson

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import locator.api.service as service_module  # noqa: E402
from indexer.sample import write_sample  # noqa: E402
from locator.api import create_app  # noqa: E402
from locator.core.es import connect, connection_for  # noqa: E402
from locator.core.gazetteer import Gazetteer  # noqa: E402
from locator.core.mapping import sites_alias  # noqa: E402
from locator.core.settings import load_settings  # noqa: E402
from machine import CpuMeter, code_fingerprint, elasticsearch_pid, process_tree, wait_until_quiet  # noqa: E402

CLI = ROOT / ".venv" / "bin" / "partner-locator"
PREFIX = "partner-locator-bench-api"
PREFIX_ENV = "PARTNER_LOCATOR_ELASTICSEARCH_INDEX_PREFIX"
# The per-client rate limit (api.rate_limit, 600/min by default) would answer most of a benchmark's
# requests from 127.0.0.1 with 429. It stays on - its bookkeeping is part of every request's cost -
# with a budget no run reaches.
BENCH_RATE_LIMIT = "100000000 per minute"
RATE_LIMIT_ENV = "PARTNER_LOCATOR_API_RATE_LIMIT"
TARGET_RATIO, TARGET_CPU_US, TARGET_SUGGEST_P99_MS = 1.10, 400.0, 20.0
KINDS = ("near city", "lat/lon + filters", "text (typo)", "collapse", "markers", "suggest", "site detail")
WEIGHTS = (20, 20, 15, 10, 10, 15, 10)
TYPO_QUERIES = ("secruity", "survelliance", "videoteknik", "sicherheit", "kobenhavn", "zurich", "harbour secruity",
                "retial", "logistcs", "airprts", "healthcare videosystems", "nordlys", "pinnacle survellance",
                "sécurité vidéo", "critical infrastucture")
SUGGEST_PREFIXES = ("aar", "kob", "par", "lon", "ber", "nordl", "harb", "summ", "pinn", "secu", "zur", "mun", "sto",
                    "new y", "chi", "sydn", "toky", "sao", "mad", "rom", "ams", "osl", "hel", "war", "copenh", "fjor")


# ------------------------------------------------------------------ setup


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = share * (len(ordered) - 1)
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def bench_settings(rate_limit: str = BENCH_RATE_LIMIT):
    return load_settings().replace("elasticsearch", index_prefix=PREFIX).replace("api", rate_limit=rate_limit)


def delete_prefix(admin, prefix: str = PREFIX) -> list[str]:
    names = sorted(admin.indices.get(index=f"{prefix}-*", expand_wildcards="open,closed"))
    for name in names:
        admin.indices.delete(index=name, ignore_unavailable=True)
    return names


def ensure_index(args, settings, admin, workdir: Path, prefix: str = PREFIX) -> str:
    """The bench index of ``args.sites`` sites under ``prefix`` (made with the real indexer), its name."""
    alias = sites_alias(prefix)
    if args.reuse_index and admin.indices.exists_alias(name=alias):
        index = list(admin.indices.get_alias(name=alias))[0]
        print(f"reusing {index} ({admin.count(index=alias)['count']} sites)", flush=True)
        return index
    delete_prefix(admin, prefix)
    sample = workdir / f"sample-{args.sites}.jsonl"
    started = time.perf_counter()
    write_sample(sample, args.sites, args.seed, gazetteer=Gazetteer.open(settings.cache_dir),
                 as_of=dt.date.fromisoformat(args.as_of))
    print(f"sample: {args.sites} sites in {time.perf_counter() - started:.1f}s", flush=True)
    started = time.perf_counter()
    done = subprocess.run([str(CLI), "index", str(sample), "--as-of", args.as_of, "--force"], cwd=ROOT,
                          env={**os.environ, PREFIX_ENV: prefix}, capture_output=True, text=True, timeout=1800)
    print(f"indexed in {time.perf_counter() - started:.1f}s: {done.stderr.strip().splitlines()[-1] if done.stderr else ''}"
          f" {done.stdout.strip()}", flush=True)
    if done.returncode != 0:
        raise SystemExit(f"indexing failed:\n{done.stderr}")
    sample.unlink()
    return list(admin.indices.get_alias(name=alias))[0]


def build_mix(es, alias: str, gazetteer: Gazetteer, count: int, seed: int) -> list[tuple[str, str]]:
    """(kind, path?query) requests, deterministic for the index and the seed."""
    rng = random.Random(seed)
    # Real places with many listed sites, and real site ids.
    top = es.search(index=alias, size=0, aggs={"places": {"terms": {"field": "place_id", "size": 60}}})
    places = [gazetteer.get(bucket["key"]) for bucket in top["aggregations"]["places"]["buckets"]]
    places = [place for place in places if place is not None]
    nears = []
    for place in places:
        best, _ = gazetteer.resolve_query(place.name)
        nears.append(place.name if best is not None and best.id == place.id else f"{place.name}, {place.country}")
    ids = [hit["_source"]["site_id"] for hit in es.search(index=alias, size=200, sort=[{"site_id": "asc"}],
                                                          _source=["site_id"], query={"match_all": {}})["hits"]["hits"]]
    countries = [b["key"] for b in es.search(index=alias, size=0, aggs={"c": {"terms": {"field": "country", "size": 20}}})
                 ["aggregations"]["c"]["buckets"]]
    industries = ["retail", "logistics", "airports", "healthcare", "banking", "manufacturing", "ports"]

    def one(kind: str) -> str:
        place = rng.choice(places)
        if kind == "near city":
            params = {"near": rng.choice(nears)}
            if rng.random() < 0.5:
                params["radius_km"] = rng.choice([25, 50, 200])
            if rng.random() < 0.3:
                params["tier"] = "premier"
            return "/api/v1/partners?" + urlencode(params)
        if kind == "lat/lon + filters":
            params = {"lat": round(place.lat + rng.uniform(-0.2, 0.2), 4), "lon": round(place.lon + rng.uniform(-0.2, 0.2), 4),
                      "radius_km": rng.choice([50, 100, 300])}
            extra = rng.sample([("tier", rng.choice(["advanced", "premier"])), ("cert", rng.choice(["MCDE", "MCIT", "MCIE"])),
                                ("industry", rng.choice(industries)), ("language", "en"), ("country", place.country)],
                               rng.randint(1, 3))
            params.update(extra)
            if rng.random() < 0.3:
                params["sort"] = "relevance"
            return "/api/v1/partners?" + urlencode(params)
        if kind == "text (typo)":
            params = {"q": rng.choice(TYPO_QUERIES)}
            if rng.random() < 0.3:
                params["country"] = rng.choice(countries)
            if rng.random() < 0.2:
                params["page"] = 2
            return "/api/v1/partners?" + urlencode(params)
        if kind == "collapse":
            if rng.random() < 0.5:
                params = {"near": rng.choice(nears), "collapse": "partner", "radius_km": 200}
            else:
                params = {"q": rng.choice(TYPO_QUERIES[:8]), "collapse": "partner"}
            return "/api/v1/partners?" + urlencode(params)
        if kind == "markers":
            if rng.random() < 0.3:
                params = {"bbox": "-60,-180,80,180", "zoom": 2}
            else:
                span = rng.choice([0.5, 2.0, 8.0])
                south, north = max(-90, place.lat - span), min(90, place.lat + span)
                west, east = max(-180, place.lon - 2 * span), min(180, place.lon + 2 * span)
                params = {"bbox": f"{south:.3f},{west:.3f},{north:.3f},{east:.3f}", "zoom": {0.5: 10, 2.0: 7, 8.0: 5}[span]}
            if rng.random() < 0.3:
                params["tier"] = "premier"
            return "/api/v1/partners/markers?" + urlencode(params)
        if kind == "suggest":
            return "/api/v1/suggest?" + urlencode({"q": rng.choice(SUGGEST_PREFIXES)})
        return f"/api/v1/partners/{rng.choice(ids)}"

    kinds = rng.choices(KINDS, weights=WEIGHTS, k=count)
    return [(kind, one(kind)) for kind in kinds]


class Recorder:
    """Wraps run_search to keep the exact (index, body) of every search the service makes."""

    def __init__(self):
        self.original = service_module.run_search
        self.calls: list[tuple[str, dict]] = []

    def __enter__(self):
        def recording(es, index, body):
            self.calls.append((index, orjson.loads(orjson.dumps(body))))
            return self.original(es, index, body)

        service_module.run_search = recording
        return self

    def __exit__(self, *exc_info):
        service_module.run_search = self.original


def raw_send(es, calls: list[tuple[str, dict]]) -> None:
    # Exactly what service.run_search sends (its only other work, summing "took" into flask.g, is the API's).
    for index, body in calls:
        es.search(index=index, **{("from_" if key == "from" else key): value for key, value in body.items()}).body


# ------------------------------------------------------------------ server


def add_sample_arguments(parser, sites: int) -> None:
    """The sample a benchmark indexes (ensure_index) and whether an earlier run's index is kept."""
    parser.add_argument("--sites", type=int, default=sites)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--as-of", default="2026-06-01")
    parser.add_argument("--reuse-index", action="store_true", help="keep the bench index of an earlier run if there")
    parser.add_argument("--keep-index", action="store_true", help="do not delete the bench index at the end")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """``partner-locator serve`` on 127.0.0.1, started and stopped by this script (by pid); of this
    checkout, or of the source tree ``code`` (found first on PYTHONPATH: another commit's code)."""

    def __init__(self, workers: int, log: Path, rate_limit: str = BENCH_RATE_LIMIT, prefix: str = PREFIX,
                 code: Path | None = None):
        self.port = free_port()
        self.log = log.open("ab")
        env = {**os.environ, PREFIX_ENV: prefix, RATE_LIMIT_ENV: rate_limit}
        if code is not None:
            env["PYTHONPATH"] = str(code)  # found before the editable install's own finder
        self.process = subprocess.Popen(
            [str(CLI), "serve", "--host", "127.0.0.1", "--port", str(self.port), "--workers", str(workers)],
            cwd=code or ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                conn.request("GET", "/readyz")
                if conn.getresponse().status == 200:
                    conn.close()
                    break
            except OSError:
                pass
            if self.process.poll() is not None:
                raise SystemExit(f"serve exited {self.process.returncode}: see {log}")
            time.sleep(0.2)
        else:
            self.stop()
            raise SystemExit("serve did not become ready within 60 s")
        time.sleep(1.0)  # every worker booted

    def pids(self) -> list[int]:
        return process_tree(self.process.pid)

    def stop(self) -> None:
        stop_server(self.process)
        self.log.close()


def stop_server(process: subprocess.Popen) -> None:
    """SIGTERM (gunicorn stops its workers gracefully), SIGKILL after 20 s; always waited for."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def cpu_seconds(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            parts = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
            total += int(parts[11]) + int(parts[12])
        except OSError:
            pass
    return total / os.sysconf("SC_CLK_TCK")


class HttpClient:
    def __init__(self, port: int):
        self.port, self.conn, self.reconnects = port, None, 0

    def get(self, path: str) -> tuple[int, bytes]:
        for attempt in (1, 2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
                self.reconnects += attempt == 2
            try:
                self.conn.request("GET", path)
                response = self.conn.getresponse()
                return response.status, response.read()
            except (http.client.HTTPException, OSError):
                self.conn.close()
                self.conn = None
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")


# ------------------------------------------------------------------ measurements


def sequential_http(mix, bodies, es, server: Server, rounds: int, warmup: int, max_s: float):
    """Interleaved: API over HTTP, then the raw sends of its bodies; wall times in ms, and client CPU."""
    client = HttpClient(server.port)
    for index in range(min(warmup, len(mix))):
        client.get(mix[index][1])
        raw_send(es, bodies[index])
    floor = []  # the stack's floor: GET /livez (Flask, hooks, gunicorn, HTTP; no Elasticsearch, no limiter)
    for _ in range(300):
        started = time.perf_counter()
        client.get("/livez")
        floor.append((time.perf_counter() - started) * 1000)
    api, raw, raw_cpu, statuses = defaultdict(list), defaultdict(list), [], defaultdict(int)
    server_cpu_before = cpu_seconds(server.pids())
    deadline = time.monotonic() + max_s
    done = 0
    while done < rounds and time.monotonic() < deadline:
        kind, path = mix[done % len(mix)]
        calls = bodies[done % len(mix)]
        started = time.perf_counter()
        status, _ = client.get(path)
        api[kind].append((time.perf_counter() - started) * 1000)
        statuses[status] += 1
        cpu0, started = time.process_time(), time.perf_counter()
        raw_send(es, calls)
        raw[kind].append((time.perf_counter() - started) * 1000)
        raw_cpu.append(time.process_time() - cpu0)
        done += 1
    server_cpu = cpu_seconds(server.pids()) - server_cpu_before
    return api, raw, raw_cpu, server_cpu, done, dict(statuses), client.reconnects, floor


def in_process_cpu(app, mix, bodies, es, rounds: int, warmup: int, max_s: float):
    """Per request: process CPU of the in-process API request, and of the raw sends of its bodies."""
    client = app.test_client()
    for index in range(min(warmup, len(mix))):
        client.get(mix[index][1])
        raw_send(es, bodies[index])
    api_cpu, raw_cpu, api_ms, raw_ms = defaultdict(list), defaultdict(list), defaultdict(list), defaultdict(list)
    statuses = defaultdict(int)
    deadline = time.monotonic() + max_s
    done = 0
    while done < rounds and time.monotonic() < deadline:
        kind, path = mix[done % len(mix)]
        cpu0, wall0 = time.process_time(), time.perf_counter()
        response = client.get(path)
        response.get_data()
        api_cpu[kind].append(time.process_time() - cpu0)
        statuses[response.status_code] += 1
        api_ms[kind].append((time.perf_counter() - wall0) * 1000)
        cpu0, wall0 = time.process_time(), time.perf_counter()
        raw_send(es, bodies[done % len(mix)])
        raw_cpu[kind].append(time.process_time() - cpu0)
        raw_ms[kind].append((time.perf_counter() - wall0) * 1000)
        done += 1
    return api_cpu, raw_cpu, api_ms, raw_ms, done, dict(statuses)


def wrk_run(port: int, paths: list[str], duration: int, threads: int, connections: int, workdir: Path, name: str) -> dict:
    script = workdir / f"{name}.lua"
    quoted = ",\n".join(f'  "{path}"' for path in paths)
    script.write_text(f"""-- generated by benchmarks/api_bench.py: cycle through the request mix
local paths = {{
{quoted}
}}
local counter = 0
function setup(thread)
  counter = counter + 1
  thread:set("offset", counter * 97)
end
local i = nil
function request()
  if i == nil then i = offset or 0 end
  i = i + 1
  return wrk.format("GET", paths[(i % #paths) + 1])
end
""")
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--timeout", "5s", "--latency",
               "-s", str(script), f"http://127.0.0.1:{port}"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=duration + 60)
    out = done.stdout
    result = {"command": " ".join(command), "output": out.strip()}
    match = re.search(r"Requests/sec:\s+([0-9.]+)", out)
    result["rps"] = float(match.group(1)) if match else None
    for label in ("50%", "75%", "90%", "99%"):
        found = re.search(rf"^\s+{re.escape(label)}\s+([0-9.]+)(us|ms|s)\s*$", out, re.M)
        if found:
            value, unit = float(found.group(1)), found.group(2)
            result[label] = value / 1000 if unit == "us" else value * 1000 if unit == "s" else value
    total = re.search(r"(\d+) requests in", out)
    result["requests"] = int(total.group(1)) if total else None
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    result["errors"] = (int(non_2xx.group(1)) if non_2xx else 0) + (sum(map(int, socket_errors.groups())) if socket_errors else 0)
    return result


# ------------------------------------------------------------------ report


def fmt_row(columns, widths):
    return "  ".join(str(c).rjust(w) if i else str(c).ljust(w) for i, (c, w) in enumerate(zip(columns, widths)))


def table(headers, rows) -> str:
    widths = [max(len(str(r[i])) for r in [headers, *rows]) for i in range(len(headers))]
    return "\n".join([fmt_row(headers, widths), fmt_row(["-" * w for w in widths], widths)] + [fmt_row(r, widths) for r in rows])


def _terminate(signum, frame):
    raise SystemExit(128 + signum)  # run the finally blocks: stop the server


def main(argv: list[str] | None = None) -> int:
    signal.signal(signal.SIGTERM, _terminate)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_sample_arguments(parser, sites=100_000)
    parser.add_argument("--mix", type=int, default=400, help="distinct requests in the mix")
    parser.add_argument("--requests", type=int, default=1500, help="sequential requests per measurement")
    parser.add_argument("--max-seconds", type=float, default=180, help="cap on each sequential measurement")
    parser.add_argument("--duration", type=int, default=20, help="seconds of each wrk run")
    parser.add_argument("--wrk-threads", type=int, default=2)
    parser.add_argument("--wrk-connections", type=int, default=8)
    parser.add_argument("--quiet-wait", type=float, default=300)
    parser.add_argument("--rate-limit", default=BENCH_RATE_LIMIT,
                        help=f'api.rate_limit for the app under test [default: "{BENCH_RATE_LIMIT}"; "" turns it off]')
    args = parser.parse_args(argv)

    settings = bench_settings(args.rate_limit)
    es_pid = elasticsearch_pid(settings)
    admin = connect(settings, "admin")
    workdir = Path(tempfile.mkdtemp(prefix="partner-locator-api-bench-"))
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores, code fingerprint {code_fingerprint(ROOT)}, "
          f"started {dt.datetime.now(dt.timezone.utc):%Y-%m-%d %H:%M} UTC, files in {workdir}", flush=True)
    server = None
    try:
        index = ensure_index(args, settings, admin, workdir)
        # Access log at INFO, as `serve` configures it, but into a file: its cost is part of the API's.
        logging.basicConfig(level=logging.INFO, format="%(message)s", filename=str(workdir / "inprocess-access.log"))
        logging.getLogger("elastic_transport").setLevel(logging.WARNING)  # as locator.cli.configure_logging
        app = create_app(settings, connection=connection_for(settings, "reader"))
        es = app.extensions["partner_locator"].es  # the app's own client (connect(settings, "reader"))
        alias = sites_alias(PREFIX)
        mix = build_mix(es, alias, Gazetteer.open(settings.cache_dir), args.mix, args.seed)

        # Record the exact bodies; keep only requests that answer 200 (a mix of valid searches).
        client, bodies, kept = app.test_client(), [], []
        rejected = defaultdict(int)
        for kind, path in mix:
            with Recorder() as recorder:
                response = client.get(path)
            if response.status_code == 200:
                kept.append((kind, path))
                bodies.append(recorder.calls)
            else:
                rejected[f"{kind}: {response.status_code}"] += 1
        mix = kept
        searches = sum(len(calls) for calls in bodies)
        print(f"index {index}: {admin.count(index=alias)['count']} sites; mix of {len(mix)} requests "
              f"({', '.join(f'{k} {sum(1 for m in mix if m[0] == k)}' for k in KINDS)}), {searches} searches"
              + (f"; dropped (not 200): {dict(rejected)}" if rejected else ""), flush=True)

        # (a)+(b) sequential over HTTP, interleaved with the raw sends.
        server = Server(workers=2, log=workdir / "serve.log", rate_limit=args.rate_limit)
        wait_until_quiet(timeout_s=args.quiet_wait)
        with CpuMeter(es_pid, tuple(server.pids())) as meter:
            api, raw, raw_cpu_http, server_cpu, served, statuses, reconnects, floor = sequential_http(
                mix, bodies, es, server, args.requests, warmup=min(200, len(mix)), max_s=args.max_seconds)
        http_cpu = meter.use

        # CPU in process (Flask test client), interleaved with the raw sends.
        wait_until_quiet(timeout_s=args.quiet_wait)
        with CpuMeter(es_pid) as meter:
            api_cpu, raw_cpu, ip_api_ms, ip_raw_ms, ip_done, ip_statuses = in_process_cpu(
                app, mix, bodies, es, args.requests, warmup=min(200, len(mix)), max_s=args.max_seconds)
        ip_cpu = meter.use

        # Concurrency with wrk.
        server.stop()
        server = Server(workers=2, log=workdir / "serve-wrk.log", rate_limit=args.rate_limit)
        wait_until_quiet(timeout_s=args.quiet_wait)
        paths = [path for _, path in mix]
        with CpuMeter(es_pid, tuple(server.pids())) as meter:
            mixed = wrk_run(server.port, paths, args.duration, args.wrk_threads, args.wrk_connections, workdir, "mix")
        wrk_cpu = meter.use
        suggest_paths = [path for kind, path in mix if kind == "suggest"]
        wait_until_quiet(timeout_s=args.quiet_wait)
        with CpuMeter(es_pid, tuple(server.pids())) as meter:
            suggest = wrk_run(server.port, suggest_paths, max(5, args.duration // 2), args.wrk_threads,
                              args.wrk_connections, workdir, "suggest")
        wrk_suggest_cpu = meter.use
        server.stop()
        server = None
    finally:
        if server is not None:
            server.stop()
        if not args.keep_index and not args.reuse_index:
            delete_prefix(admin)
        shutil.rmtree(workdir, ignore_errors=True)

    # ---------------------------------------------------------------- print
    print(f"\n== sequential latency, one client, API over HTTP vs raw ES round trip of the same bodies "
          f"({served} requests, statuses {statuses}, reconnects {reconnects}) ==")
    rows = []
    all_api, all_raw = [], []
    for kind in KINDS:
        if not api[kind]:
            continue
        a50, a99, r50, r99 = (percentile(api[kind], 0.5), percentile(api[kind], 0.99), percentile(raw[kind], 0.5),
                              percentile(raw[kind], 0.99))
        rows.append([kind, len(api[kind]), f"{a50:.2f}", f"{a99:.2f}", f"{r50:.2f}", f"{r99:.2f}", f"{a50 / r50:.2f}",
                     f"{a50 - r50:+.2f}"])
        all_api += api[kind]
        all_raw += raw[kind]
    a50, a99, r50, r99 = (percentile(all_api, 0.5), percentile(all_api, 0.99), percentile(all_raw, 0.5),
                          percentile(all_raw, 0.99))
    rows.append(["ALL (mix)", len(all_api), f"{a50:.2f}", f"{a99:.2f}", f"{r50:.2f}", f"{r99:.2f}", f"{a50 / r50:.2f}",
                 f"{a50 - r50:+.2f}"])
    print(table(["kind", "n", "API p50 ms", "API p99 ms", "raw p50 ms", "raw p99 ms", "p50 ratio", "p50 diff ms"], rows))
    ratio = a50 / r50
    print(f"  floor of the stack, GET /livez over the same connection: p50 {percentile(floor, 0.5):.2f} ms, "
          f"p99 {percentile(floor, 0.99):.2f} ms (300 requests; rate limit {args.rate_limit!r})")
    print(f"  {http_cpu.describe()}")

    print(f"\n== API CPU per request (in process, Flask test client, access log on; {ip_done} requests, "
          f"statuses {ip_statuses}) ==")
    rows, all_diff, all_api_cpu, all_raw_cpu = [], [], [], []
    for kind in KINDS:
        if not api_cpu[kind]:
            continue
        diffs = [(a - r) * 1e6 for a, r in zip(api_cpu[kind], raw_cpu[kind])]
        rows.append([kind, len(diffs), f"{statistics.median(x * 1e6 for x in api_cpu[kind]):.0f}",
                     f"{statistics.median(x * 1e6 for x in raw_cpu[kind]):.0f}", f"{statistics.median(diffs):.0f}",
                     f"{statistics.fmean(diffs):.0f}", f"{percentile(ip_api_ms[kind], 0.5):.2f}",
                     f"{percentile(ip_raw_ms[kind], 0.5):.2f}"])
        all_diff += diffs
        all_api_cpu += api_cpu[kind]
        all_raw_cpu += raw_cpu[kind]
    api_cpu_median, api_cpu_mean = statistics.median(all_diff), statistics.fmean(all_diff)
    all_ip_api = [x for kind in KINDS for x in ip_api_ms[kind]]
    all_ip_raw = [x for kind in KINDS for x in ip_raw_ms[kind]]
    rows.append(["ALL (mix)", len(all_diff), f"{statistics.median(all_api_cpu) * 1e6:.0f}",
                 f"{statistics.median(all_raw_cpu) * 1e6:.0f}", f"{api_cpu_median:.0f}", f"{api_cpu_mean:.0f}",
                 f"{percentile(all_ip_api, 0.5):.2f}", f"{percentile(all_ip_raw, 0.5):.2f}"])
    print(table(["kind", "n", "request CPU us", "raw client CPU us", "API CPU us (median)", "API CPU us (mean)",
                 "in-proc p50 ms", "raw p50 ms"], rows))
    print(f"  {ip_cpu.describe()}")
    raw_client_mean_us = statistics.fmean(raw_cpu_http) * 1e6
    server_per_request_us = server_cpu / served * 1e6
    print(f"  server-side check (HTTP run): gunicorn processes used {server_cpu:.2f} CPU-s for {served} requests = "
          f"{server_per_request_us:.0f} us/request, minus the raw client's {raw_client_mean_us:.0f} us/request = "
          f"{server_per_request_us - raw_client_mean_us:.0f} us of API CPU per request (clock-tick resolution: 10 ms "
          f"over the whole run)")

    print("\n== concurrency: wrk against partner-locator serve --workers 2 (4 threads each) on 127.0.0.1 ==")
    for name, result, use in (("mix", mixed, wrk_cpu), ("suggest only", suggest, wrk_suggest_cpu)):
        print(f"  [{name}] {result['command']}")
        print(f"    requests/s {result['rps']}, requests {result['requests']}, errors {result['errors']}, latency ms "
              + ", ".join(f"p{k[:-1]} {result.get(k, float('nan')):.2f}" for k in ("50%", "75%", "90%", "99%")))
        print(f"    {use.describe()}")
        print("    " + result["output"].replace("\n", "\n    "))

    suggest_seq_p99 = percentile(api["suggest"], 0.99)
    if set(statuses) != {200} or set(ip_statuses) != {200}:
        print("\nWARNING: not every measured request answered 200: the figures above are not valid")
    print("\ntargets:")
    print(f"  API p50 / raw p50 (sequential, HTTP): {ratio:.2f} {'MET' if ratio <= TARGET_RATIO else 'MISSED'} (<= {TARGET_RATIO})")
    print(f"  API CPU per request (in process, median {api_cpu_median:.0f} us, mean {api_cpu_mean:.0f} us): "
          f"{'MET' if api_cpu_mean <= TARGET_CPU_US else 'MISSED'} (<= {TARGET_CPU_US:.0f} us, judged on the mean)")
    print(f"  suggest p99 sequential {suggest_seq_p99:.2f} ms, under wrk {suggest.get('99%', float('nan')):.2f} ms: "
          f"{'MET' if suggest_seq_p99 <= TARGET_SUGGEST_P99_MS else 'MISSED'} (<= {TARGET_SUGGEST_P99_MS:.0f} ms sequential)")
    errors = mixed["errors"] + suggest["errors"]
    print(f"  wrk errors: {errors} {'MET' if errors == 0 else 'MISSED'} (must be 0)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
