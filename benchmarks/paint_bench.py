"""Paint benchmark (a script, not a test): navigation to the first result painted, in a real browser.

1. Index a sample like ``make run``'s (5,000 sites, seed 1) under its own prefix
   (``partner-locator-bench-paint``) with the real indexer; ``--reuse-index`` keeps an earlier one.
2. ``partner-locator serve`` (gunicorn, 2 workers) on 127.0.0.1, started and stopped by pid.
3. Debian's Chromium through Playwright (headless, as the tests run it; requests off the machine,
   i.e. map tiles, aborted), for each page measured:
   - cold: a new browser context (empty cache, new connections) navigates to the page;
   - warm: the same context navigates to it again (cached scripts and styles, revalidated).
   "First result painted" is the Element Timing ``renderTime`` of the first result's heading (or
   the site page's heading), from the navigation's start: the script marks that element with
   ``elementtiming`` as the parser inserts it (instrumentation of the benchmark, not of the page).
   The page URL carries a search, so the server renders the first page of results into the HTML.
4. The page's own JS + CSS: every script and stylesheet the page loads from the locator (modules
   included), each gzipped (level 9, what a server or CDN sends), summed; Leaflet counted apart.

Targets on localhost: warm <= 300 ms, cold <= 800 ms, own JS + CSS <= 60 KB gzipped. The machine
is shared: each series waits (bounded) for a quiet machine and prints the CPU the other processes
used during it (benchmarks/machine.py).

Usage::

    .venv/bin/python benchmarks/paint_bench.py [--rounds 15] [--reuse-index] [--keep-index]
"""
from __future__ import annotations

import argparse
import gzip
import os
import shutil
import signal
import statistics
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from api_bench import Server, add_sample_arguments, delete_prefix, ensure_index, percentile  # noqa: E402
from api_bench import _terminate as terminate  # noqa: E402  (SIGTERM runs the finally blocks: the server stops)
from machine import CpuMeter, TreeMemory, code_fingerprint, elasticsearch_pid, wait_until_quiet  # noqa: E402

from locator.core.es import connect  # noqa: E402
from locator.core.settings import load_settings  # noqa: E402

PREFIX = "partner-locator-bench-paint"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
TARGET_WARM_MS, TARGET_COLD_MS, TARGET_KB = 300, 800, 60
PAGES = {"search, first results from the server": "/?text=Aarhus", "search in German": "/?text=Aarhus&lang=de"}
FIRST_RESULT = "#results > li h3, .site-card h1"
# Marks the element measured as soon as the parser inserts it, before anything is painted.
MARK = """new MutationObserver((records, observer) => {
    const first = document.querySelector(%r);
    if (first) { first.setAttribute("elementtiming", "first-result"); observer.disconnect(); }
}).observe(document, { childList: true, subtree: true });""" % FIRST_RESULT
PAINTED = """() => new Promise(resolve => {
    new PerformanceObserver(list => {
        const entry = list.getEntries().find(e => e.identifier === "first-result");
        if (entry) resolve(entry.renderTime || entry.loadTime);
    }).observe({ type: "element", buffered: true });
})"""


def only_local(route):
    if urlsplit(route.request.url).hostname in ("127.0.0.1", "localhost"):
        route.continue_()
    else:
        route.abort()


def new_context(browser):
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="en")
    context.route("**/*", only_local)
    context.add_init_script(MARK)
    return context


def first_result_ms(page, url: str) -> float:
    page.goto(url, wait_until="domcontentloaded")
    return float(page.evaluate(PAINTED))


def measure(browser, url: str, rounds: int) -> tuple[list[float], list[float]]:
    cold, warm = [], []
    for _ in range(rounds):
        context = new_context(browser)
        page = context.new_page()
        cold.append(first_result_ms(page, url))
        page.wait_for_load_state("networkidle")
        warm.append(first_result_ms(page, url))
        page.wait_for_load_state("networkidle")
        context.close()
    return cold, warm


def series(name: str, url: str, args, settings, server) -> None:
    """Cold and warm rounds of one page, with the CPU each party used meanwhile. The browser is
    started inside the measurement, so all of its processes' CPU is counted as the benchmark's."""
    from playwright.sync_api import sync_playwright

    server_pids = set(server.pids())
    wait_until_quiet(timeout_s=args.quiet_wait)
    with CpuMeter(elasticsearch_pid(settings), tuple(server_pids), self_only=True) as meter:
        browser_tree = TreeMemory(os.getpid(), interval_s=0.1)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            first_result_ms(new_context(browser).new_page(), url)  # the server's and the browser's first requests
            cold, warm = measure(browser, url, args.rounds)
            browser.close()
        browser_tree.stop()
        meter.add_extra(sum(cpu for pid, cpu in browser_tree.cpu_by_pid.items()
                            if pid != os.getpid() and pid not in server_pids))
    path = urlsplit(url)._replace(scheme="", netloc="").geturl()
    print(f"\n== {name}: {path}\n  cold  {summary(cold)}   target <= {TARGET_COLD_MS} ms"
          f"\n  warm  {summary(warm)}   target <= {TARGET_WARM_MS} ms"
          f"\n  {meter.use.describe().replace('benchmark+children', 'server + browser + benchmark')}", flush=True)


def own_assets(browser, url: str) -> dict[str, bytes]:
    """Every script and stylesheet the page loads from the locator: path -> its body."""
    context = new_context(browser)
    page = context.new_page()
    bodies: dict[str, bytes] = {}

    def keep(response):
        parts = urlsplit(response.url)
        if parts.hostname == "127.0.0.1" and response.request.resource_type in ("script", "stylesheet") and response.ok:
            bodies[parts.path] = response.body()

    page.on("response", keep)
    page.goto(url, wait_until="networkidle")
    context.close()
    return dict(sorted(bodies.items()))


def summary(values: list[float]) -> str:
    return (f"median {statistics.median(values):6.0f} ms   p90 {percentile(values, 0.9):6.0f} ms   "
            f"min {min(values):5.0f}   max {max(values):5.0f}   (n={len(values)})")


def sample_arguments(parser: argparse.ArgumentParser) -> None:
    """The served sample's options (this script's and benchmarks/screenshots.py's)."""
    add_sample_arguments(parser, sites=5000)


@contextmanager
def served_sample(args) -> Iterator[tuple[object, Server, str]]:
    """The sample indexed (unless kept from an earlier run) and served: (settings, server, base URL);
    afterwards the server is stopped by pid and the index deleted unless asked to keep it."""
    settings = load_settings().replace("elasticsearch", index_prefix=PREFIX)
    admin = connect(settings, "admin")
    workdir = Path(tempfile.mkdtemp(prefix="served-sample-"))
    server = None
    try:
        ensure_index(args, settings, admin, workdir, PREFIX)
        server = Server(workers=2, log=workdir / "serve.log", prefix=PREFIX)
        yield settings, server, f"http://127.0.0.1:{server.port}"
    finally:
        if server is not None:
            server.stop()
        if not args.keep_index and not args.reuse_index:
            delete_prefix(admin, PREFIX)
        shutil.rmtree(workdir, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    signal.signal(signal.SIGTERM, terminate)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sample_arguments(parser)
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--quiet-wait", type=float, default=300.0, help="seconds to wait for a quiet machine per series")
    args = parser.parse_args(argv)

    from playwright.sync_api import sync_playwright

    print(f"code fingerprint {code_fingerprint(ROOT)}", flush=True)
    with served_sample(args) as (settings, server, base):
        site_path = urlsplit(admin_first_site_page(base)).path
        for name, path in {**PAGES, "a site page": site_path}.items():
            series(name, base + path, args, settings, server)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            assets = own_assets(browser, base + PAGES["search, first results from the server"])
            site_assets = own_assets(browser, base + site_path)
            browser.close()
    report_sizes("search page", assets)
    report_sizes("site page", site_assets)
    return 0


def admin_first_site_page(base: str) -> str:
    """The page of the first result near Aarhus (from the API, as the list links it)."""
    import json
    from urllib.request import urlopen

    with urlopen(base + "/api/v1/partners?text=Aarhus&per_page=1", timeout=10) as response:
        return json.load(response)["results"][0]["page_url"]


def report_sizes(name: str, assets: dict[str, bytes]) -> None:
    own = {path: body for path, body in assets.items() if "/vendor/" not in path}
    vendor = {path: body for path, body in assets.items() if "/vendor/" in path}
    print(f"\n== {name}: JS + CSS it loads ({len(own)} files of its own)")
    for path, body in own.items():
        print(f"  {path:38} {len(body) / 1024:6.1f} KB  gzip {gzipped(body) / 1024:5.1f} KB")
    print(f"  own total gzipped {sum(map(gzipped, own.values())) / 1024:.1f} KB file by file, "
          f"{gzipped(b''.join(own.values())) / 1024:.1f} KB as one stream (target <= {TARGET_KB} KB); "
          f"Leaflet apart: {sum(map(gzipped, vendor.values())) / 1024:.1f} KB gzipped")


def gzipped(body: bytes) -> int:
    return len(gzip.compress(body, 9))


if __name__ == "__main__":
    sys.exit(main())
