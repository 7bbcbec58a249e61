"""Abuse limits answer in the API's JSON error shape: too many requests (429), too big a body (413)."""

from locator.api import create_app
from locator.core.es import connect


def test_over_the_rate_limit_is_a_json_429_and_health_checks_are_never_limited(listed_sample, gazetteer):
    settings = listed_sample.settings.replace("api", rate_limit="3 per minute")
    client = create_app(settings, es=connect(settings, "reader"), gazetteer=gazetteer).test_client()
    statuses = [client.get("/api/v1/suggest?q=aar").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    limited = client.get("/api/v1/partners")
    assert limited.status_code == 429 and int(limited.headers["Retry-After"]) > 0
    assert limited.json["error"]["code"] == "too_many_requests"
    assert all(client.get("/livez").status_code == 200 for _ in range(5))


def test_a_request_body_over_the_limit_is_a_json_413(api):
    response = api.get("/api/v1/partners", data=b"x" * 20_000, content_type="application/octet-stream")
    assert response.status_code == 413
    assert response.json["error"]["status"] == 413 and "limited to 16384 bytes" in response.json["error"]["message"]
