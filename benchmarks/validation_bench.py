"""Record validation cost: the schema alone (marshmallow) against the fast path first (msgspec).

A script, not a test (the equivalence of both paths is tested in tests/unit/test_fast_records.py);
it times ``records.validated_line`` and ``records.parse_line`` per line on a sample export, and
counts the lines the fast path takes and any line where the two answers differ (there must be none)::

    .venv/bin/python benchmarks/validation_bench.py SAMPLE.jsonl [--lines 100000]
"""
from __future__ import annotations

import argparse
import gc
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from indexer.fast_records import fast_record  # noqa: E402
from indexer.records import parse_line, validated_line  # noqa: E402


def timed(function, lines: list[str]) -> tuple[float, list]:
    gc.collect()
    started = time.perf_counter()
    out = [function(number, text) for number, text in enumerate(lines, 1)]
    return time.perf_counter() - started, out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", type=Path)
    parser.add_argument("--lines", type=int, default=100_000)
    args = parser.parse_args(argv)
    with args.file.open(encoding="utf-8") as handle:
        lines = [text for _, text in zip(range(args.lines), handle) if text.strip()]
    schema_s, schema = timed(validated_line, lines)
    both_s, both = timed(parse_line, lines)
    fast = sum(1 for text in lines if fast_record(text) is not None)
    differ = sum(1 for a, b in zip(schema, both) if a != b)
    n = len(lines)
    print(f"{n} lines of {args.file}: {fast} taken by the fast path, {differ} answers differ")
    print(f"  schema alone (records.validated_line): {schema_s / n * 1e6:7.1f} us/line")
    print(f"  fast path first (records.parse_line):  {both_s / n * 1e6:7.1f} us/line  ({schema_s / both_s:.1f}x)")
    return 0 if differ == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
