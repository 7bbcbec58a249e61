"""Responses caches may keep: an ETag, ``Cache-Control: public``, and 304 when the client has it.

Used by the API's search answers and by the public pages (site pages, sitemap). Headers are set
directly: werkzeug's cache_control/add_etag/make_conditional cost ~200 us a request here
(docs/benchmarks.md), a large share of the API's own CPU.
"""
from __future__ import annotations

import zlib
from typing import Iterable

from flask import Response, request


def entity_tag(*parts: bytes) -> str:
    """A tag that changes with the bytes: two checksums and the length (64+ bits). Not a
    cryptographic hash: a tag only decides whether a client's own copy is still good, and
    blake2b over a search answer cost ~4% of a worker's time under load (docs/benchmarks.md)."""
    crc, adler, length = 0, 1, 0
    for part in parts:
        crc, adler, length = zlib.crc32(part, crc), zlib.adler32(part, adler), length + len(part)
    return f'"{crc:08x}{adler:08x}{length:x}"'


def entity_tags(header: str) -> set[str]:
    """The tags of an If-None-Match header; weak tags compare equal (RFC 9110 weak comparison)."""
    return {tag.strip().removeprefix("W/") for tag in header.split(",")} if header else set()


def cached(body: bytes | Iterable, mimetype: str, max_age_s: int, etag: str | None = None, status: int = 200) -> Response:
    """``body`` (bytes, or an iterable streamed as it is made, which then needs its ``etag``), public
    for ``max_age_s``; a 304 without a body when the client already holds this tag."""
    etag = etag or entity_tag(body)
    headers = {"ETag": etag, "Cache-Control": f"public, max-age={max_age_s}"}
    if status == 200 and etag in entity_tags(request.headers.get("If-None-Match", "")):
        return Response(status=304, headers=headers)
    return Response(body, status=status, mimetype=mimetype, headers=headers)
