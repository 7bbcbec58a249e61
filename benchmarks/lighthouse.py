"""Lighthouse benchmark (a script, not a test): the pages on a phone, as Lighthouse's mobile profile sees them.

1. The product served on ``make run``'s sample (5,000 sites, seed 1, ``--as-of 2026-06-01``): indexed
   under its own prefix (``partner-locator-bench-lighthouse``) with the real indexer (``--reuse-index``
   keeps an earlier one), served by ``partner-locator serve --workers 2`` on a free port of
   127.0.0.1, started and stopped by pid. The code served is this working tree, or with ``--rev``
   a commit (``git archive`` into a temporary folder: no worktree, no checkout), optionally with
   files of the working tree laid over it (``--overlay``: one change measured apart from others in
   progress). ``--base-url http://127.0.0.1:5000`` measures an already running server instead
   (``make run``'s: nothing is indexed or served then).
2. Lighthouse 12.2.3 (``make lighthouse-tools``: ``tests/browser/tooling/``, pinned in its lock file)
   drives Debian's Chromium (``CHROME_PATH=/usr/bin/chromium``, headless, no sandbox) with its
   DEFAULT profile: a mobile device (Moto G Power), simulated slow 4G (150 ms RTT, 1.6 Mbit/s) and a
   4x CPU slowdown, every category. The map tiles' server is blocked (``--blocked-url-patterns``:
   there is no internet here); every run is a cold load (new browser, empty cache).
3. ``--runs`` runs (5) per page, interleaved page by page, on three pages: the search page ``/``,
   a results URL (``/?text=Copenhagen``: the server renders the first results) and a site page (the
   first result of that search, from the API).
4. Per page: the median of each category score and of LCP, CLS, TBT, FCP, Speed Index, TTI; and,
   from the median run (by performance score), what costs the time and what fails: opportunities
   with their savings, the LCP element and its phases, the request chains (the module waterfall),
   render-blocking resources, unused JavaScript (Leaflet), layout shifts and their elements, main
   thread work, the scripts' CPU, and every failing audit of the other categories with its items
   (with how many runs it failed in). Printed, and written as JSON (``summary.json``) beside the raw
   reports (``--out``, default ``var/lighthouse/<UTC time>/``).

No score is asserted. The machine is shared: each page's runs wait (bounded) for a quiet machine
and print the CPU that other processes used meanwhile (benchmarks/machine.py). Lighthouse simulates
the throttling from a trace taken at full speed, so a busy machine inflates every figure: compare
runs from one machine state, and see ``benchmark_index`` (Lighthouse's own measure of the CPU).

Usage::

    make lighthouse-tools
    .venv/bin/python benchmarks/lighthouse.py [--runs 5] [--pages search results site] [--text Copenhagen]
                                              [--reuse-index] [--keep-index] [--base-url URL] [--out DIR]
                                              [--rev COMMIT [--overlay PATH ...]]
"""
from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator
from urllib.parse import quote, urlsplit
from urllib.request import urlopen

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from api_bench import Server, add_sample_arguments, delete_prefix, ensure_index  # noqa: E402
from api_bench import _terminate as terminate  # noqa: E402  (SIGTERM runs the finally blocks: the server stops)
from machine import CpuMeter, code_fingerprint, elasticsearch_pid, wait_until_quiet  # noqa: E402

from lighthouse_report import CATEGORIES, one_line, report, summarise, table  # noqa: E402
from locator.core.settings import load_settings  # noqa: E402

PREFIX = "partner-locator-bench-lighthouse"
TOOLING = ROOT / "tests" / "browser" / "tooling"
LIGHTHOUSE = TOOLING / "node_modules" / ".bin" / "lighthouse"
CHROMIUM = os.environ.get("CHROME_PATH", "/usr/bin/chromium")
# Headless without the sandbox (root, no user namespaces here), and nothing of Chromium's own
# traffic (component updates, sync, field trials) in the network log.
CHROME_FLAGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-default-apps", "--disable-extensions", "--metrics-recording-only", "--mute-audio"]
TIMEOUT_S = 240


# ------------------------------------------------------------------ serving

def code_tree(rev: str, overlay: list[str], overlay_root: Path, workdir: Path) -> Path:
    """``git archive`` of ``rev`` (read only: no worktree, no checkout), with ``overlay`` (files or
    folders of ``overlay_root``, this working tree by default) laid over it, and static/ and config/
    where the package finds them."""
    tree = workdir / "code"
    tree.mkdir()
    archive = subprocess.run(["git", "archive", "--format=tar", rev], cwd=ROOT, capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(tree)], input=archive, check=True)
    for name in overlay:
        source, target = overlay_root / name, tree / name
        if source.is_dir():
            shutil.copytree(source, target, dirs_exist_ok=True, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    (tree / "locator" / "_static").symlink_to("../static")
    (tree / "locator" / "_config").symlink_to("../config")
    return tree


@contextmanager
def served(args) -> Iterator[tuple[str, Server | None, object, Path]]:
    """(base URL, the server started or None, settings, the code tree served)."""
    settings = load_settings()
    if args.base_url:
        yield args.base_url.rstrip("/"), None, settings, ROOT
        return
    from locator.core.es import connect

    settings = settings.replace("elasticsearch", index_prefix=args.index_prefix)
    admin = connect(settings, "admin")
    workdir = Path(tempfile.mkdtemp(prefix="lighthouse-"))
    server = None
    try:
        code = code_tree(args.rev, args.overlay, args.overlay_root, workdir) if args.rev else None
        ensure_index(args, settings, admin, workdir, args.index_prefix)
        server = Server(workers=2, log=workdir / "serve.log", prefix=args.index_prefix, code=code)
        yield f"http://127.0.0.1:{server.port}", server, settings, code or ROOT
    finally:
        if server is not None:
            server.stop()
        if not args.keep_index and not args.reuse_index:
            delete_prefix(admin, args.index_prefix)
        shutil.rmtree(workdir, ignore_errors=True)


def page_paths(base: str, text: str) -> dict[str, str]:
    """The three pages: the search page, a results URL, the site page of that search's first result."""
    with urlopen(f"{base}/api/v1/partners?text={quote(text)}&per_page=1", timeout=30) as response:
        answer = json.load(response)
    if not answer.get("results"):
        raise SystemExit(f"no result for text={text!r} in this sample: choose another --text")
    print(f"{text}: {answer.get('total')} results; the first one's page is measured", flush=True)
    return {"search": "/", "results": f"/?text={quote(text)}", "site": urlsplit(answer["results"][0]["page_url"]).path}


def blocked_patterns(settings) -> list[str]:
    """URL patterns of the map tiles' server (Chromium's wildcard syntax): no internet here."""
    tile_url = settings.pages.tile_url
    if not tile_url:
        return []
    parts = urlsplit(tile_url.replace("{s}", "*"))
    return [f"*://{parts.hostname}/*"]


# ------------------------------------------------------------------ running Lighthouse

def lighthouse_run(url: str, report: Path, blocked: list[str]) -> dict:
    command = [str(LIGHTHOUSE), url, "--output=json", f"--output-path={report}", "--quiet",
               f"--only-categories={','.join(CATEGORIES)}", f"--chrome-flags={' '.join(CHROME_FLAGS)}",
               "--max-wait-for-load=60000"]
    command += [f"--blocked-url-patterns={pattern}" for pattern in blocked]
    done = subprocess.run(command, env={**os.environ, "CHROME_PATH": CHROMIUM}, capture_output=True, text=True,
                          timeout=TIMEOUT_S)
    if done.returncode != 0 or not report.exists():
        raise SystemExit(f"lighthouse failed ({done.returncode}) on {url}:\n{done.stderr[-3000:]}")
    lhr = json.loads(report.read_text())
    if lhr.get("runtimeError"):
        raise SystemExit(f"lighthouse runtime error on {url}: {lhr['runtimeError']}")
    return lhr


def measure(pages: dict[str, str], base: str, args, settings, server, out: Path) -> dict[str, list[dict]]:
    """``args.runs`` reports per page; each page's runs in one series with the CPU accounting."""
    blocked = blocked_patterns(settings)
    server_pids = tuple(server.pids()) if server else ()
    es_pid = elasticsearch_pid(settings) if server else None
    reports: dict[str, list[dict]] = {}
    cpu: dict[str, str] = {}
    for name, path in pages.items():
        wait_until_quiet(timeout_s=args.quiet_wait)
        reports[name] = []
        with CpuMeter(es_pid, server_pids) as meter:
            for run in range(1, args.runs + 1):
                lhr = lighthouse_run(base + path, out / f"{name}-{run}.json", blocked)
                reports[name].append(lhr)
                print(f"  {name} run {run}: {one_line(lhr)}", flush=True)
        cpu[name] = meter.use.describe().replace("benchmark+children", "server + lighthouse + chromium")
        print(f"  {cpu[name]}", flush=True)
    reports["_cpu"] = cpu  # type: ignore[assignment]
    return reports


def frontend_fingerprint(root: Path) -> str:
    """sha256 of what the browser gets apart from data: static/ and the templates."""
    digest = hashlib.sha256()
    for folder in (root / "static", root / "locator" / "api" / "templates"):
        for path in sorted(folder.rglob("*")):
            if path.is_file() and path.suffix in (".js", ".css", ".html", ".svg", ".png", ".ico"):
                digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:12]


def git(*args: str) -> str:
    done = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True)
    return done.stdout.strip()


def machine_state(args, code: Path) -> dict:
    if args.base_url:
        served_code = {"served": f"{args.base_url} (whatever it runs)"}
    elif args.rev:
        served_code = {"served": f"git archive {args.rev} ({git('rev-parse', '--short', args.rev)})"
                                 + (f" + {' '.join(args.overlay)} from {args.overlay_root}" if args.overlay else "")}
    else:
        served_code = {"served": f"this working tree, at {git('rev-parse', '--short', 'HEAD')}",
                       "uncommitted": git("status", "--porcelain", "--untracked-files=all", "--", "static", "locator").splitlines()}
    return {
        "date_utc": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M"), **served_code,
        "code_fingerprint": code_fingerprint(code), "frontend_fingerprint": frontend_fingerprint(code),
        "lighthouse": subprocess.run([str(LIGHTHOUSE), "--version"], capture_output=True, text=True).stdout.strip(),
        "chromium": subprocess.run([CHROMIUM, "--version"], capture_output=True, text=True).stdout.strip(),
        "node": subprocess.run(["node", "--version"], capture_output=True, text=True).stdout.strip(),
        "cpus": os.cpu_count(), "load_average": [round(x, 2) for x in os.getloadavg()],
    }


def main(argv: list[str] | None = None) -> int:
    signal.signal(signal.SIGTERM, terminate)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="Lighthouse runs per page (the median is reported)")
    parser.add_argument("--pages", nargs="+", choices=("search", "results", "site"), default=["search", "results", "site"])
    parser.add_argument("--text", default="Copenhagen", help="the results page's search (and the site page: its first result)")
    parser.add_argument("--base-url", help="measure this running server (e.g. make run's http://127.0.0.1:5000) instead")
    parser.add_argument("--rev", help="serve this commit (git archive into a temporary folder) instead of the working tree")
    parser.add_argument("--overlay", nargs="+", default=[], metavar="PATH",
                        help="with --rev: these files or folders of the working tree laid over the commit")
    parser.add_argument("--overlay-root", type=Path, default=ROOT, help="where --overlay takes them from (this working tree)")
    parser.add_argument("--index-prefix", default=PREFIX)
    add_sample_arguments(parser, sites=5000)
    parser.add_argument("--quiet-wait", type=float, default=300.0, help="seconds to wait for a quiet machine per page")
    parser.add_argument("--out", type=Path, help="where the raw reports and summary.json go (default var/lighthouse/<UTC time>)")
    args = parser.parse_args(argv)
    if not LIGHTHOUSE.exists():
        raise SystemExit(f"{LIGHTHOUSE} is missing: run make lighthouse-tools")
    out = args.out or ROOT / "var" / "lighthouse" / dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    out.mkdir(parents=True, exist_ok=True)

    started = time.monotonic()
    with served(args) as (base, server, settings, code):
        state = machine_state(args, code)
        print(json.dumps(state), flush=True)
        pages = {name: path for name, path in page_paths(base, args.text).items() if name in args.pages}
        print(f"serving {base}; pages: {pages}; tiles blocked: {blocked_patterns(settings)}", flush=True)
        reports = measure(pages, base, args, settings, server, out)
    cpu = reports.pop("_cpu")
    summaries = [summarise(name, pages[name], runs, cpu[name]) for name, runs in reports.items()]
    for summary in summaries:
        report(summary)
    table(summaries)
    (out / "summary.json").write_text(json.dumps({"machine": state, "minutes": round((time.monotonic() - started) / 60, 1),
                                                  "pages": summaries}, indent=1))
    print(f"\nraw reports and summary.json in {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
