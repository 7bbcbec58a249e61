"""Text answers compressed for clients that ask for it (Flask-Compress): pages, scripts, styles,
the icon, the sitemap and the API's JSON.

Customers mostly arrive on phones, often on a slow mobile network: the search page's scripts,
styles and first results are about four times smaller compressed (docs/benchmarks.md, "Phones").
A proxy in front may compress too; a response it receives already compressed it passes on. A
client that does not ask (``Accept-Encoding``), e.g. a benchmark's load generator, gets the bytes
as before and costs nothing more. Brotli first (every current browser), gzip for the rest; levels
chosen for speed over the last percent of size, since answers are compressed as they are sent.
Streamed answers (the static files, the sitemap) are compressed chunk by chunk, so a sitemap that
breaks off still breaks off (sitemap.py); Flask-Compress streams brotli and deflate but not gzip, so
a client that knows only gzip gets those uncompressed (every browser of the last years asks for br). Each encoding gets its own ETag (``"<tag>:br"``), as
RFC 9110 asks of different representations; a revalidation still ends in a 304.
"""
from __future__ import annotations

from flask import Flask
from flask_compress import Compress

COMPRESSED_TYPES = ["text/html", "text/css", "text/javascript", "application/javascript", "application/json",
                    "application/xml", "image/svg+xml"]
SMALLEST_BYTES = 500  # below this, the headers and the CPU cost more than the bytes saved


def init_app(app: Flask) -> None:
    app.config.update(
        COMPRESS_MIMETYPES=COMPRESSED_TYPES,
        COMPRESS_MIN_SIZE=SMALLEST_BYTES,
        COMPRESS_ALGORITHM=["br", "gzip"],
        COMPRESS_ALGORITHM_STREAMING=["br", "deflate"],
        COMPRESS_BR_LEVEL=4,
        COMPRESS_LEVEL=6,
    )
    Compress(app)
