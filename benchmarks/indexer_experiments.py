"""Indexer what-ifs (a script, not a test): the real indexer run under a few process-level variants.

Each variant runs ``partner-locator index FILE --as-of D --force`` unchanged, as a subprocess under
its own index prefix (``partner-locator-bench-exp``), with either an environment variable or a few
lines of Python run before the CLI's ``main`` (the product's files are not modified). Reported per
variant: wall seconds, the indexer's own summary time, CPU of the indexer and its workers, and the
peak RSS of its main process. Used in docs/benchmarks.md to check the proposed memory and GC fixes.

Usage::

    .venv/bin/python benchmarks/indexer_experiments.py SAMPLE.jsonl [--variants baseline arena2 gc-freeze]
"""
from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from locator.core.es import connect  # noqa: E402
from locator.core.settings import load_settings  # noqa: E402
from machine import TreeMemory, wait_until_quiet  # noqa: E402

PREFIX = "partner-locator-bench-exp"
PYTHON = ROOT / ".venv" / "bin" / "python"

_RUN_CLI = "import sys\nfrom locator.cli import main\nsys.argv[0] = 'partner-locator'\nsys.exit(main())\n"
_FREEZE_AFTER_TIERS = """
import gc
import indexer.pipeline as pipeline
_evaluate_groups = pipeline._evaluate_groups
def _frozen(*args, **kwargs):
    evaluated = _evaluate_groups(*args, **kwargs)
    gc.freeze()  # the listed groups live to the end: keep them out of every later collection
    return evaluated
pipeline._evaluate_groups = _frozen
"""
VARIANTS = {
    "baseline": ({}, ""),
    "arena2": ({"MALLOC_ARENA_MAX": "2"}, ""),
    "gc-threshold": ({}, "import gc\ngc.set_threshold(50_000, 50, 100)\n"),
    "gc-freeze": ({}, _FREEZE_AFTER_TIERS),
    "gc-off": ({}, "import gc\ngc.disable()\n"),
    "arena2+gc-freeze": ({"MALLOC_ARENA_MAX": "2"}, _FREEZE_AFTER_TIERS),
    "chunk500": ({"PARTNER_LOCATOR_INDEXER_BULK_CHUNK_SIZE": "500"}, ""),
    "chunk500+gc-freeze": ({"PARTNER_LOCATOR_INDEXER_BULK_CHUNK_SIZE": "500"}, _FREEZE_AFTER_TIERS),
}


def delete_prefix(es) -> None:
    for name in sorted(es.indices.get(index=f"{PREFIX}-*", expand_wildcards="open,closed")):
        es.indices.delete(index=name, ignore_unavailable=True)


def run(variant: str, sample: Path, as_of: str, timeout_s: float) -> dict:
    env_extra, prelude = VARIANTS[variant]
    env = {**os.environ, "PARTNER_LOCATOR_ELASTICSEARCH_INDEX_PREFIX": PREFIX, **env_extra}
    command = [str(PYTHON), "-c", prelude + _RUN_CLI, "index", str(sample), "--as-of", as_of, "--force"]
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    memory = TreeMemory(process.pid)
    try:
        output = process.communicate(timeout=timeout_s)[0].decode(errors="replace")
    except subprocess.TimeoutExpired:
        process.kill()
        raise
    finally:
        memory.stop()
    wall = time.perf_counter() - started
    reported = re.search(r"^time: ([0-9.]+)s", output, re.M)
    return {"variant": variant, "exit": process.returncode, "wall_s": wall,
            "reported_s": float(reported.group(1)) if reported else None, "cpu_s": memory.cpu_s,
            "peaks": memory.peaks(), "tree_rss_mb": memory.peak_rss_kib / 1024,
            "tail": output.strip().splitlines()[-1] if output.strip() else ""}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sample", type=Path)
    parser.add_argument("--as-of", default="2026-06-01")
    parser.add_argument("--variants", nargs="+", default=["baseline", "arena2", "gc-freeze", "arena2+gc-freeze"],
                        choices=sorted(VARIANTS))
    parser.add_argument("--timeout", type=float, default=1200)
    parser.add_argument("--quiet-wait", type=float, default=300)
    args = parser.parse_args(argv)
    admin = connect(load_settings(), "admin")
    results = []
    try:
        for variant in args.variants:
            delete_prefix(admin)
            wait_until_quiet(timeout_s=args.quiet_wait)
            result = run(variant, args.sample, args.as_of, args.timeout)
            results.append(result)
            print(f"{variant:<18} exit {result['exit']}  wall {result['wall_s']:6.1f}s  summary {result['reported_s']}s  "
                  f"CPU {result['cpu_s']:6.1f}s  tree peak RSS {result['tree_rss_mb']:4.0f} MB  per process: {result['peaks']}",
                  flush=True)
    finally:
        delete_prefix(admin)
    return 0 if all(r["exit"] == 0 for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
