"""API speed against its anchors, in one run, interleaved request by request (issue 12; a script, not a test).

Sides, all on 127.0.0.1 against the same index (a 100k-site sample, ``api_bench.ensure_index``):
- ``api``: ``partner-locator serve --workers 2 --threads 4`` of this checkout;
- ``baseline``: the same command run from a worktree of an earlier commit (``--baseline 8abe16f``),
  so "today" is measured in the same run as the change;
- ``bare``: ``bare_stack.py`` under gunicorn with the same worker and thread settings;
- ``raw``: the hand-written body of each question (``hand_bodies``) sent straight to Elasticsearch
  over one keep-alive connection, as the read-only user.

The mix: near a point (with facets), near a point with tier + cert filters, words near a point, and
suggest; every request distinct (random points near listed sites, random words and prefixes from
the index). Each request goes to every side in turn (rotating which goes first), so drift and noise
hit all sides alike. Reported: p50 latency per kind and over the mix, ratio to raw; server CPU per
request from /proc (every process of each gunicorn tree, around the same requests), ratio to bare;
then ``wrk -t2 -c8`` over the randomised mix for api, baseline and bare, alternated, requests/s and p99.

Usage::

    .venv/bin/python benchmarks/api_speed.py [--requests 1200] [--baseline 8abe16f] [--wrk-seconds 20]
"""
from __future__ import annotations

import argparse
import base64
import http.client
import os
import random
import shutil
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
from api_bench import (PREFIX, PREFIX_ENV, HttpClient, bench_settings, cpu_seconds, ensure_index,  # noqa: E402
                       free_port, percentile, stop_server, wrk_run)
from hand_bodies import bodies_for  # noqa: E402
from machine import process_tree, wait_until_quiet  # noqa: E402

from locator.core.es import connect, connection_for  # noqa: E402
from locator.core.mapping import sites_alias  # noqa: E402

KINDS = ("near", "near + tier + cert", "words near", "suggest")
GUNICORN = {"workers": 2, "threads": 4}  # partner-locator serve's defaults


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
            params = {"q": word, **near, "radius_km": rng.choice([100, 300])}
        else:
            word = rng.choice(words)
            params = {"q": word[: rng.randint(2, min(6, len(word)))] + ("" if rng.random() < 0.7 else " ")}
        path = ("/api/v1/suggest?" if kind == "suggest" else "/api/v1/partners?") + urlencode(params)
        if path not in seen:  # distinct: no cache can answer a request from an earlier one
            seen.add(path)
            mix.append((kind, path))
    return mix


def _words(source: dict) -> set[str]:
    texts = [source["company"], source["address"]["city"], *source.get("industries", [])]
    return {word.lower() for text in texts for word in text.split() if len(word) > 3 and word.isalpha()}


def start_sides(baseline, workdir: Path, settings, stack: ExitStack) -> list:
    """api, baseline (when ``baseline`` is a (tree, python) pair), bare and raw; each server is
    stopped when ``stack`` closes, also when a later one fails to start."""
    reader = connection_for(settings, "reader")
    serve = [str(ROOT / ".venv" / "bin" / "python"), "-m", "locator.cli", "serve", "--port", "{port}",
             "--workers", str(GUNICORN["workers"]), "--threads", str(GUNICORN["threads"])]
    env = {PREFIX_ENV: PREFIX, "PARTNER_LOCATOR_API_RATE_LIMIT": ""}
    def started(side: Side) -> Side:
        stack.callback(side.stop)
        return side

    sides = [started(Side("api", serve, ROOT, env, workdir / "api.log", "/readyz"))]
    if baseline:
        tree, python = baseline
        sides.append(started(Side("baseline", [str(python), *serve[1:]], tree, {**env, "PYTHONPATH": str(tree)},
                                  workdir / "baseline.log", "/readyz")))
    bare = [str(ROOT / ".venv" / "bin" / "gunicorn"), "-k", "gthread", "-w", str(GUNICORN["workers"]), "--threads",
            str(GUNICORN["threads"]), "-b", "127.0.0.1:{port}", "--log-level", "warning", "bare_stack:app"]
    bare_env = {"BARE_ES_URL": reader.hosts[0], "BARE_ES_USERNAME": reader.username or "",
                "BARE_ES_PASSWORD": reader.password or "", "BARE_ES_ALIAS": sites_alias(PREFIX)}
    sides.append(started(Side("bare", bare, ROOT / "benchmarks", bare_env, workdir / "bare.log", "/api/v1/suggest?q=ab")))
    sides.append(Raw(reader.hosts[0], reader.username, reader.password, sites_alias(PREFIX)))
    return sides


def interleaved(sides, mix, warmup: int) -> tuple[dict, dict, dict]:
    """Latency (ms) per side and kind, server CPU seconds per side, statuses per side; the first
    ``warmup`` requests warm every side up and are not measured (nor repeated)."""
    for _, path in mix[:warmup]:
        for side in sides:
            side.request(path)
    mix = mix[warmup:]
    latency = {side.name: defaultdict(list) for side in sides}
    statuses = {side.name: defaultdict(int) for side in sides}
    cpu_before = {side.name: side.cpu() for side in sides if isinstance(side, Side)}
    for number, (kind, path) in enumerate(mix):
        for side in sides[number % len(sides):] + sides[: number % len(sides)]:  # rotate who goes first
            started = time.perf_counter()
            status = side.request(path)
            latency[side.name][kind].append((time.perf_counter() - started) * 1000)
            statuses[side.name][status] += 1
    cpu = {name: (next(s for s in sides if s.name == name).cpu() - before) for name, before in cpu_before.items()}
    return latency, cpu, statuses


def report(latency, cpu, statuses, requests: int) -> list[str]:
    lines = [f"requests per side: {requests} (distinct), statuses: " +
             "; ".join(f"{name} {dict(counts)}" for name, counts in statuses.items()), ""]
    lines.append("p50 latency, ms (ratio to raw)")
    header = f"{'kind':22}" + "".join(f"{name:>20}" for name in latency)
    lines.append(header)
    for kind in (*KINDS, "mix"):
        row = f"{kind:22}"
        raw = percentile(_values(latency["raw"], kind), 0.5)
        for name in latency:
            p50 = percentile(_values(latency[name], kind), 0.5)
            row += f"{p50:>12.2f} ({p50 / raw:4.2f}x)"
        lines.append(row)
    lines.append("")
    lines.append("server CPU per request, us (ratio to bare): " + "; ".join(
        f"{name} {cpu[name] / requests * 1e6:.0f} ({cpu[name] / cpu['bare']:.2f}x)" for name in cpu))
    return lines


def _values(by_kind: dict, kind: str) -> list[float]:
    return [value for name, values in by_kind.items() if kind in ("mix", name) for value in values]


def throughput(sides, mix, seconds: int, workdir: Path, rounds: int = 2) -> list[str]:
    if not shutil.which("wrk"):
        return ["wrk is missing (Debian: apt-get install wrk; `make bench-tools`): throughput not measured"]
    paths = [path for _, path in mix]
    lines = ["wrk -t2 -c8 over the randomised mix (alternated):"]
    for round_number in range(rounds):
        for side in sides:
            if side.name in ("api", "baseline", "bare"):
                result = wrk_run(side.port, paths, seconds, 2, 8, workdir, f"{side.name}-{round_number}")
                lines.append(f"  {side.name:9} {result['rps'] or 0:8.1f} req/s  p50 {result.get('50%', 0):6.1f} ms  "
                             f"p99 {result.get('99%', 0):6.1f} ms  errors {result['errors']}")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=1200)
    parser.add_argument("--warmup", type=int, default=100)
    parser.add_argument("--baseline", help="commit to measure as 'today' (e.g. 8abe16f), from a worktree")
    parser.add_argument("--wrk-seconds", type=int, default=20)
    parser.add_argument("--sites", type=int, default=100_000)
    parser.add_argument("--reuse-index", action="store_true")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--as-of", default="2026-06-01")
    args = parser.parse_args(argv)
    settings = bench_settings("")
    workdir = Path(tempfile.mkdtemp(prefix="api-speed-"))
    admin = connect(settings, "admin")
    ensure_index(args, settings, admin, workdir)
    mix = build_mix(admin, sites_alias(PREFIX), args.requests + args.warmup, args.seed)
    with ExitStack() as stack:
        baseline = stack.enter_context(baseline_checkout(args.baseline, workdir)) if args.baseline else None
        sides = start_sides(baseline, workdir, settings, stack)
        wait_until_quiet()
        latency, cpu, statuses = interleaved(sides, mix, args.warmup)
        print("\n".join(report(latency, cpu, statuses, args.requests)))
        print("\n".join(throughput(sides, mix, args.wrk_seconds, workdir)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
