"""Strict and safe: one JSON error shape naming each bad field, nothing confidential or internal in any
answer, CORS, caching, request ids, and a 503 (one attempt, no retry of a slow search) when
Elasticsearch is down or slow - then recovery.
"""
from __future__ import annotations

import json
import logging
import re
import socket
import threading
import time

import pytest
from elasticsearch import ConnectionTimeout, Elasticsearch

from locator.api import create_app
from locator.core.es import client_options, connection_for
from tests.integration.test_api_search import AARHUS, get_json

LONG_Q = "a" * 201
RESULT_KEYS = {"site_id", "partner_id", "company", "site_name", "tier", "certifications", "address", "location",
               "distance_km", "contact", "languages", "industries", "description", "page_url"}
SEARCH_KEYS = {"total", "total_relation", "page", "per_page", "origin", "nearest_fallback", "results", "facets",
               "interpreted_as"}
INTERNALS = re.compile(r"Traceback|File \"|\.py\b|elastic|_shards|root_cause|caused_by|search_phase|partner-locator|"
                       r"index_not_found|BadRequestError|Exception", re.I)
CONFIDENTIAL = re.compile(r"revenue|person_id|persons|\bprogram\b|\bE\d{6}\b|terms_accepted|ambassador", re.I)


# ---------------------------------------------------------------- 400: each bad field named

BAD_REQUESTS = [
    ("/api/v1/partners?lat=abc&lon=1", {"lat"}),
    ("/api/v1/partners?lat=1&lon=east", {"lon"}),
    ("/api/v1/partners?lat=91&lon=0", {"lat"}),
    ("/api/v1/partners?lat=0&lon=-180.5", {"lon"}),
    ("/api/v1/partners?lat=nan&lon=0", {"lat"}),
    ("/api/v1/partners?lat=1&lon=1&radius_km=20001", {"radius_km"}),
    ("/api/v1/partners?lat=1&lon=1&radius_km=0", {"radius_km"}),
    ("/api/v1/partners?lat=1&lon=1&radius_km=inf", {"radius_km"}),
    ("/api/v1/partners?lat=56.1", {"lon"}),
    ("/api/v1/partners?lon=10.2", {"lat"}),
    ("/api/v1/partners?lat=56&lon=10&near=Aarhus", {"origin"}),
    ("/api/v1/partners?near=Aarhus&place=2624652", {"origin"}),
    ("/api/v1/partners?per_page=51", {"per_page"}),
    ("/api/v1/partners?per_page=0", {"per_page"}),
    ("/api/v1/partners?page=0", {"page"}),
    ("/api/v1/partners?page=1.5", {"page"}),
    ("/api/v1/partners?page=201&per_page=50", {"page"}),
    ("/api/v1/partners?tier=gold", {"tier"}),
    ("/api/v1/partners?tier=premier&tier=authorized", {"tier"}),
    ("/api/v1/partners?cert=MCXX", {"cert"}),
    ("/api/v1/partners?country=Denmark", {"country"}),
    ("/api/v1/partners?language=english", {"language"}),
    ("/api/v1/partners?sort=random", {"sort"}),
    ("/api/v1/partners?sort=distance", {"sort"}),
    ("/api/v1/partners?collapse=company", {"collapse"}),
    ("/api/v1/partners?place=abc", {"place"}),
    ("/api/v1/partners?foo=1", {"foo"}),
    ("/api/v1/partners?q=" + LONG_Q, {"q"}),
    ("/api/v1/partners?text=" + LONG_Q, {"text"}),
    ("/api/v1/partners?text=Aarhus&q=retail", {"text", "q"}),
    ("/api/v1/partners?text=Aarhus&near=Aarhus", {"text", "near"}),
    ("/api/v1/partners/markers?bbox=54,7,58,13&text=Aarhus&q=retail", {"text", "q"}),
    ("/api/v1/partners?page=1&page=2", {"page"}),
    ("/api/v1/partners?q=a&q=b", {"q"}),
    ("/api/v1/partners?lat=abc&per_page=0&tier=gold&foo=1&page=1&page=2&q=" + LONG_Q,
     {"lat", "per_page", "tier", "foo", "page", "q"}),
    ("/api/v1/partners/markers", {"bbox"}),
    ("/api/v1/partners/markers?bbox=1,2,3", {"bbox"}),
    ("/api/v1/partners/markers?bbox=10,0,5,1", {"bbox"}),
    ("/api/v1/partners/markers?bbox=-90,-180,90,180&zoom=23", {"zoom"}),
    ("/api/v1/partners/markers?bbox=-90,-180,90,180&radius_km=5", {"radius_km"}),
    ("/api/v1/partners/markers?bbox=-90,-180,90,180&bbox=0,0,1,1", {"bbox"}),
    ("/api/v1/suggest", {"q"}),
    ("/api/v1/suggest?q=aa&limit=11", {"limit"}),
    ("/api/v1/suggest?q=aa&lat=1", {"lat"}),
    ("/api/v1/partners/S0000001?foo=1", {"foo"}),
]


def _assert_error_shape(response, status: int) -> dict:
    assert response.status_code == status and response.mimetype == "application/json"
    error = response.get_json()["error"]
    assert error["status"] == status and isinstance(error["code"], str) and isinstance(error["message"], str)
    assert not INTERNALS.search(response.get_data(as_text=True))
    assert response.headers["Cache-Control"] == "no-store"
    return error


@pytest.mark.parametrize("url, fields", BAD_REQUESTS, ids=[url[:70] for url, _ in BAD_REQUESTS])
def test_bad_parameters_are_a_400_naming_each_bad_field(api, url, fields):
    error = _assert_error_shape(api.get(url), 400)
    assert error["code"] == "invalid_parameters"
    assert set(error["fields"]) == fields
    assert all(isinstance(messages, list) and messages for messages in error["fields"].values())


def test_two_origins_name_both(api):
    error = api.get("/api/v1/partners?lat=56&lon=10&near=Aarhus").get_json()["error"]
    assert "near" in error["fields"]["origin"][0] and "lat" in error["fields"]["origin"][0]


@pytest.mark.parametrize("method, url, status", [
    ("GET", "/api/v1/nothing", 404), ("GET", "/nothing", 404), ("GET", "/api/v1/partners/S9999999", 404),
    ("POST", "/api/v1/partners", 405), ("DELETE", "/api/v1/partners/S0000001", 405), ("PUT", "/api/v1/suggest", 405),
])
def test_404_and_405_are_json_in_the_same_shape(api, method, url, status):
    response = api.open(url, method=method)
    _assert_error_shape(response, status)
    if status == 405:
        assert "GET" in response.headers["Allow"]


# ---------------------------------------------------------------- nothing confidential, only allowlisted fields

def _every_kind_of_answer(api) -> list:
    urls = ["/api/v1/partners?per_page=50", f"/api/v1/partners?lat={AARHUS[0]}&lon={AARHUS[1]}&radius_km=3000&per_page=50",
            "/api/v1/partners?collapse=partner&per_page=50", "/api/v1/partners?q=security&per_page=50",
            "/api/v1/partners?lat=-45&lon=-130&radius_km=1", "/api/v1/partners/markers?bbox=-90,-180,90,180",
            "/api/v1/partners/markers?bbox=54,7,58,13", "/api/v1/suggest?q=Nor", "/readyz", "/livez",
            "/api/v1/openapi.json", "/api/v1/partners?near=Qwxzyville", "/api/v1/partners?lat=x"]
    return [(url, api.get(url)) for url in urls]


def test_confidential_words_never_leave_the_api(api, listed_sample):
    answers = _every_kind_of_answer(api)
    site_id = next(iter(sorted(listed_sample.documents)))
    answers.append((site_id, api.get(f"/api/v1/partners/{site_id}")))
    for url, response in answers:
        assert not CONFIDENTIAL.search(response.get_data(as_text=True)), url


def _check_result(result: dict, extra=frozenset()):
    assert set(result) == RESULT_KEYS | extra
    assert set(result["address"]) <= {"street", "postal_code", "city", "region", "country"}
    assert set(result["contact"] or {}) <= {"phone", "email", "website"}
    assert set(result["location"]) == {"lat", "lon"}
    assert set(result["certifications"]) == {"MCDE", "MCIT", "MCIE"}


@pytest.mark.parametrize("params, extra", [
    ("per_page=50", frozenset()), (f"lat={AARHUS[0]}&lon={AARHUS[1]}&per_page=50", frozenset()),
    ("collapse=partner&per_page=50", {"other_matching_sites"}), ("lat=-45&lon=-130&radius_km=1", frozenset()),
])
def test_only_allowlisted_fields_leave_the_api(api, listed_sample, params, extra):
    body = get_json(api, "/api/v1/partners?" + params)
    assert set(body) == SEARCH_KEYS and body["results"]
    for result in body["results"]:
        _check_result(result, extra)
    site = get_json(api, f"/api/v1/partners/{body['results'][0]['site_id']}")
    others = site.pop("other_sites_in_country")
    for listing in [site, *others]:
        _check_result({**listing, "distance_km": None})


# ---------------------------------------------------------------- CORS, caching, request ids

def test_cors_allows_only_the_configured_origins_without_credentials(api, api_app):
    allowed = api_app.extensions["partner_locator"].api.cors_origins[0]
    ok = api.get("/api/v1/partners?per_page=1", headers={"Origin": allowed})
    assert ok.headers["Access-Control-Allow-Origin"] == allowed
    assert "Access-Control-Allow-Credentials" not in ok.headers
    assert "X-Request-ID" in ok.headers["Access-Control-Expose-Headers"]

    other = api.get("/api/v1/partners?per_page=1", headers={"Origin": "https://evil.example"})
    assert other.status_code == 200 and "Access-Control-Allow-Origin" not in other.headers

    preflight = api.open("/api/v1/partners", method="OPTIONS",
                         headers={"Origin": allowed, "Access-Control-Request-Method": "GET"})
    assert preflight.headers["Access-Control-Allow-Origin"] == allowed
    assert set(preflight.headers["Access-Control-Allow-Methods"].replace(" ", "").split(",")) <= {"GET", "OPTIONS", "HEAD"}
    assert "Access-Control-Allow-Credentials" not in preflight.headers
    evil = api.open("/api/v1/partners", method="OPTIONS",
                    headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "GET"})
    assert "Access-Control-Allow-Origin" not in evil.headers


@pytest.mark.parametrize("url", ["/api/v1/partners?q=security", "/api/v1/partners/markers?bbox=54,7,58,13",
                                 "/api/v1/suggest?q=Aar"])
def test_search_answers_are_cacheable_and_revalidate_with_304(api, url):
    first = api.get(url)
    assert first.status_code == 200
    assert first.cache_control.public and first.cache_control.max_age > 0
    etag = first.headers["ETag"]
    again = api.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b"" and again.headers["ETag"] == etag
    changed = api.get(url + "&page=1" if "partners?" in url else url, headers={"If-None-Match": '"other"'})
    assert changed.status_code == 200 and changed.data == first.data


@pytest.mark.parametrize("method, url", [
    ("GET", "/api/v1/partners"), ("GET", "/api/v1/partners?lat=x"), ("GET", "/nothing"), ("POST", "/api/v1/partners"),
    ("GET", "/livez"), ("GET", "/readyz"), ("GET", "/api/v1/openapi.json"), ("OPTIONS", "/api/v1/partners"),
])
def test_every_response_has_a_request_id(api, method, url):
    response = api.open(url, method=method)
    assert re.fullmatch(r"[A-Za-z0-9._-]{8,64}", response.headers["X-Request-ID"])
    # A client's own id could follow it from request to request: without trusted proxies it is not taken.
    assert api.get(url, headers={"X-Request-ID": "client-id-12345"}).headers["X-Request-ID"] != "client-id-12345"


def test_a_request_id_from_the_trusted_proxies_is_kept_and_a_malformed_one_never(listed_sample, reader_es, gazetteer):
    from locator.api import create_app

    behind_proxy = listed_sample.settings.replace("api", trusted_proxies=1)
    client = create_app(behind_proxy, es=reader_es, gazetteer=gazetteer).test_client()
    assert client.get("/livez", headers={"X-Request-ID": "proxy-id-12345"}).headers["X-Request-ID"] == "proxy-id-12345"
    assert client.get("/livez", headers={"X-Request-ID": "bad id!"}).headers["X-Request-ID"] != "bad id!"


def test_a_304_has_a_request_id_too(api):
    etag = api.get("/api/v1/partners").headers["ETag"]
    assert api.get("/api/v1/partners", headers={"If-None-Match": etag}).headers["X-Request-ID"]


def access_lines(caplog, client, *urls) -> list[dict]:
    with caplog.at_level(logging.INFO, logger="partner_locator.access"):
        for url in urls:
            client.get(url)
    return [json.loads(record.getMessage()) for record in caplog.records if record.name == "partner_locator.access"]


def test_the_access_log_has_one_json_line_with_coarse_coordinates(api, caplog):
    with caplog.at_level(logging.INFO, logger="partner_locator.access"):
        response = api.get("/api/v1/partners?lat=56.123456&lon=10.987654&radius_km=5&tier=premier")
    lines = [json.loads(record.getMessage()) for record in caplog.records if record.name == "partner_locator.access"]
    assert len(lines) == 1
    line = lines[0]
    assert (line["method"], line["path"], line["status"]) == ("GET", "/api/v1/partners", 200)
    assert line["request_id"] == response.headers["X-Request-ID"] and line["duration_ms"] >= line["es_took_ms"]  # the request holds its search
    # A quarter degree (~28 km): the area, not the visitor's street or village.
    assert line["args"] == {"lat": ["56.00"], "lon": ["11.00"], "radius_km": ["5"], "tier": ["premier"]}
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00", line["time"])  # to the second


def test_the_access_log_keeps_the_length_of_free_text_never_the_words(api, caplog):
    lines = access_lines(caplog, api, "/api/v1/partners?text=J%C3%B8rgen+Hansen+Aarhus",
                         "/api/v1/partners?q=secret+words&near=Oslo&industry=Retail&whatever=mine&tier=my+name",
                         "/api/v1/suggest?q=Aar", "/?text=Copenhagen&bbox=55.61,12.42,55.75,12.68")
    logged = json.dumps(lines, ensure_ascii=False)
    for words in ("Jørgen", "Hansen", "secret", "Oslo", "Retail", "mine", "my name", "Aar", "Copenhagen", "55.61", "12.68"):
        assert words not in logged
    assert lines[0]["args"] == {"text": ["[20 chars]"]}
    assert lines[1]["args"] == {"q": ["[12 chars]"], "near": ["[4 chars]"], "industry": ["[6 chars]"], "whatever": ["[4 chars]"],
                                "tier": ["[7 chars]"]}  # text where a code belongs: its length too
    assert lines[3]["args"]["bbox"] == ["55.50,12.50,55.75,12.75"]


def test_an_operator_can_log_the_words_while_debugging(listed_sample, reader_es, gazetteer, caplog):
    from locator.api import create_app

    debugging = listed_sample.settings.replace("api", log_search_text=True)
    client = create_app(debugging, es=reader_es, gazetteer=gazetteer).test_client()
    lines = access_lines(caplog, client, "/api/v1/partners?text=Aarhus&lat=56.1234&lon=10.1")
    assert lines[0]["args"] == {"text": ["Aarhus"], "lat": ["56.00"], "lon": ["10.00"]}  # coordinates stay coarse


# ---------------------------------------------------------------- Elasticsearch down or slow
# Fake nodes on a port of their own count what reaches them: a dead or hanging node costs the API one
# attempt and a 503 with Retry-After, never a retry (what a slow answer would otherwise take is not timed).

SEARCH_URLS = ["/api/v1/partners?q=security", "/api/v1/partners/markers?bbox=0,0,1,1", "/api/v1/partners/S0000001",
               "/api/v1/suggest?q=Aar", "/readyz"]
SHORT_TIMEOUT_S = 0.5  # a hanging node's requests time out after this (production: api_timeout_s)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _production_options(settings, role: str = "reader", **changes) -> dict:
    return {**client_options(connection_for(settings, role), settings.elasticsearch, role), **changes}


def _app_at(settings, gazetteer, port: int, **options):
    """The real app with a real client pointed at 127.0.0.1:port (the production client options unless overridden)."""
    client_kwargs = _production_options(settings, hosts=[f"http://127.0.0.1:{port}"], **options)
    return create_app(settings, es=Elasticsearch(**client_kwargs), gazetteer=gazetteer).test_client()


def _assert_503(response):
    error = _assert_error_shape(response, 503)
    assert error["code"] == "search_unavailable"
    assert 0 < int(response.headers["Retry-After"]) <= 5


def _wait_until(condition, what: str, timeout_s: float = 10) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, what
        time.sleep(0.02)


class _FakeNode:
    """Accepts connections on 127.0.0.1:port and hands each to handle(node, conn, stop) in a thread, until
    the block ends; counts the connections and the HTTP requests (their request lines) that reach it."""

    def __init__(self, port: int, handle):
        self.port, self.handle = port, handle
        self.accepted: list[tuple[str, int]] = []  # peer addresses, in the order the kernel queued them
        self.requests: list[str] = []
        self._lock, self._stop = threading.Lock(), threading.Event()

    def __enter__(self) -> _FakeNode:
        self._server = socket.create_server(("127.0.0.1", self.port), reuse_port=False)
        self._server.settimeout(0.1)
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._stop.set()
        self._thread.join(2)
        self._server.close()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, peer = self._server.accept()
            except OSError:
                continue
            with self._lock:
                self.accepted.append(peer)
            threading.Thread(target=self.handle, args=(self, conn, self._stop), daemon=True).start()

    def read_request(self, conn) -> bytes:
        """The head of one HTTP request on conn (recorded), b"" when the peer sends none."""
        head = b""
        while b"\r\n\r\n" not in head:
            data = conn.recv(65536)
            if not data:
                return b""
            head += data
        with self._lock:
            self.requests.append(head.split(b"\r\n", 1)[0].decode("latin-1"))
        return head

    def connections_so_far(self) -> int:
        """How many connections were made before this call. A marker connection made now is queued after
        every earlier one, so once it is accepted the earlier ones are all counted (a condition, not a pause)."""
        with socket.create_connection(("127.0.0.1", self.port), timeout=5) as marker:
            me = marker.getsockname()
            _wait_until(lambda: me in self.accepted, "the fake node did not accept a connection")
        with self._lock:
            return self.accepted.index(me)


def _black_hole(node: _FakeNode, conn, stop) -> None:
    """A node that reads each request and never answers: Elasticsearch hanging in a long GC."""
    with conn:
        try:
            node.read_request(conn)
        except OSError:
            pass
        stop.wait(30)


@pytest.mark.parametrize("url", SEARCH_URLS)
def test_elasticsearch_down_is_a_503_with_retry_after_and_livez_stays_up(listed_sample, gazetteer, url):
    client = _app_at(listed_sample.settings, gazetteer, _free_port())  # nothing listens: refused (production options)
    _assert_503(client.get(url))
    assert client.get("/livez").status_code == 200


@pytest.mark.parametrize("url", SEARCH_URLS)
def test_a_hanging_elasticsearch_gets_one_attempt_and_the_visitor_a_503(listed_sample, gazetteer, url):
    production = _production_options(listed_sample.settings)
    assert production["max_retries"] >= 1, "the API's client does retry (a refused node): just not a timeout"
    port = _free_port()
    client = _app_at(listed_sample.settings, gazetteer, port, request_timeout=SHORT_TIMEOUT_S)  # all else production
    with _FakeNode(port, _black_hole) as node:
        _assert_503(client.get(url))
        assert node.connections_so_far() == 1  # one attempt: a timed-out search is never repeated
        _wait_until(lambda: len(node.requests) == 1, "the request never reached the fake node")
    assert client.get("/livez").status_code == 200


def test_the_indexer_repeats_a_timed_out_request_where_the_api_does_not(listed_sample):
    """The counterpart on the same fake node: the indexer's client (retry_on_timeout) tries max_retries + 1 times."""
    indexer = _production_options(listed_sample.settings, "indexer", request_timeout=SHORT_TIMEOUT_S)
    reader = _production_options(listed_sample.settings, "reader", request_timeout=SHORT_TIMEOUT_S)
    for options, attempts in ((indexer, indexer["max_retries"] + 1), (reader, 1)):
        port = _free_port()
        with _FakeNode(port, _black_hole) as node:
            es = Elasticsearch(**{**options, "hosts": [f"http://127.0.0.1:{port}"]})
            with pytest.raises(ConnectionTimeout):
                es.search(index="partner-locator-sites", query={"match_all": {}})
            es.close()
            assert node.connections_so_far() == attempts, options["retry_on_timeout"]
            _wait_until(lambda: len(node.requests) == attempts, "not every attempt reached the fake node")
            assert all("_search" in line for line in node.requests)


def _forward_to(target_port: int):
    def handle(node, conn, stop):
        upstream = socket.create_connection(("127.0.0.1", target_port))

        def pump(src, dst):
            try:
                while data := src.recv(65536):
                    dst.sendall(data)
            except OSError:
                pass
            finally:
                for sock in (src, dst):
                    try:
                        sock.shutdown(socket.SHUT_RDWR)
                    except OSError:
                        pass

        threading.Thread(target=pump, args=(upstream, conn), daemon=True).start()
        pump(conn, upstream)

    return handle


def test_the_api_recovers_by_itself_when_elasticsearch_returns(listed_sample, gazetteer):
    port = _free_port()
    node_port = int(connection_for(listed_sample.settings, "reader").hosts[0].rsplit(":", 1)[1].rstrip("/"))
    client = _app_at(listed_sample.settings, gazetteer, port)  # the production client options
    _assert_503(client.get("/api/v1/partners?q=security"))
    with _FakeNode(port, _forward_to(node_port)):  # the node is reachable again on the same address
        recovered = client.get("/api/v1/partners?q=security")
        assert recovered.status_code == 200, recovered.get_data(as_text=True)
        assert recovered.get_json()["total"] > 0
        assert client.get("/readyz").status_code == 200


def _answering(status: int, body: bytes, content_type: str = "application/json"):
    """A fake node that answers every request with one canned HTTP response."""
    def handle(node, conn, stop):
        with conn:
            conn.settimeout(2)
            try:
                head, _, rest = node.read_request(conn).partition(b"\r\n\r\n")
                length = int(re.search(rb"(?i)content-length:\s*(\d+)", head).group(1)) if b"ength" in head else 0
                while len(rest) < length:
                    rest += conn.recv(65536)
                conn.sendall(b"HTTP/1.1 %d X\r\nX-Elastic-Product: Elasticsearch\r\nContent-Type: %s\r\n"
                             b"Content-Length: %d\r\nConnection: close\r\n\r\n%s"
                             % (status, content_type.encode(), len(body), body))
            except OSError:
                pass
    return handle


_ES_ERROR = json.dumps({"error": {"root_cause": [{"type": "query_shard_exception", "reason": "failed to create query",
                                                  "index": "partner-locator-sites-20260601"}],
                                  "type": "search_phase_execution_exception", "reason": "all shards failed",
                                  "caused_by": {"type": "java.lang.IllegalStateException", "stack_trace": "at org..."}},
                        "status": 400}).encode()


@pytest.mark.parametrize("status, body, content_type, answered", [
    pytest.param(400, _ES_ERROR, "application/json", 500, id="refused-request"),
    pytest.param(500, _ES_ERROR.replace(b'"status": 400', b'"status": 500'), "application/json", 503, id="node-error"),
    pytest.param(429, b'{"error":{"type":"es_rejected_execution_exception"},"status":429}', "application/json", 503,
                 id="overloaded"),
    pytest.param(200, b"<html>proxy says hello</html>", "text/html", 500, id="not-elasticsearch"),
])
def test_elasticsearch_errors_become_json_without_internals(listed_sample, gazetteer, status, body, content_type, answered):
    port = _free_port()
    client = _app_at(listed_sample.settings, gazetteer, port, max_retries=0)
    with _FakeNode(port, _answering(status, body, content_type)):
        response = client.get("/api/v1/partners?q=security")
    _assert_error_shape(response, answered)
    assert "Retry-After" in response.headers if answered == 503 else "Retry-After" not in response.headers
