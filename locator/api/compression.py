"""Text answers compressed for clients that ask for it (Flask-Compress): pages, scripts, styles,
the icon, the sitemap and the API's JSON.

Customers mostly arrive on phones, often on a slow mobile network: the search page's scripts,
styles and first results are about four times smaller compressed (docs/benchmarks.md, "Phones").
A proxy in front may compress too; a response it receives already compressed it passes on. A
client that does not ask (``Accept-Encoding``), e.g. a benchmark's load generator, gets the bytes
as before and costs nothing more. Brotli first (every current browser), gzip for the rest; levels
chosen for speed over the last percent of size, since answers are compressed as they are sent.
The static files are read whole, compressed once per encoding and kept (they change only with a
deployment); the sitemap is streamed and compressed chunk by chunk, so a sitemap that breaks off
still breaks off (sitemap.py), with brotli only (Flask-Compress streams no gzip; every browser of
the last years asks for br). Each encoding gets its own ETag (``"<tag>:br"``), as RFC 9110 asks of
different representations; a revalidation still ends in a 304.
"""
from __future__ import annotations

import os
import threading

from flask import Flask, Request, Response, current_app, request as current_request
from flask_compress import Compress

COMPRESSED_TYPES = ["text/html", "text/css", "text/javascript", "application/javascript", "application/json",
                    "application/xml", "image/svg+xml"]
SMALLEST_BYTES = 500  # below this, the headers and the CPU cost more than the bytes saved


class StaticFilesOnly:
    """Flask-Compress's cache, keeping the compressed static files only: they are the same for every
    visitor until the next deployment, and a page view revalidates each of them (no max-age: their
    names carry no version), so compressing them every time cost a warm page view ~60 ms here
    (docs/benchmarks.md, "Phones"). Answers made per request are never kept (their key is empty)."""

    MAX_ENTRIES = 512  # every static file in both encodings, many times over

    def __init__(self):
        self._data: dict[str, bytes] = {}
        self._lock = threading.Lock()

    def get(self, key: str) -> bytes | None:
        return self._data.get(key)

    def set(self, key: str, value: bytes) -> None:
        if key.endswith(";"):  # not a static file
            return
        with self._lock:
            if len(self._data) >= self.MAX_ENTRIES:
                self._data.clear()
            self._data[key] = value


def static_file_key(request: Request) -> str:
    """A static file's path with its size and modification time (a changed file is compressed again); "" else."""
    if request.endpoint != "static":
        return ""
    try:
        stat = os.stat(os.path.join(current_app.static_folder, request.view_args["filename"]))
    except (OSError, KeyError, TypeError):
        return ""
    return f"{request.path}:{stat.st_size}:{stat.st_mtime_ns}"


def init_app(app: Flask) -> None:
    app.config.update(
        COMPRESS_CACHE_BACKEND=StaticFilesOnly,
        COMPRESS_CACHE_KEY=static_file_key,
        COMPRESS_MIMETYPES=COMPRESSED_TYPES,
        COMPRESS_MIN_SIZE=SMALLEST_BYTES,
        COMPRESS_ALGORITHM=["br", "gzip"],
        COMPRESS_ALGORITHM_STREAMING=["br", "deflate"],
        COMPRESS_BR_LEVEL=4,
        COMPRESS_LEVEL=6,
    )
    Compress(app)

    @app.after_request  # registered after Compress: runs before it
    def _whole_static_files(response: Response) -> Response:
        # Flask streams a static file from disk; Flask-Compress would then compress it again for every
        # request (streams are not cached) and never with gzip. Read whole (at most ~150 KB), it is
        # compressed once per encoding and kept (StaticFilesOnly).
        if current_request.endpoint == "static" and response.status_code == 200 and response.is_streamed:
            response.direct_passthrough = False
            response.make_sequence()
        return response
