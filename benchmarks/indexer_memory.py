"""Where in a run the indexer's memory peaks (a script, not a test): summed RSS of its process tree
once a second, each process's RSS largest first, then the peak and the run's own summary line.

Usage::

    .venv/bin/python benchmarks/indexer_memory.py SAMPLE.jsonl [--as-of 2026-06-01]

Indexes under its own prefix (``partner-locator-bench-memory``, its indices deleted at the end)
with ``--force``, through the installed command line, as an operator would run it.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from locator.core.es import connect  # noqa: E402
from locator.core.settings import load_settings  # noqa: E402
from machine import _memory_kib, process_tree  # noqa: E402

PREFIX = "partner-locator-bench-memory"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file")
    parser.add_argument("--as-of", default="2026-06-01")
    args = parser.parse_args()
    command = [str(ROOT / ".venv" / "bin" / "partner-locator"), "index", args.file, "--as-of", args.as_of, "--force"]
    process = subprocess.Popen(command, stderr=subprocess.PIPE, text=True,
                               env={**os.environ, "PARTNER_LOCATOR_ELASTICSEARCH_INDEX_PREFIX": PREFIX})
    started, shown, peak = time.monotonic(), -1, 0
    while process.poll() is None:
        each = sorted((_memory_kib(pid)[0] // 1024 for pid in process_tree(process.pid)), reverse=True)
        peak = max(peak, sum(each))
        second = int(time.monotonic() - started)
        if second != shown:
            print(f"{second:5d} s  sum {sum(each):4d} MB  {each}", flush=True)
            shown = second
        time.sleep(0.1)
    summary = [line for line in process.stderr.read().splitlines() if line.lstrip().startswith("time:")]
    print(f"peak {peak} MB summed over the process tree; {summary[0].strip() if summary else 'no summary'}")
    admin = connect(load_settings(), "admin")
    for name in sorted(admin.indices.get(index=f"{PREFIX}-*", expand_wildcards="open,closed")):
        admin.indices.delete(index=name, ignore_unavailable=True)


if __name__ == "__main__":
    main()
