"""What the edge costs per request: the Prometheus metrics hook and the per-client budget.

    .venv/bin/python benchmarks/edge_cost.py [--requests 20000]

Each variant runs in a fresh process (prometheus-client picks its multiprocess mode when first
imported, as under `serve`): the app's WSGI callable answers GET requests that need no
Elasticsearch (`/livez`, and a 404 under /api/v1/, which the budget counts), and CPU time per
request is compared with the metrics hook removed and the budget off. Variants alternate over
several rounds and the median is kept, so background load on the machine moves all of them alike.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VARIANTS = {
    "bare (no metrics hook, no budget)": {"metrics": False, "budget": ""},
    "metrics, one process": {"metrics": True, "budget": ""},
    "metrics, multiprocess (as under serve)": {"metrics": True, "budget": "", "multiprocess": True},
    "budget on (600/min; 6000/h)": {"metrics": False, "budget": "600 per minute; 6000 per hour"},
    "both, multiprocess (the default serve)": {"metrics": True, "budget": "600 per minute; 6000 per hour",
                                               "multiprocess": True},
}
PATHS = ("/livez", "/api/v1/cost-probe")


def child(variant: dict, requests: int) -> dict:
    """Run in the measuring process: CPU microseconds per request for each path."""
    sys.path.insert(0, str(ROOT))
    from locator.api import create_app
    from locator.core.connection import Connection
    from locator.core.settings import load_settings

    settings = load_settings().replace("api", rate_limit=variant["budget"])
    app = create_app(settings, connection=Connection(("http://127.0.0.1:9",)))  # no request reaches it
    if not variant["metrics"]:
        app.after_request_funcs[None] = [hook for hook in app.after_request_funcs[None] if hook.__name__ != "_measure"]
    result = {}
    for path in PATHS:
        environ = {"REQUEST_METHOD": "GET", "PATH_INFO": path, "SERVER_NAME": "x", "SERVER_PORT": "80",
                   "wsgi.url_scheme": "http", "REMOTE_ADDR": "", "wsgi.input": None}
        for index in range(requests // 10):  # warm up
            _call(app, environ, index)
        started = time.process_time()
        for index in range(requests):
            _call(app, environ, index)
        result[path] = (time.process_time() - started) / requests * 1e6
    return result


def _call(app, environ: dict, index: int) -> None:
    # A different client address each time: one client's budget must never run out mid-benchmark.
    b"".join(app({**environ, "REMOTE_ADDR": f"10.{index >> 16 & 255}.{index >> 8 & 255}.{index & 255}"},
                 lambda status, headers: None))


def measure(name: str, requests: int) -> dict:
    variant = VARIANTS[name]
    env = {key: value for key, value in os.environ.items() if key != "PROMETHEUS_MULTIPROC_DIR"}
    with tempfile.TemporaryDirectory() as directory:
        if variant.get("multiprocess"):
            env["PROMETHEUS_MULTIPROC_DIR"] = directory
        done = subprocess.run([sys.executable, __file__, "--child", name, "--requests", str(requests)],
                              env=env, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--child")
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(VARIANTS[args.child], args.requests)))
        return 0
    runs = {name: [] for name in VARIANTS}
    for _ in range(args.rounds):
        for name in VARIANTS:
            runs[name].append(measure(name, args.requests))
    bare = {path: statistics.median(run[path] for run in runs[next(iter(VARIANTS))]) for path in PATHS}
    print(f"CPU per request, us (median of {args.rounds} rounds of {args.requests} requests; + over bare)")
    print(f"{'variant':42} " + "  ".join(f"{path:>24}" for path in PATHS))
    for name, results in runs.items():
        cells = []
        for path in PATHS:
            value = statistics.median(run[path] for run in results)
            cells.append(f"{value:8.1f} ({value - bare[path]:+6.1f})".rjust(24))
        print(f"{name:42} " + "  ".join(cells))
    return 0


if __name__ == "__main__":
    sys.exit(main())
