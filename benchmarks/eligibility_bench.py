"""What the eligibility index adds to a run: its documents and bytes beside the sites, and the run's memory.

For each export given: ``partner-locator index FILE --as-of D --force`` as a subprocess with an
index prefix of its own (``partner-locator-bench-elig-<n>``), polled for the summed and per-process
RSS of it and its workers (``machine.TreeMemory``); then, for the sites and the eligibility index
it made live, the document count and the primary store size as written, and again after a force
merge to one segment (what the index settles to). Every index it made is deleted afterwards, by name.

``--code DIR`` runs another checkout of the product instead (e.g. ``git archive`` of an older
commit, with ``locator/_config`` and ``locator/_static`` linked to its ``config`` and ``static``),
to compare memory with and without the eligibility index. Nothing here asserts a time or a size.

    .venv/bin/python benchmarks/eligibility_bench.py /tmp/sample-100000.jsonl
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from elasticsearch import NotFoundError  # noqa: E402

from benchmarks.machine import TreeMemory, code_fingerprint, wait_until_quiet  # noqa: E402
from locator.core.es import connect  # noqa: E402
from locator.core.mapping import FAMILIES  # noqa: E402
from locator.core.settings import load_settings  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def run_indexer(export: Path, prefix: str, as_of: str, code: Path | None) -> tuple[float, TreeMemory, list[str]]:
    env = {**os.environ, "PARTNER_LOCATOR_ELASTICSEARCH_INDEX_PREFIX": prefix}
    if code is not None:
        env["PYTHONPATH"] = str(code)  # found before the editable install's own finder
    command = [sys.executable, "-m", "locator.cli", "index", str(export), "--as-of", as_of, "--force"]
    started = time.perf_counter()
    process = subprocess.Popen(command, env=env, cwd=code or ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    memory = TreeMemory(process.pid)
    out, err = process.communicate()
    wall = time.perf_counter() - started
    memory.stop()
    if process.returncode != 0:
        raise SystemExit(f"the indexer failed ({process.returncode}): {err[-1000:]}")
    return wall, memory, (err + out).strip().splitlines()[-4:]


def sizes(es, prefix: str) -> dict[str, tuple[int, int, int]]:
    """kind -> (documents, primary store bytes as written, after a merge to one segment)."""
    found = {}
    for family in FAMILIES:
        try:
            targets = list(es.indices.get_alias(name=family.alias(prefix)))
        except NotFoundError:  # older code: no eligibility index
            continue
        index = targets[0]
        stats = es.indices.stats(index=index, metric="docs,store")["indices"][index]["primaries"]
        es.indices.forcemerge(index=index, max_num_segments=1)
        merged = es.indices.stats(index=index, metric="store")["indices"][index]["primaries"]["store"]["size_in_bytes"]
        found[family.kind] = (stats["docs"]["count"], stats["store"]["size_in_bytes"], merged)
    return found


def cleanup(es, prefix: str) -> None:
    names = list(es.indices.get(index=f"{prefix}-*", expand_wildcards="open,closed"))
    if names:
        es.indices.delete(index=",".join(names))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("exports", type=Path, nargs="+")
    parser.add_argument("--as-of", default="2026-06-01")
    parser.add_argument("--code", type=Path, help="run this checkout of the product instead of this one")
    args = parser.parse_args(argv)
    es = connect(load_settings(), "indexer")
    code = args.code.resolve() if args.code else ROOT
    print(f"code {code} (fingerprint {code_fingerprint(code)}), {os.cpu_count()} cores")
    for number, export in enumerate(args.exports):
        prefix = f"partner-locator-bench-elig-{number}"
        wait_until_quiet()
        try:
            wall, memory, tail = run_indexer(export, prefix, args.as_of, args.code and code)
            print(f"== {export.name}: indexer {wall:.1f}s; peak RSS {memory.peak_rss_kib / 1024:.0f} MB summed over "
                  f"{memory.max_processes} processes, largest {memory.peak_single_rss_kib / 1024:.0f} MB ({memory.peaks()})")
            for line in tail:
                print(f"   {line}")
            for kind, (documents, written, merged) in sizes(es, prefix).items():
                print(f"   {kind:<12} {documents:>9,} documents  {written / 2**20:8.1f} MiB as written  "
                      f"{merged / 2**20:8.1f} MiB merged  ({merged / max(documents, 1):.0f} bytes/document)")
        finally:
            cleanup(es, prefix)
    return 0


if __name__ == "__main__":
    sys.exit(main())
