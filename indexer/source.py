"""Reading a partner export: a path or ``-`` (stdin), plain or gzip-compressed (sniffed, not guessed
from the name), one numbered line at a time; a line that is not UTF-8 is reported, not fatal."""
from __future__ import annotations

import gzip
import io
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO, Iterator

_GZIP_MAGIC = b"\x1f\x8b"


@contextmanager
def open_export(name: str) -> Iterator[BinaryIO]:
    raw = sys.stdin.buffer if name == "-" else Path(name).open("rb")
    try:
        buffered = raw if isinstance(raw, io.BufferedReader) else io.BufferedReader(raw)
        yield gzip.GzipFile(fileobj=buffered) if buffered.peek(2)[:2] == _GZIP_MAGIC else buffered
    finally:
        if raw is not sys.stdin.buffer:
            raw.close()


def numbered_lines(stream: BinaryIO) -> Iterator[tuple[int, str | None]]:
    """(line number, text) per line; text is None when the line is not valid UTF-8."""
    for number, raw in enumerate(stream, start=1):
        try:
            yield number, raw.decode("utf-8")
        except UnicodeDecodeError:
            yield number, None
