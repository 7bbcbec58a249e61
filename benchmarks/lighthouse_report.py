"""Lighthouse benchmark, the reading half: one run as a line, a page's runs summarised (medians,
and from the median run what costs the time and what fails), and the report printed.
benchmarks/lighthouse.py runs Lighthouse and calls these; see its docstring for the method."""
from __future__ import annotations

import json
import statistics
from urllib.parse import urlsplit

CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
METRICS = {"LCP": "largest-contentful-paint", "CLS": "cumulative-layout-shift", "TBT": "total-blocking-time",
           "FCP": "first-contentful-paint", "SI": "speed-index", "TTI": "interactive"}
# Diagnostics shown when they have something to say (in this order), each with its top items.
DIAGNOSTICS = ("largest-contentful-paint-element", "layout-shifts", "render-blocking-resources", "critical-request-chains",
               "network-dependency-tree-insight", "unused-javascript", "unused-css-rules", "uses-text-compression",
               "uses-long-cache-ttl", "total-byte-weight", "bootup-time", "mainthread-work-breakdown", "long-tasks",
               "dom-size", "non-composited-animations", "unsized-images", "server-response-time")
ITEMS_SHOWN = 8


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
