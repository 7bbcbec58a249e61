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
import statistics
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
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
METRICS = {"LCP": "largest-contentful-paint", "CLS": "cumulative-layout-shift", "TBT": "total-blocking-time",
           "FCP": "first-contentful-paint", "SI": "speed-index", "TTI": "interactive"}
# Diagnostics shown when they have something to say (in this order), each with its top items.
DIAGNOSTICS = ("largest-contentful-paint-element", "layout-shifts", "render-blocking-resources", "critical-request-chains",
               "network-dependency-tree-insight", "unused-javascript", "unused-css-rules", "uses-text-compression",
               "uses-long-cache-ttl", "total-byte-weight", "bootup-time", "mainthread-work-breakdown", "long-tasks",
               "dom-size", "non-composited-animations", "unsized-images", "server-response-time")
ITEMS_SHOWN = 8
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


def one_line(lhr: dict) -> str:
    scores = " ".join(f"{c[:4]} {score(lhr, c):3.0f}" for c in CATEGORIES)
    metrics = " ".join(f"{k} {metric(lhr, k):.0f}" if k != "CLS" else f"CLS {metric(lhr, k):.3f}" for k in METRICS)
    return f"{scores} | {metrics}"


def score(lhr: dict, category: str) -> float:
    value = lhr["categories"].get(category, {}).get("score")
    return float("nan") if value is None else value * 100


def metric(lhr: dict, key: str) -> float:
    audit = lhr["audits"].get(METRICS[key], {})
    value = audit.get("numericValue")
    return float("nan") if value is None else float(value)


# ------------------------------------------------------------------ summarising

def summarise(name: str, path: str, runs: list[dict], cpu: str) -> dict:
    median_run = sorted(runs, key=lambda lhr: (score(lhr, "performance"), -metric(lhr, "LCP")))[len(runs) // 2]
    return {
        "page": name, "path": path, "runs": len(runs), "cpu": cpu,
        "benchmark_index": statistics.median(lhr["environment"]["benchmarkIndex"] for lhr in runs),
        "scores": {c: {"median": statistics.median(score(lhr, c) for lhr in runs),
                       "all": [round(score(lhr, c)) for lhr in runs]} for c in CATEGORIES},
        "metrics": {k: {"median": statistics.median(metric(lhr, k) for lhr in runs),
                        "all": [round(metric(lhr, k), 3 if k == "CLS" else 0) for lhr in runs]} for k in METRICS},
        "median_run": runs.index(median_run) + 1,
        "opportunities": opportunities(median_run),
        "diagnostics": diagnostics(median_run),
        "failing": failing(runs, median_run),
        "requests": requests(median_run),
    }


def opportunities(lhr: dict) -> list[dict]:
    found = []
    for audit in lhr["audits"].values():
        details = audit.get("details") or {}
        if details.get("type") != "opportunity":
            continue
        ms, kib = details.get("overallSavingsMs") or 0, (details.get("overallSavingsBytes") or 0) / 1024
        if ms <= 0 and kib <= 0 and (audit.get("score") is None or audit.get("score") >= 0.9):
            continue
        found.append({"id": audit["id"], "title": audit["title"], "savings_ms": round(ms), "savings_kib": round(kib, 1),
                      "display": audit.get("displayValue", ""), "items": items(details)})
    return sorted(found, key=lambda o: (-o["savings_ms"], -o["savings_kib"]))


def diagnostics(lhr: dict) -> list[dict]:
    found = []
    for audit_id in DIAGNOSTICS:
        audit = lhr["audits"].get(audit_id)
        if not audit or audit.get("scoreDisplayMode") in ("notApplicable", "manual", "error"):
            continue
        entry = {"id": audit_id, "title": audit["title"], "score": audit.get("score"),
                 "display": audit.get("displayValue", ""), "items": items(audit.get("details") or {})}
        if audit_id == "critical-request-chains":
            entry["chains"] = chains(audit.get("details") or {})
        found.append(entry)
    return found


def failing(runs: list[dict], median_run: dict) -> list[dict]:
    """Audits of every category that fail (score < 1, not informative) in the median run or any run,
    with the items of the run they first failed in and how many runs they failed."""
    counts: dict[str, int] = {}
    first: dict[str, dict] = {}
    for lhr in [median_run] + [r for r in runs if r is not median_run]:
        for category in CATEGORIES:
            if category == "performance":
                continue  # performance is the metrics, opportunities and diagnostics above
            for ref in lhr["categories"][category]["auditRefs"]:
                audit = lhr["audits"][ref["id"]]
                if audit.get("scoreDisplayMode") not in ("binary", "numeric", "metricSavings") or audit.get("score") is None:
                    continue
                if audit["score"] >= 1:
                    continue
                key = f"{category}/{ref['id']}"
                first.setdefault(key, {"category": category, "id": ref["id"], "title": audit["title"],
                                       "weight": ref.get("weight", 0), "display": audit.get("displayValue", ""),
                                       "items": items(audit.get("details") or {})})
    for key in first:
        category, audit_id = key.split("/", 1)
        counts[key] = sum(1 for lhr in runs if (lhr["audits"][audit_id].get("score") is not None
                                                 and lhr["audits"][audit_id]["score"] < 1))
    return [{**entry, "failed_runs": counts[key]} for key, entry in first.items()]


def items(details: dict) -> list[str]:
    """The first items of an audit's table or list, each as one readable line."""
    rows = details.get("items") or []
    if details.get("type") == "list":  # e.g. the LCP element: a table of the element, a table of phases
        return [line for part in rows for line in items(part)][:ITEMS_SHOWN * 2]
    lines = []
    for row in rows[:ITEMS_SHOWN]:
        if not isinstance(row, dict):
            continue
        lines.append(describe(row))
        for sub in ((row.get("subItems") or {}).get("items") or [])[:4]:
            lines.append("    - " + describe(sub))
    if len(rows) > ITEMS_SHOWN:
        lines.append(f"... {len(rows) - ITEMS_SHOWN} more")
    return lines


def describe(row: dict) -> str:
    parts = []
    for key, value in row.items():
        if key in ("subItems", "entity", "debugData"):
            continue
        if isinstance(value, dict) and value.get("type") == "node":
            label = value.get("selector") or ""
            snippet = (value.get("snippet") or "")[:140]
            box = value.get("boundingRect") or {}
            size = f" {box.get('width', 0):.0f}x{box.get('height', 0):.0f}px" if box else ""
            parts.append(f"{key}: {label} {snippet}{size}".strip())
        elif isinstance(value, dict) and value.get("type") == "source-location":
            parts.append(f"{key}: {short(value.get('url', ''))}:{value.get('line', 0) + 1}")
        elif isinstance(value, dict):
            parts.append(f"{key}: {json.dumps(value)[:120]}")
        elif isinstance(value, float):
            parts.append(f"{key}: {value:.4g}")
        elif isinstance(value, str) and value.startswith("http"):
            parts.append(f"{key}: {short(value)}")
        elif value not in (None, "", []):
            parts.append(f"{key}: {str(value)[:160]}")
    return "; ".join(parts)


def short(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "") if parts.hostname in ("127.0.0.1", "localhost") else url


def chains(details: dict) -> dict:
    """The request chains as Lighthouse saw them (from the HTML on): the longest chain, request by
    request with its end time, and the depth of each request."""
    longest = details.get("longestChain") or {}
    paths: list[list[tuple[str, float]]] = []

    def walk(node_map: dict, trail: list[tuple[str, float]]) -> None:
        for node in (node_map or {}).values():
            request = node.get("request") or {}
            step = trail + [(short(request.get("url", "")), request.get("endTime", 0))]
            if node.get("children"):
                walk(node["children"], step)
            else:
                paths.append(step)

    walk(details.get("chains") or {}, [])
    start = min((t for path in paths for _, t in path[:1]), default=0)
    deepest = max(paths, key=lambda p: (p[-1][1], len(p)), default=[])
    return {"longest_ms": round(longest.get("duration") or 0), "longest_length": longest.get("length"),
            "ends": len(paths), "deepest": [f"{url} (ends {1000 * (end - start):.0f} ms after the HTML)" for url, end in deepest]}


def requests(lhr: dict) -> list[str]:
    """Every request of the page (observed, unthrottled): resource type, size sent, what started it."""
    audit = lhr["audits"].get("network-requests") or {}
    rows = (audit.get("details") or {}).get("items") or []
    return [f"{row.get('resourceType', '?'):10} {row.get('statusCode', 0):3} {row.get('transferSize', 0) / 1024:6.1f} KiB  "
            f"{short(row.get('url', ''))}" for row in rows]


# ------------------------------------------------------------------ reporting

def report(summary: dict) -> None:
    print(f"\n== {summary['page']}: {summary['path']}  ({summary['runs']} runs; benchmark index "
          f"{summary['benchmark_index']:.0f}; median run {summary['median_run']})")
    print("  " + "   ".join(f"{c} {s['median']:.0f} {s['all']}" for c, s in summary["scores"].items()))
    print("  " + "   ".join(f"{k} {m['median']:.3f}" if k == "CLS" else f"{k} {m['median']:.0f} ms"
                            for k, m in summary["metrics"].items()))
    print(f"  {summary['cpu']}")
    if summary["opportunities"]:
        print("  opportunities (median run):")
        for o in summary["opportunities"]:
            print(f"    {o['id']}: {o['title']} - {o['savings_ms']} ms, {o['savings_kib']} KiB {o['display']}")
            for line in o["items"]:
                print(f"        {line}")
    print("  diagnostics (median run):")
    for d in summary["diagnostics"]:
        flag = "" if d["score"] is None else f" [score {d['score']:.2f}]"
        print(f"    {d['id']}: {d['title']}{flag} {d['display']}")
        if d.get("chains"):
            c = d["chains"]
            print(f"        longest chain {c['longest_ms']} ms, {c['longest_length']} requests; {c['ends']} chain ends; the last to end:")
            for line in c["deepest"]:
                print(f"          -> {line}")
        for line in d["items"]:
            print(f"        {line}")
    if summary["failing"]:
        print("  failing audits (accessibility, best practices, SEO):")
        for f in summary["failing"]:
            print(f"    {f['category']}/{f['id']} (weight {f['weight']}, failed {f['failed_runs']}/{summary['runs']} runs): "
                  f"{f['title']} {f['display']}")
            for line in f["items"]:
                print(f"        {line}")
    print("  requests (median run, observed):")
    for line in summary["requests"]:
        print(f"    {line}")


def table(summaries: list[dict]) -> None:
    print("\n== medians")
    print(f"  {'page':8} {'perf':>4} {'a11y':>4} {'b-p':>4} {'seo':>4} {'LCP ms':>7} {'CLS':>6} {'TBT ms':>7} {'FCP ms':>7} "
          f"{'SI ms':>6} {'TTI ms':>7}")
    for s in summaries:
        sc, m = s["scores"], s["metrics"]
        print(f"  {s['page']:8} {sc['performance']['median']:4.0f} {sc['accessibility']['median']:4.0f} "
              f"{sc['best-practices']['median']:4.0f} {sc['seo']['median']:4.0f} {m['LCP']['median']:7.0f} "
              f"{m['CLS']['median']:6.3f} {m['TBT']['median']:7.0f} {m['FCP']['median']:7.0f} {m['SI']['median']:6.0f} "
              f"{m['TTI']['median']:7.0f}")


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
