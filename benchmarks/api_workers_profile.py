"""Where a served API worker's time goes under load: py-spy samples of every gunicorn worker of
``partner-locator serve --workers 2 --threads 4`` while ``wrk -t2 -c8`` replays api_speed's mix
(issue 12; a script, not a test).

The in-process profile (``api_profile.py``) times the app through Flask's test client; this one
samples the real server, so gunicorn's own loop, the socket calls to Elasticsearch and the waits
for the GIL between a worker's four threads are counted where they happen. Each sample is given
to the first layer (in the order of ``LAYERS``) found anywhere on its stack, so a log line
written by the access log counts as "access log", not "logging".

Needs py-spy and wrk: ``make bench-tools``. Uses the index api_speed.py leaves (prefix
``partner-locator-bench-api``). Usage::

    .venv/bin/python benchmarks/api_workers_profile.py [--seconds 25] [--rate 200]
"""
from __future__ import annotations

import argparse
import os
import re
import secrets
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from api_bench import BENCH_RATE_LIMIT, PREFIX, PREFIX_ENV, RATE_LIMIT_ENV, bench_settings, free_port, stop_server, wrk_run  # noqa: E402
from api_speed import GUNICORN, build_mix  # noqa: E402
from machine import process_tree  # noqa: E402

from locator.core.es import connect  # noqa: E402
from locator.core.mapping import sites_alias  # noqa: E402

LAYERS = (
    ("Elasticsearch client: HTTP to the node (urllib3, http.client, elastic_transport)",
     r"elastic_transport|/urllib3/|http/client\.py|/elasticsearch/"),
    ("access log line", r"access_log\.py"),
    ("search token (analytics)", r"answer_tokens\.py|search_tokens\.py|analytics_facts\.py|signing\.py|itsdangerous|coarse_area"),
    ("metrics (prometheus-client)", r"locator/api/metrics\.py|prometheus_client"),
    ("per-client budget", r"budget\.py"),
    ("CORS (flask-cors)", r"flask_cors"),
    ("security headers", r"locator/api/headers\.py"),
    ("ETag, Cache-Control", r"caching\.py"),
    ("parameters (marshmallow)", r"locator/api/params\.py|marshmallow"),
    ("shaping the answer", r"shaping\.py|display\.py|urls\.py"),
    ("reading text= / gazetteer (SQLite)", r"interpret\.py|gazetteer"),
    ("languages (Flask-Babel)", r"i18n\.py|flask_babel|/babel/"),
    ("query building", r"queries\.py"),
    ("service and views (the rest of ours)", r"locator/api/"),
    ("gunicorn: accept, parse, hand to a thread, write the answer", r"gunicorn"),
    ("Flask and werkzeug", r"/flask/|werkzeug"),
    ("thread pool: waiting for / handing over work", r"concurrent/futures"),
)


def layer_of(stack: str) -> str:
    for name, pattern in LAYERS:
        if re.search(pattern, stack):
            return name
    return "other"


def summarise(files: list[Path]) -> list[str]:
    totals, own, samples = Counter(), Counter(), 0
    for path in files:
        for line in path.read_text().splitlines():
            stack, _, count = line.rpartition(" ")
            totals[layer_of(stack)] += int(count)
            own[stack.rsplit(";", 1)[-1]] += int(count)
            samples += int(count)
    lines = [f"{samples} samples of {len(files)} workers (py-spy raw stacks), share by layer:"]
    lines += [f"  {count / samples * 100:5.1f}%  {name}" for name, count in totals.most_common()]
    lines.append("top frames by own samples (the innermost frame of each stack):")
    lines += [f"  {count / samples * 100:5.1f}%  {frame}" for frame, count in own.most_common(25)]
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=25)
    parser.add_argument("--rate", type=int, default=200, help="py-spy samples per second")
    parser.add_argument("--requests", type=int, default=1600)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    spy = ROOT / ".venv" / "bin" / "py-spy"
    if not spy.exists():
        raise SystemExit("py-spy is missing: make bench-tools")
    settings = bench_settings("")
    mix = build_mix(connect(settings, "admin"), sites_alias(PREFIX), args.requests, args.seed)
    workdir = Path(tempfile.mkdtemp(prefix="api-workers-profile-"))
    port = free_port()
    server = subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "python"), "-m", "locator.cli", "serve", "--port", str(port),
         "--workers", str(GUNICORN["workers"]), "--threads", str(GUNICORN["threads"])],
        cwd=ROOT, env={**os.environ, PREFIX_ENV: PREFIX, RATE_LIMIT_ENV: BENCH_RATE_LIMIT,  # the shipped defaults
                       "PARTNER_LOCATOR_ANALYTICS_TOKEN_SECRET": secrets.token_urlsafe(40)},
        stdout=(workdir / "serve.log").open("wb"), stderr=subprocess.STDOUT)
    try:
        time.sleep(8)  # every worker booted
        workers = [pid for pid in process_tree(server.pid) if pid != server.pid]
        outputs = [workdir / f"worker-{pid}.txt" for pid in workers]
        spies = [subprocess.Popen([str(spy), "record", "-p", str(pid), "-r", str(args.rate), "-d", str(args.seconds),
                                   "-f", "raw", "-o", str(out), "--nonblocking", "--gil"],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                 for pid, out in zip(workers, outputs)]
        load = wrk_run(port, [path for _, path in mix], args.seconds, 2, 8, workdir, "profile")
        for process in spies:
            process.wait()
    finally:
        stop_server(server)
    print(f"wrk -t2 -c8 -d{args.seconds}s: {load['rps']} req/s, p99 {load.get('99%')} ms, errors {load['errors']}")
    print("\n".join(summarise(outputs)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
