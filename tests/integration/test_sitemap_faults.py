"""A sitemap is whole or visibly broken, as `partner-locator serve` (gunicorn) sends it: Elasticsearch
is failed half-way through the stream by a small proxy in front of the real node, and the crawler
must get a broken chunked body (no last chunk, connection closed), never a well-formed short
sitemap that caches would keep and revalidate as 304 until the next index."""
from __future__ import annotations

import http.client
import json
import ssl
import threading
import xml.etree.ElementTree as ET
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import pytest

from locator.api.sitemap import NAMESPACE
from locator.api.urls import site_path
from locator.core.es import connection_for
from tests.processes import Server

PAGES = 6  # the sitemap needs about this many Elasticsearch pages
HEALTHY_PAGES = 2  # the pages a fault lets through: the first is fetched before the status goes out


class FaultyElasticsearch:
    """An HTTP proxy to the real node that forwards everything, except that after ``healthy``
    searches (the sitemap's pages) every further search gets ``fault``:

    - "partial": the node's answer with half of its hits and one failed shard (what a lost shard
      looks like in a search that allows partial results);
    - "short": half of the hits, every shard reporting success;
    - "503": a 503 from the "node";
    - "close": the connection closed without an answer.
    """

    def __init__(self, upstream: str, ca_certs: str | None):
        self.upstream, self.ca_certs = urlsplit(upstream), ca_certs
        self.fault, self.healthy, self.searches = None, 0, 0
        self.lock = threading.Lock()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_GET(self):
                proxy.handle(self)

            do_POST = do_PUT = do_DELETE = do_HEAD = do_GET

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, name="faulty-elasticsearch", daemon=True)
        self.thread.start()

    def arm(self, fault: str | None, healthy: int = HEALTHY_PAGES) -> None:
        with self.lock:
            self.fault, self.healthy, self.searches = fault, healthy, 0

    def _faulted(self, path: str) -> str | None:
        if not urlsplit(path).path.endswith("/_search"):
            return None
        with self.lock:
            self.searches += 1
            return self.fault if self.searches > self.healthy else None

    def _upstream(self) -> http.client.HTTPConnection:
        host, port = self.upstream.hostname, self.upstream.port
        if self.upstream.scheme == "https":
            return http.client.HTTPSConnection(host, port, timeout=30, context=ssl.create_default_context(cafile=self.ca_certs))
        return http.client.HTTPConnection(host, port, timeout=30)

    def handle(self, handler: BaseHTTPRequestHandler) -> None:
        body = handler.rfile.read(int(handler.headers.get("Content-Length") or 0))
        fault = self._faulted(handler.path)
        if fault == "close":
            handler.close_connection = True
            return
        if fault == "503":
            self._answer(handler, 503, {"Content-Type": "application/json"},
                         b'{"error":{"type":"unavailable","reason":"injected"},"status":503}')
            return
        headers = {name: value for name, value in handler.headers.items()
                   if name.lower() not in ("host", "accept-encoding", "connection", "content-length")}
        upstream = self._upstream()
        try:
            upstream.request(handler.command, handler.path, body=body or None, headers=headers)
            answer = upstream.getresponse()
            status, answer_headers, data = answer.status, answer.getheaders(), answer.read()
        finally:
            upstream.close()
        if fault in ("partial", "short") and status == 200:
            document = json.loads(data)
            hits = document.get("hits", {}).get("hits", [])
            del hits[len(hits) // 2:]
            if fault == "partial" and "_shards" in document:
                document["_shards"].update(failed=1, successful=document["_shards"]["total"] - 1)
            data = json.dumps(document).encode()
        self._answer(handler, status, dict(answer_headers), data)

    @staticmethod
    def _answer(handler: BaseHTTPRequestHandler, status: int, headers: dict, data: bytes) -> None:
        handler.send_response(status)
        for name, value in headers.items():
            if name.lower() not in ("content-length", "transfer-encoding", "connection"):
                handler.send_header(name, value)
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)


@pytest.fixture(scope="module")
def proxy(settings):
    reader = connection_for(settings, "reader")
    running = FaultyElasticsearch(reader.hosts[0], reader.ca_certs)
    yield running
    running.stop()


@pytest.fixture(scope="module")
def server(listed_sample, proxy, settings, tmp_path_factory):
    """`serve` on the sample, through the proxy, with pages small enough for the sitemap to need several."""
    reader = connection_for(settings, "reader")
    credentials = ({"ELASTICSEARCH_API_KEY": reader.api_key} if reader.api_key else
                   {"ELASTICSEARCH_USERNAME": reader.username, "ELASTICSEARCH_PASSWORD": reader.password})
    page_size = len(listed_sample.documents) // PAGES + 1
    env = {"ELASTICSEARCH_URL": proxy.url, **credentials, "PARTNER_LOCATOR_ELASTICSEARCH_INDEX_PREFIX": listed_sample.prefix,
           "PARTNER_LOCATOR_API_RATE_LIMIT": "", "PARTNER_LOCATOR_PAGES_SITEMAP_PAGE_SIZE": str(page_size)}
    running = Server(env, tmp_path_factory.mktemp("serve-sitemap") / "serve.log", workers=1)
    try:
        running.wait_ready()
        yield running
    finally:
        running.stop()


def fetch(server: Server, path: str) -> tuple[http.client.HTTPResponse, http.client.HTTPConnection]:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
    connection.request("GET", path)
    return connection.getresponse(), connection


def test_a_healthy_sitemap_holds_exactly_the_live_index_s_sites(server, proxy, listed_sample):
    proxy.arm(None)
    response, connection = fetch(server, "/sitemap.xml")
    try:
        assert response.status == 200 and response.getheader("Transfer-Encoding") == "chunked"
        urls = [url.findtext(f"{{{NAMESPACE}}}loc") for url in ET.fromstring(response.read())]
    finally:
        connection.close()
    assert proxy.searches >= PAGES  # it took several pages
    assert sorted(urls) == sorted(f"{server.url}/{site_path(doc)}" for doc in listed_sample.documents.values())


@pytest.mark.parametrize("fault", ["partial", "short", "503", "close"])
def test_elasticsearch_failing_mid_stream_leaves_a_broken_response_never_a_short_sitemap(server, proxy, fault):
    proxy.arm(fault)
    response, connection = fetch(server, "/sitemap.xml")
    try:
        assert response.status == 200  # the first page came: the status and headers are out
        assert response.getheader("Transfer-Encoding") == "chunked"
        with pytest.raises(http.client.IncompleteRead) as cut:
            response.read()
    finally:
        connection.close()
    assert cut.value.partial.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<urlset')
    assert b"</urlset>" not in cut.value.partial
    proxy.arm(None)
    response, connection = fetch(server, "/readyz")
    connection.close()
    assert response.status == 200  # the worker lives on and answers


@pytest.mark.parametrize("fault", ["partial", "short"])
def test_a_first_page_from_part_of_the_index_is_a_clean_503(server, proxy, fault):
    proxy.arm(fault, healthy=0)
    response, connection = fetch(server, "/sitemap.xml")
    try:
        body = response.read()
    finally:
        connection.close()
    assert (response.status, response.getheader("Content-Type")) == (503, "application/json")
    assert response.getheader("Cache-Control") == "no-store" and response.getheader("Retry-After")
    assert json.loads(body)["error"]["code"] == "search_unavailable"
