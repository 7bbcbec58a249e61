"""What a phone on a slow network gets: every text answer compressed when the client asks for it,
the same bytes once decoded, nothing changed for a client that does not ask, and revalidation
still ending in a 304."""
from __future__ import annotations

import gzip

import brotli
import pytest

MADE = ["/", "/?text=Aarhus", "/api/v1/partners?near=Aarhus&radius_km=300&facets=true", "/api/v1/openapi.json",
        "/static/js/main.js", "/static/styles.css"]
STREAMED = ["/sitemap.xml"]  # brotli only (Flask-Compress streams no gzip)
DECODE = {"br": brotli.decompress, "gzip": gzip.decompress}


def body(response) -> bytes:
    """The whole body, streamed or not."""
    return b"".join(response.response) if response.is_streamed else response.get_data()


@pytest.mark.parametrize("path, encoding", [(path, "br") for path in MADE + STREAMED] + [(path, "gzip") for path in MADE])
def test_text_answers_come_compressed_and_decode_to_the_same_bytes(api, path, encoding):
    plain = api.get(path)
    packed = api.get(path, headers={"Accept-Encoding": f"{encoding}, identity;q=0.5"})
    assert plain.status_code == packed.status_code == 200
    assert "Content-Encoding" not in plain.headers  # a client that does not ask gets what it always got
    assert packed.headers["Content-Encoding"] == encoding
    assert "Accept-Encoding" in packed.headers["Vary"]  # a cache keeps one copy per encoding
    decoded = DECODE[encoding](body(packed))
    assert decoded == body(plain)
    assert len(body(packed)) < len(decoded)


def test_brotli_is_preferred_and_a_client_asking_for_neither_gets_plain_bytes(api):
    path = "/static/js/main.js"
    assert api.get(path, headers={"Accept-Encoding": "gzip, deflate, br"}).headers["Content-Encoding"] == "br"
    assert "Content-Encoding" not in api.get(path, headers={"Accept-Encoding": "compress"}).headers


def test_a_compressed_search_answer_revalidates_to_304(api):
    path = "/api/v1/partners?near=Aarhus&radius_km=300"
    first = api.get(path, headers={"Accept-Encoding": "br"})
    assert first.status_code == 200 and first.headers["ETag"]
    again = api.get(path, headers={"Accept-Encoding": "br", "If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.get_data() == b""
    # The plain and the compressed answer are different representations: each has its own tag.
    assert api.get(path).headers["ETag"] != first.headers["ETag"]


def test_an_answer_too_small_to_gain_is_sent_as_it_is(api):
    small = api.get("/static/favicon.svg", headers={"Accept-Encoding": "br"})  # a few hundred bytes
    assert small.status_code == 200 and "Content-Encoding" not in small.headers
    assert body(small).startswith(b"<svg")


def test_a_static_file_is_compressed_once_and_revalidates_to_304(api, monkeypatch):
    """A page view revalidates every script (no max-age): compressing them each time cost ~60 ms."""
    first = api.get("/static/js/state.js", headers={"Accept-Encoding": "br"})
    calls = []
    monkeypatch.setattr("flask_compress.flask_compress._compress_data",
                        lambda app, data, algorithm: calls.append(algorithm) or b"")
    again = api.get("/static/js/state.js", headers={"Accept-Encoding": "br"})
    assert calls == [] and body(again) == body(first)  # kept, not compressed again
    revalidated = api.get("/static/js/state.js", headers={"Accept-Encoding": "br", "If-None-Match": first.headers["ETag"]})
    assert revalidated.status_code == 304 and calls == []
