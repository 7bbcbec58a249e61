"""API speed against its anchors, in one run, interleaved request by request (issues 12 and 20; a script, not a test).

Sides, all on 127.0.0.1 against the same index (a 100k-site sample, ``api_bench.ensure_index``):
- ``api``: ``partner-locator serve --workers 2 --threads 4`` of this checkout, with the shipped
  defaults: the per-client rate limit on (a budget no run reaches: ``api_bench.BENCH_RATE_LIMIT``)
  and analytics on (a token secret, the local node's events user: every answer carries its token);
- ``baseline``: the same command run from a worktree of an earlier commit (``--baseline 9ac7659``),
  so "today" is measured in the same run as the change;
- ``bare``: the lean bare stack (``bare_stack.py``) under gunicorn gthread with the same worker and
  thread settings; with ``--granian`` also ``api-granian`` and ``bare-granian``, the API
  (``api_wsgi.py``: the same app and settings, without serve's gunicorn hooks) and the bare stack
  under granian's WSGI interface (2 workers x 4 blocking threads), to choose the server by measurement;
- ``raw``: the hand-written body of each question (``hand_bodies``) sent straight to Elasticsearch
  over one keep-alive connection, as the read-only user.

The mix: near a point (with facets), near a point with tier + cert filters, words near a point (one
word in four misspelt, so the second round trip with typos allowed is measured too), and suggest;
every request distinct, across runs too (random points near listed sites, random words and prefixes
from the index). Each request goes to every side in turn (rotating which goes first), so drift and
noise hit all sides alike. Per run: p50 and p99 latency over the mix (and p50 per kind), server CPU
per request from /proc (every process of each server tree, around the same requests), then
``wrk -t2 -c8`` over the run's mix for every served side in turn: requests/s, p99, errors. With
``--runs 3`` the runs follow each other and the summary gives the median of each figure with its
spread (min-max) and the ratio to the bare stack of the same run.

Usage::

    .venv/bin/python benchmarks/api_speed.py [--runs 3] [--requests 1200] [--baseline 9ac7659] [--granian] [--wrk-seconds 20]
"""
from __future__ import annotations

import argparse
import base64
import http.client
import os
import random
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from contextlib import ExitStack
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import orjson

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from baseline import baseline_checkout  # noqa: E402
from api_bench import (BENCH_RATE_LIMIT, PREFIX, PREFIX_ENV, RATE_LIMIT_ENV, HttpClient, bench_settings,  # noqa: E402
                       cpu_seconds, ensure_index, free_port, percentile, stop_server, wrk_run)
from hand_bodies import bodies_for  # noqa: E402
from machine import CpuMeter, elasticsearch_pid, process_tree, wait_until_quiet  # noqa: E402

from locator.core.es import connect, connection_for  # noqa: E402
from locator.core.mapping import sites_alias  # noqa: E402

KINDS = ("near", "near + tier + cert", "words near", "suggest")
GUNICORN = {"workers": 2, "threads": 4}  # partner-locator serve's defaults
MISSPELT_SHARE = 0.25  # of the words of "words near" (issue 20: at least one in five)
METRICS_PORT_ENV = "PARTNER_LOCATOR_API_METRICS_PORT"
SERVED = ("api", "baseline", "bare", "api-granian", "bare-granian")


class Side:
    """A gunicorn tree on a free port, started and stopped by this script (by pid)."""

    def __init__(self, name: str, command: list[str], cwd: Path, env: dict, log: Path, ready: str):
        self.name, self.port = name, free_port()
        self.log = log.open("wb")
        command = [part.replace("{port}", str(self.port)) for part in command]
        self.process = subprocess.Popen(command, cwd=cwd, env={**os.environ, **env}, stdout=self.log,
                                        stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"{name} exited {self.process.returncode}: see {log}")
            try:
                if HttpClient(self.port).get(ready)[0] == 200:
                    break
            except OSError:
                time.sleep(0.2)
        else:
            self.stop()
            raise SystemExit(f"{name} did not answer {ready} within 90 s: see {log}")
        time.sleep(1.0)  # every worker booted
        self.client = HttpClient(self.port)

    def request(self, path: str) -> int:
        return self.client.get(path)[0]

    def cpu(self) -> float:
        return cpu_seconds(process_tree(self.process.pid))

    def stop(self) -> None:
        stop_server(self.process)
        self.log.close()


class Raw:
    """Hand-written bodies straight to Elasticsearch over one keep-alive connection."""

    name = "raw"

    def __init__(self, url: str, username: str, password: str, alias: str):
        parts = urlsplit(url)
        self.conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
        token = base64.b64encode(f"{username}:{password}".encode()).decode()
        self.headers = {"Authorization": f"Basic {token}", "Content-Type": "application/json"}
        self.alias = alias

    def request(self, path: str) -> int:
        for body in bodies_for(parse_qs(urlsplit(path).query)):  # until something is found
            status, found = self._search(body)
            if found["hits"]["hits"] or "suggest" in found:
                break
        return status

    def _search(self, body: dict) -> tuple[int, dict]:
        self.conn.request("POST", f"/{self.alias}/_search", orjson.dumps(body), self.headers)
        response = self.conn.getresponse()
        return response.status, orjson.loads(response.read())


def build_mix(es, alias: str, count: int, seed: int) -> list[tuple[str, str]]:
    """``count`` distinct (kind, path) requests: points near random listed sites, words from the index."""
    rng = random.Random(seed)
    hits = es.search(index=alias, size=500, query={"function_score": {"random_score": {"seed": seed, "field": "_seq_no"}}},
                     _source=["location", "company", "industries", "address.city"])["hits"]["hits"]
    points = [hit["_source"]["location"] for hit in hits]
    words = sorted({word for hit in hits for word in _words(hit["_source"])})
    seen, mix = set(), []
    while len(mix) < count:
        kind = KINDS[len(mix) % len(KINDS)]
        point = rng.choice(points)
        near = {"lat": round(point["lat"] + rng.uniform(-0.3, 0.3), 4), "lon": round(point["lon"] + rng.uniform(-0.3, 0.3), 4)}
        if kind == "near":
            params = near
        elif kind == "near + tier + cert":
            params = {**near, "tier": rng.choice(["premier", "advanced"]), "cert": rng.choice(["MCDE", "MCIT", "MCIE"])}
        elif kind == "words near":
            # Mostly words of a site near the visitor (what people look for), now and then words
            # of a site elsewhere (nothing within the radius: the nearest ones answer).
            site = rng.choice(hits)["_source"]
            near = {"lat": round(site["location"]["lat"] + rng.uniform(-0.3, 0.3), 4),
                    "lon": round(site["location"]["lon"] + rng.uniform(-0.3, 0.3), 4)}
            word = rng.choice(sorted(_words(site)) if rng.random() < 0.8 else words)
            if rng.random() < MISSPELT_SHARE:
                word = misspelt(word, rng)
            params = {"q": word, **near, "radius_km": rng.choice([100, 300])}
        else:
            word = rng.choice(words)
            params = {"q": word[: rng.randint(2, min(6, len(word)))] + ("" if rng.random() < 0.7 else " ")}
        path = ("/api/v1/suggest?" if kind == "suggest" else "/api/v1/partners?") + urlencode(params)
        if path not in seen:  # distinct: no cache can answer a request from an earlier one
            seen.add(path)
            mix.append((kind, path))
    return mix


def misspelt(word: str, rng: random.Random) -> str:
    """The word with a typo a visitor makes: two neighbouring letters swapped, one dropped or one
    replaced (never the first letter; every index word has four letters or more)."""
    at = rng.randrange(1, len(word) - 1)
    typo = rng.choice(("swap", "drop", "replace"))
    if typo == "swap" and word[at] != word[at + 1]:
        return word[:at] + word[at + 1] + word[at] + word[at + 2:]
    if typo == "drop":
        return word[:at] + word[at + 1:]
    return word[:at] + rng.choice([c for c in "aeiorstnl" if c != word[at]]) + word[at + 1:]


def _words(source: dict) -> set[str]:
    texts = [source["company"], source["address"]["city"], *source.get("industries", [])]
    return {word.lower() for text in texts for word in text.split() if len(word) > 3 and word.isalpha()}


def start_sides(baseline, workdir: Path, settings, stack: ExitStack, granian: bool = False) -> list:
    """api, baseline (when ``baseline`` is a (tree, python) pair), bare (and bare-granian) and raw;
    each server is stopped when ``stack`` closes, also when a later one fails to start."""
    reader = connection_for(settings, "reader")
    serve = [str(ROOT / ".venv" / "bin" / "python"), "-m", "locator.cli", "serve", "--port", "{port}",
             "--workers", str(GUNICORN["workers"]), "--threads", str(GUNICORN["threads"])]
    # The shipped defaults: the rate limit on (with a budget no run reaches), analytics on.
    env = {PREFIX_ENV: PREFIX, RATE_LIMIT_ENV: BENCH_RATE_LIMIT,
           "PARTNER_LOCATOR_ANALYTICS_TOKEN_SECRET": secrets.token_urlsafe(40)}
    def started(side: Side) -> Side:
        stack.callback(side.stop)
        return side

    # Metrics on, as shipped: each served API its own private bind.
    sides = [started(Side("api", serve, ROOT, {**env, METRICS_PORT_ENV: str(free_port())}, workdir / "api.log", "/readyz"))]
    if baseline:
        tree, python = baseline
        sides.append(started(Side("baseline", [str(python), *serve[1:]], tree,
                                  {**env, "PYTHONPATH": str(tree), METRICS_PORT_ENV: str(free_port())},
                                  workdir / "baseline.log", "/readyz")))
    bare = [str(ROOT / ".venv" / "bin" / "gunicorn"), "-k", "gthread", "-w", str(GUNICORN["workers"]), "--threads",
            str(GUNICORN["threads"]), "-b", "127.0.0.1:{port}", "--log-level", "warning", "bare_stack:app"]
    bare_env = {"BARE_ES_URL": reader.hosts[0], "BARE_ES_USERNAME": reader.username or "",
                "BARE_ES_PASSWORD": reader.password or "", "BARE_ES_ALIAS": sites_alias(PREFIX)}
    sides.append(started(Side("bare", bare, ROOT / "benchmarks", bare_env, workdir / "bare.log", "/api/v1/suggest?q=ab")))
    if granian:
        granian_command = [str(ROOT / ".venv" / "bin" / "granian"), "--interface", "wsgi", "--workers",
                           str(GUNICORN["workers"]), "--blocking-threads", str(GUNICORN["threads"]), "--host", "127.0.0.1",
                           "--port", "{port}", "--no-access-log", "--log-level", "warning"]
        metrics_dir = workdir / "api-granian-metrics"  # as serve: prometheus-client's multiprocess mode
        metrics_dir.mkdir()
        sides.append(started(Side("api-granian", [*granian_command, "api_wsgi:app"], ROOT / "benchmarks",
                                  {**env, "PYTHONPATH": str(ROOT), "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir)},
                                  workdir / "api-granian.log", "/readyz")))
        sides.append(started(Side("bare-granian", [*granian_command, "bare_stack:app"], ROOT / "benchmarks", bare_env,
                                  workdir / "bare-granian.log", "/api/v1/suggest?q=ab")))
    sides.append(Raw(reader.hosts[0], reader.username, reader.password, sites_alias(PREFIX)))
    return sides


def warm_up(sides, mix) -> None:
    """Every side answers these first (not measured, nor repeated later)."""
    for _, path in mix:
        for side in sides:
            side.request(path)


def interleaved(sides, mix) -> tuple[dict, dict, dict, dict]:
    """Latency (ms) per side and kind, server CPU seconds per side, statuses per side, and each
    side's latencies in the mix's order (to compare the same requests)."""
    latency = {side.name: defaultdict(list) for side in sides}
    ordered = {side.name: [] for side in sides}
    statuses = {side.name: defaultdict(int) for side in sides}
    cpu_before = {side.name: side.cpu() for side in sides if isinstance(side, Side)}
    for number, (kind, path) in enumerate(mix):
        for side in sides[number % len(sides):] + sides[: number % len(sides)]:  # rotate who goes first
            started = time.perf_counter()
            status = side.request(path)
            took_ms = (time.perf_counter() - started) * 1000
            latency[side.name][kind].append(took_ms)
            ordered[side.name].append(took_ms)
            statuses[side.name][status] += 1
    cpu = {name: (next(s for s in sides if s.name == name).cpu() - before) for name, before in cpu_before.items()}
    return latency, cpu, statuses, ordered


def tail(ordered: dict[str, list[float]], mix, side: str = "api") -> str:
    """Where ``side``'s slowest 1% come from: the same requests' median time on every other side
    (slow everywhere: Elasticsearch's own tail; slow on this side only: its own), and their kinds."""
    count = max(1, len(ordered[side]) // 100)
    slowest = sorted(range(len(ordered[side])), key=ordered[side].__getitem__)[-count:]
    same = "; ".join(f"{name} {statistics.median(times[i] for i in slowest):.1f}" for name, times in ordered.items())
    kinds = defaultdict(int)
    for i in slowest:
        kinds[mix[i][0]] += 1
    return f"{side}'s slowest {count} requests, median ms on each side: {same}; kinds {dict(kinds)}"


def run_figures(latency, cpu, requests: int) -> dict[str, dict[str, float]]:
    """side -> {"p50", "p99" (ms over the mix), "p50 <kind>", "p99 <kind>", "cpu_us"} of one
    interleaved run (per kind too: the mix's p99 falls among misspelt words, Elasticsearch's fuzzy
    matching, where every side waits alike; the other kinds show a side's own tail)."""
    figures = {}
    for name, by_kind in latency.items():
        mix = _values(by_kind, "mix")
        figures[name] = {"p50": percentile(mix, 0.5), "p99": percentile(mix, 0.99),
                         **{f"p50 {kind}": percentile(_values(by_kind, kind), 0.5) for kind in KINDS},
                         **{f"p99 {kind}": percentile(_values(by_kind, kind), 0.99) for kind in KINDS}}
        if name in cpu:
            figures[name]["cpu_us"] = cpu[name] / requests * 1e6
    return figures


def _values(by_kind: dict, kind: str) -> list[float]:
    return [value for name, values in by_kind.items() if kind in ("mix", name) for value in values]


def throughput(sides, paths: list[str], seconds: int, workdir: Path, run: int) -> dict[str, dict[str, float]]:
    """side -> {"rps", "wrk p50", "wrk p99", "errors"}: ``wrk -t2 -c8`` for each served side in turn."""
    found = {}
    for side in sides:
        if side.name in SERVED:
            result = wrk_run(side.port, paths, seconds, 2, 8, workdir, f"{side.name}-{run}")
            found[side.name] = {"rps": result["rps"] or 0.0, "wrk p50": result.get("50%", 0.0),
                                "wrk p99": result.get("99%", 0.0), "errors": result["errors"]}
    return found


def summary(runs: list[dict[str, dict[str, float]]]) -> list[str]:
    """Median [min-max] of each figure over the runs, and the median of its per-run ratio to bare."""
    names = list(runs[0])
    keys = [key for key in runs[0]["api"]]
    lines = [f"{'figure':24}" + "".join(f"{name:>32}" for name in names)]
    for key in keys:
        row = f"{key:24}"
        for name in names:
            values = [run[name][key] for run in runs if key in run.get(name, {})]
            if not values:
                row += f"{'':>32}"
                continue
            ratios = [run[name][key] / run["bare"][key] for run in runs
                      if key in run.get(name, {}) and run["bare"].get(key)]
            ratio = f" {statistics.median(ratios):4.2f}x" if ratios else ""
            row += f"{statistics.median(values):>10.1f} [{min(values):.1f}-{max(values):.1f}]{ratio}".rjust(32)
        lines.append(row)
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--requests", type=int, default=1200, help="measured requests per side and run")
    parser.add_argument("--warmup", type=int, default=100)
    parser.add_argument("--baseline", help="commit to measure as 'today' (e.g. 9ac7659), from a worktree")
    parser.add_argument("--granian", action="store_true", help="also the bare stack under granian")
    parser.add_argument("--wrk-seconds", type=int, default=20, help="0: no wrk")
    parser.add_argument("--sites", type=int, default=100_000)
    parser.add_argument("--reuse-index", action="store_true")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--as-of", default="2026-06-01")
    args = parser.parse_args(argv)
    if args.wrk_seconds and not shutil.which("wrk"):
        print("wrk is missing (Debian: apt-get install wrk; `make bench-tools`): throughput not measured")
        args.wrk_seconds = 0
    settings = bench_settings("")
    workdir = Path(tempfile.mkdtemp(prefix="api-speed-"))
    admin = connect(settings, "admin")
    ensure_index(args, settings, admin, workdir)
    per_run = args.requests + args.warmup
    mix = build_mix(admin, sites_alias(PREFIX), per_run * args.runs, args.seed)  # distinct across runs too
    runs = []
    with ExitStack() as stack:
        baseline = stack.enter_context(baseline_checkout(args.baseline, workdir)) if args.baseline else None
        sides = start_sides(baseline, workdir, settings, stack, args.granian)
        for run in range(args.runs):
            run_mix = mix[run * per_run:(run + 1) * per_run]
            wait_until_quiet()
            warm_up(sides, run_mix[:args.warmup])
            with CpuMeter(elasticsearch_pid(settings), self_only=True) as meter:
                latency, cpu, statuses, ordered = interleaved(sides, run_mix[args.warmup:])
                meter.add_extra(sum(cpu.values()))
            figures = run_figures(latency, cpu, args.requests)
            if args.wrk_seconds:
                for name, found in throughput(sides, [path for _, path in run_mix], args.wrk_seconds, workdir, run).items():
                    figures[name].update(found)
            runs.append(figures)
            print(f"run {run + 1}/{args.runs}: statuses " + "; ".join(f"{name} {dict(counts)}" for name, counts in statuses.items()))
            print(f"  interleaved part: {meter.use.describe()}")
            print("\n".join(summary([figures])))
            print("\n".join(tail(ordered, run_mix[args.warmup:], name) for name in ("api", "bare")), flush=True)
    print(f"\n{args.runs} run(s) of {args.requests} distinct requests per side; median [min-max], ratio to bare:")
    print("\n".join(summary(runs)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
