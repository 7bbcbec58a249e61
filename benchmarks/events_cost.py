"""What search analytics cost (issue 18; a script, not a test): the search path's CPU with analytics
on against off, and the events endpoint's CPU per beacon, in one run, interleaved.

Two ``partner-locator serve --workers 2`` on 127.0.0.1 over the same index (a sample under its own
prefix, ``api_bench.ensure_index``): ``off`` ([analytics] enabled=false) and ``on`` (a token secret:
every answer carries its search_token; events are written by the events user). Each search of the
mix (near a city, lat/lon + filters, words) goes to both, alternating which goes first; the CPU of
each server's process tree (/proc) over the same requests, per request. Then, against ``on`` only,
one "search" and one interaction beacon per answer (the tokens just received, one nonce per
"page load"), and the CPU per beacon; the events written are read back (refresh, count) to check
every beacon was kept once. The rate limit is on in both (a budget no run reaches).

Usage::

    .venv/bin/python benchmarks/events_cost.py [--sites 20000] [--requests 600] [--reuse-index]
"""
from __future__ import annotations

import argparse
import http.client
import os
import secrets
import sys
import tempfile
import time
from pathlib import Path

import orjson

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from api_bench import (BENCH_RATE_LIMIT, HttpClient, Server, add_sample_arguments, bench_settings,  # noqa: E402
                       build_mix, cpu_seconds, delete_prefix, ensure_index)
from machine import wait_until_quiet  # noqa: E402

from locator.core.es import connect  # noqa: E402
from locator.core.events import events_pattern  # noqa: E402
from locator.core.gazetteer import Gazetteer  # noqa: E402
from locator.core.mapping import sites_alias  # noqa: E402

PREFIX = "partner-locator-bench-events"
SEARCH_KINDS = ("near city", "lat/lon + filters", "text (typo)")
BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36"


def post_beacon(port: int, conn_box: list, body: dict) -> int:
    if not conn_box:
        conn_box.append(http.client.HTTPConnection("127.0.0.1", port, timeout=10))
    conn = conn_box[0]
    conn.request("POST", "/api/v1/events", body=orjson.dumps(body),
                 headers={"Content-Type": "application/json", "User-Agent": BROWSER})
    response = conn.getresponse()
    response.read()
    return response.status


def serve(name: str, workdir: Path, **variables: str) -> Server:
    saved = {key: os.environ.get(key) for key in variables}
    os.environ.update(variables)
    try:
        return Server(2, workdir / f"{name}.log", BENCH_RATE_LIMIT, PREFIX)
    finally:
        for key, value in saved.items():
            os.environ.pop(key, None) if value is None else os.environ.__setitem__(key, value)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_sample_arguments(parser, 20_000)
    parser.add_argument("--requests", type=int, default=600)
    args = parser.parse_args()
    settings = bench_settings().replace("elasticsearch", index_prefix=PREFIX)
    admin = connect(settings, "admin")
    workdir = Path(tempfile.mkdtemp(prefix="events-cost-"))
    ensure_index(args, settings, admin, workdir, PREFIX)
    for name in admin.indices.get(index=events_pattern(PREFIX), allow_no_indices=True, ignore_unavailable=True):
        admin.indices.delete(index=name)
    mix = [path for kind, path in build_mix(admin, sites_alias(PREFIX), Gazetteer.open(settings.cache_dir),
                                            args.requests * 2, args.seed) if kind in SEARCH_KINDS][:args.requests]
    common = {"PARTNER_LOCATOR_API_METRICS_PORT": "0"}
    off = serve("off", workdir, PARTNER_LOCATOR_ANALYTICS_ENABLED="false", **common)
    on = serve("on", workdir, PARTNER_LOCATOR_ANALYTICS_TOKEN_SECRET=secrets.token_urlsafe(40), **common)
    try:
        wait_until_quiet()
        clients = {"off": HttpClient(off.port), "on": HttpClient(on.port)}
        for path in mix[:50]:  # warm both: caches, the industries list, the crawler patterns
            clients["off"].get(path), clients["on"].get(path)
        cpu = {"off": 0.0, "on": 0.0}
        answers = []
        for number, path in enumerate(mix):
            for name in (("off", "on") if number % 2 else ("on", "off")):
                server = off if name == "off" else on
                before = cpu_seconds(server.pids())
                status, body = clients[name].get(path)
                cpu[name] += cpu_seconds(server.pids()) - before
                assert status == 200, (name, path, status)
                if name == "on":
                    answers.append(orjson.loads(body))
        per_search = {name: cpu[name] / len(mix) * 1e6 for name in cpu}
        beacons, connection, before = 0, [], cpu_seconds(on.pids())
        for answer in answers:
            nonce = secrets.token_urlsafe(16)
            base = {"token": answer["search_token"], "nonce": nonce, "lang": "en", "source": "direct"}
            assert post_beacon(on.port, connection, {**base, "type": "search"}) == 204
            beacons += 1
            if answer["results"]:
                assert post_beacon(on.port, connection, {**base, "type": "detail",
                                                         "site_id": answer["results"][0]["site_id"]}) == 204
                beacons += 1
        per_beacon = (cpu_seconds(on.pids()) - before) / beacons * 1e6
        time.sleep(3)  # one flush interval and a little
    finally:
        on.stop()  # a worker's exit writes what is left
        off.stop()
    admin.indices.refresh(index=events_pattern(PREFIX))
    kept = admin.count(index=events_pattern(PREFIX))["count"]
    print(f"searches: {len(mix)} to each server, interleaved; beacons: {beacons}; events kept: {kept}")
    print(f"server CPU per search request: analytics off {per_search['off']:.0f} us, on {per_search['on']:.0f} us "
          f"({per_search['on'] / per_search['off']:.2f}x)")
    print(f"server CPU per beacon (POST /api/v1/events, analytics on): {per_beacon:.0f} us")
    if not args.keep_index:
        delete_prefix(admin, PREFIX)
    return 0 if kept == beacons else 1


if __name__ == "__main__":
    sys.exit(main())
