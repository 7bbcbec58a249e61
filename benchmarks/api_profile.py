"""Where does the API's CPU go? A profiling script (not a test) for docs/benchmarks.md.

Uses the index that ``benchmarks/api_speed.py`` (or ``api_bench.py --keep-index``) leaves (prefix
``partner-locator-bench-api``), api_speed's request mix (``--mix api_bench`` for the older one), and
the app in this process with the shipped defaults (Flask test client, access log on at INFO into a
file, as ``serve`` logs; the rate limit on; analytics on: every answer signs its token). Prints:

* CPU per request by layer (``time.process_time``, no profiler): parameter validation
  (marshmallow), query building, the ES client round trip (its CPU only), response shaping,
  the search token, each before/after-request hook (access log, CORS, metrics, compression,
  headers, budget...) and the rest (Flask, werkzeug, the test client); and, in the same loop, the
  lean bare stack (``bare_stack.py``) on the same requests, so that what the API adds is one line;
* a cProfile run with ``time.process_time`` as its clock (CPU, not wall: waiting on Elasticsearch
  does not count), top functions by own time and cumulative time.

Usage::

    .venv/bin/python benchmarks/api_bench.py --keep-index ...   # once, or any run with --keep-index
    .venv/bin/python benchmarks/api_profile.py [--requests 1000]
"""
from __future__ import annotations

import argparse
import cProfile
import io
import logging
import os
import pstats
import secrets
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import api_bench  # noqa: E402
import api_speed  # noqa: E402
import locator.api.answer_tokens as answer_tokens  # noqa: E402
import locator.api.queries as queries_module  # noqa: E402
import locator.api.service as service_module  # noqa: E402
import locator.api.shaping as shaping_module  # noqa: E402
import locator.api.views as views_module  # noqa: E402
from locator.api import create_app  # noqa: E402
from locator.core.es import connection_for  # noqa: E402
from locator.core.gazetteer import Gazetteer  # noqa: E402
from locator.core.mapping import sites_alias  # noqa: E402


class Layers:
    """CPU seconds spent inside wrapped functions (outermost call only, so layers do not overlap)."""

    def __init__(self):
        self.cpu = defaultdict(float)
        self.depth = 0

    def wrap(self, module, name: str, label: str) -> None:
        setattr(module, name, self.timed(getattr(module, name), label))

    def timed(self, original, label: str):
        def timed(*args, **kwargs):
            if self.depth:
                return original(*args, **kwargs)
            self.depth += 1
            started = time.process_time()
            try:
                return original(*args, **kwargs)
            finally:
                self.cpu[label] += time.process_time() - started
                self.depth -= 1

        return timed


def _bare_client(reader):
    """The lean bare stack's app (bare_stack.py) in this process, as the reader."""
    os.environ.update(BARE_ES_URL=reader.hosts[0], BARE_ES_USERNAME=reader.username or "",
                      BARE_ES_PASSWORD=reader.password or "", BARE_ES_ALIAS=sites_alias(api_bench.PREFIX))
    import bare_stack

    return bare_stack.app.test_client()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--mix", type=int, default=400)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--dump", type=Path, help="also save the cProfile stats here (for pstats / snakeviz)")
    parser.add_argument("--rate-limit", default=api_bench.BENCH_RATE_LIMIT, help='"" turns the rate limiter off')
    parser.add_argument("--mix-of", choices=("api_speed", "api_bench"), default="api_speed")
    args = parser.parse_args(argv)

    os.environ.setdefault("PARTNER_LOCATOR_ANALYTICS_TOKEN_SECRET", secrets.token_urlsafe(40))  # analytics on
    settings = api_bench.bench_settings(args.rate_limit)
    log_file = Path(tempfile.mkstemp(prefix="partner-locator-api-profile-", suffix=".log")[1])
    logging.basicConfig(level=logging.INFO, format="%(message)s", filename=str(log_file))
    logging.getLogger("elastic_transport").setLevel(logging.WARNING)  # as locator.cli.configure_logging
    layers = Layers()
    # The budget's counter is looked up on the class at each call: wrap it before the app is built.
    from locator.api import budget
    layers.wrap(budget.SlidingWindows, "spend", "per-client budget (sliding windows)")
    reader = connection_for(settings, "reader")
    app = create_app(settings, connection=reader)
    es = app.extensions["partner_locator"].es
    if not es.indices.exists_alias(name=sites_alias(api_bench.PREFIX)):
        raise SystemExit("no bench index: run benchmarks/api_speed.py (or api_bench.py --keep-index) first")
    if args.mix_of == "api_bench":
        mix = api_bench.build_mix(es, sites_alias(api_bench.PREFIX), Gazetteer.open(settings.cache_dir), args.mix, args.seed)
    else:
        mix = api_speed.build_mix(es, sites_alias(api_bench.PREFIX), args.mix, args.seed)
    client, bare = app.test_client(), _bare_client(reader)
    mix = [(kind, path) for kind, path in mix if client.get(path).status_code == 200 and bare.get(path).status_code == 200]

    # Layer timings. Views call load_params, the service calls queries.*, run_search, shaping.*;
    # json_response is looked up in views' module namespace.
    layers.wrap(views_module, "load_params", "params: marshmallow load")
    for name in ("build_search", "build_nearest", "build_markers", "build_partner_sites", "build_company_suggest"):
        layers.wrap(queries_module, name, "query building")
    layers.wrap(service_module.SearchService, "resolve_origin", "origin (gazetteer)")
    layers.wrap(service_module.SearchService, "place_ids", "place ids of q (gazetteer)")
    layers.wrap(service_module, "run_search", "ES client: serialise, HTTP, parse")
    for name in ("search_response", "markers_response", "result"):
        layers.wrap(shaping_module, name, "shaping")
    layers.wrap(views_module, "cacheable", "response: orjson body, ETag, conditional")
    layers.wrap(logging.Logger, "handle", "logging: access log + elastic_transport lines")
    layers.wrap(service_module.SearchService, "suggest", "suggest (gazetteer + ES + shaping)")
    layers.wrap(answer_tokens.AnswerTokens, "token", "search token: facts + signing (analytics)")
    for hooks in (*app.before_request_funcs.values(), *app.after_request_funcs.values()):
        hooks[:] = [layers.timed(hook, f"hook {hook.__module__.rsplit('.', 1)[-1]}.{hook.__name__}") for hook in hooks]

    total_cpu = bare_cpu = 0.0
    for number in range(args.requests):
        kind, path = mix[number % len(mix)]
        started = time.process_time()
        client.get(path).get_data()
        total_cpu += time.process_time() - started
        started = time.process_time()
        bare.get(path).get_data()
        bare_cpu += time.process_time() - started
    print(f"{args.requests} in-process requests of the {args.mix_of} mix; CPU per request by layer (us):")
    accounted = 0.0
    for label, seconds in sorted(layers.cpu.items(), key=lambda item: -item[1]):
        accounted += seconds
        print(f"  {label:<40} {seconds / args.requests * 1e6:8.0f}")
    print(f"  {'rest: Flask, werkzeug, test client':<40} {(total_cpu - accounted) / args.requests * 1e6:8.0f}")
    print(f"  {'TOTAL':<40} {total_cpu / args.requests * 1e6:8.0f}")
    print(f"  {'the lean bare stack, same requests':<40} {bare_cpu / args.requests * 1e6:8.0f}"
          f"  (the API adds {(total_cpu - bare_cpu) / args.requests * 1e6:.0f} us, {total_cpu / bare_cpu:.2f}x)")
    print("  (suggest's own line includes its ES round trip and shaping: the two are not split for it)")

    profiler = cProfile.Profile(time.process_time)
    profiler.enable()
    for number in range(args.requests):
        client.get(mix[number % len(mix)][1]).get_data()
    profiler.disable()
    if args.dump:
        profiler.dump_stats(str(args.dump))
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).strip_dirs()
    stats.sort_stats("tottime").print_stats(args.top)
    stats.sort_stats("cumulative").print_stats(args.top)
    print(out.getvalue())
    log_file.unlink()
    return 0


if __name__ == "__main__":
    sys.exit(main())
