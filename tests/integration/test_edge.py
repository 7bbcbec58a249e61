"""The API at its edge, as `serve` runs it: errors raised before Flask in the one JSON shape,
/metrics on its own bind (never the public port) counting what customers got, and the per-client
budget on by default."""
from __future__ import annotations

import json
import socket
from datetime import datetime, timezone

import pytest
from prometheus_client.parser import text_string_to_metric_families

from locator.api import create_app, metrics
from locator.core.es import connect
from locator.core.settings import load_settings
from tests.processes import Server, get


@pytest.fixture(scope="module")
def server(listed_sample, tmp_path_factory):
    env = {"PARTNER_LOCATOR_ELASTICSEARCH_INDEX_PREFIX": listed_sample.prefix, "PARTNER_LOCATOR_API_RATE_LIMIT": ""}
    running = Server(env, tmp_path_factory.mktemp("serve") / "serve.log")
    try:
        running.wait_ready()
        yield running
    finally:
        running.stop()


def _raw(port: int, request: bytes) -> tuple[int, dict, bytes]:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        connection.sendall(request)
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in header_lines)
    return int(status_line.split()[1]), headers, body


@pytest.mark.parametrize("path", ["/api/v1/partners", "/api/v1/partners/markers", "/api/v1/suggest"])
def test_a_request_line_over_the_limit_is_a_json_414_in_the_error_shape(server, path):
    status, headers, body = _raw(server.port, f"GET {path}?q={'a' * 5000} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
    assert status == 414 and headers["Content-Type"] == "application/json"
    error = json.loads(body)["error"]
    assert error["status"] == 414 and error["code"] == "uri_too_long" and "4094" in error["message"]


def test_too_many_headers_is_a_json_431(server):
    headers = "".join(f"X-H{number}: 1\r\n" for number in range(60))
    status, response_headers, body = _raw(server.port, f"GET /api/v1/suggest?q=aar HTTP/1.1\r\nHost: x\r\n{headers}\r\n".encode())
    assert status == 431 and response_headers["Content-Type"] == "application/json"
    assert b'"code":"request_header_fields_too_large"' in body


def _samples(body: bytes) -> dict:
    return {(sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in text_string_to_metric_families(body.decode()) for sample in family.samples}


def test_metrics_are_served_on_their_own_bind_and_count_every_workers_requests(server, listed_sample):
    assert get(server.url + "/metrics")[0] == 404  # never on the public port
    for _ in range(6):  # two workers: the answers are spread over both, the metrics are their sum
        assert get(server.url + "/api/v1/partners?near=Aarhus")[0] == 200
    assert get(server.url + "/api/v1/partners?lat=91&lon=0")[0] == 400
    indexed_at = datetime.fromisoformat(json.loads(get(server.url + "/readyz")[2])["indexed_at"])
    before = (datetime.now(timezone.utc) - indexed_at).total_seconds()
    status, headers, body = get(server.metrics_url)
    after = (datetime.now(timezone.utc) - indexed_at).total_seconds()
    assert status == 200 and headers["Content-Type"].startswith("text/plain")
    samples = _samples(body)
    searched = (("endpoint", "/api/v1/partners"), ("status", "200"))
    assert samples[("partner_locator_requests_total", searched)] == 6
    assert samples[("partner_locator_requests_total", (("endpoint", "/api/v1/partners"), ("status", "400")))] == 1
    assert samples[("partner_locator_request_duration_seconds_count", (("endpoint", "/api/v1/partners"),))] == 7
    assert samples[("partner_locator_es_took_seconds_count", (("endpoint", "/api/v1/partners"),))] == 6
    assert samples[("partner_locator_live_index_documents", ())] == len(listed_sample.documents)
    assert samples[("partner_locator_live_index_up", ())] == 1
    # the seconds since the live index was built (its indexed_at is whole seconds, the gauge may be rounded)
    assert before - 1 <= samples[("partner_locator_live_index_age_seconds", ())] <= after + 1


def test_the_budget_is_on_by_default_for_the_api_only(listed_sample, gazetteer):
    shipped = load_settings({})  # the shipped defaults, whatever the suite's environment says
    assert shipped.api.rate_limit
    budget = "5 per minute"
    settings = listed_sample.settings.replace("api", rate_limit=budget)
    client = create_app(settings, es=connect(settings, "reader"), gazetteer=gazetteer).test_client()
    assert [client.get("/api/v1/suggest?q=aar").status_code for _ in range(6)] == [200] * 5 + [429]
    assert client.get("/?near=Aarhus").status_code == 200  # pages are public and cacheable: not counted
    assert client.get("/livez").status_code == 200


def test_one_process_apps_keep_their_own_metrics(api_app, api):
    api.get("/api/v1/suggest?q=aar")
    assert b'partner_locator_requests_total{endpoint="/api/v1/suggest",status="200"}' in metrics.text(api_app)
