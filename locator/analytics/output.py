"""How the staff commands write what they computed: JSON (indented) or CSV, to a file or standard
output; CSV as UTF-8 with a byte-order mark, so spreadsheets read accents right. Shared by
``analytics report`` and ``coverage``."""
from __future__ import annotations

import csv
import io
import sys
from pathlib import Path
from typing import IO, Callable, Iterable

import orjson


def write_rows(rows: Iterable[dict], columns: tuple[str, ...] | list[str], out: IO[str]) -> int:
    """CSV rows to a text stream opened with newline=""; how many rows (the header not counted)."""
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\r\n", restval="")
    writer.writeheader()
    count = 0
    for row in rows:
        writer.writerow(row)
        count += 1
    return count


def write_output(report: dict, form: str, output: Path | None, write_csv: Callable[[dict, IO[str]], int]) -> None:
    """``report`` as ``form`` ("json" or "csv", the latter with ``write_csv``) to ``output`` or stdout."""
    if form == "json":
        data = orjson.dumps(report, option=orjson.OPT_INDENT_2) + b"\n"
        if output is not None:
            output.write_bytes(data)
        else:
            sys.stdout.flush()
            sys.stdout.buffer.write(data)
            sys.stdout.buffer.flush()
    elif output is not None:
        with output.open("w", encoding="utf-8-sig", newline="") as out:
            write_csv(report, out)
    else:
        sys.stdout.flush()
        out = io.TextIOWrapper(sys.stdout.buffer, encoding="utf-8-sig", newline="", write_through=True)
        write_csv(report, out)
        out.detach()  # leave stdout open for whoever owns it
