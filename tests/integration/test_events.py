"""POST /api/v1/events on the real node: a beacon is kept only when its search token vouches for
it, once, as an event with nothing that identifies the visitor; everything else is a 400 naming
the field, or (opted out, crawlers) a 204 that keeps nothing. A cluster that is gone costs events,
counted, never a search or a beacon."""
from __future__ import annotations

import json
from urllib.parse import urlsplit

import pytest

from locator.api import metrics
from locator.core.es import make_client
from locator.core.events import events_pattern
from tests.analytics import BROWSER, NOW, Clock, analytics_app, flush, forget_events, nonce, stored_events

pytestmark = pytest.mark.integration
EMBEDDERS = ("'self'", "https://*.milestonesys.com", "http://localhost:*")


@pytest.fixture
def clock():
    return Clock(NOW)


@pytest.fixture
def app(listed_sample, reader_es, indexer_es, gazetteer, clock):
    forget_events(indexer_es, listed_sample.prefix)
    sample = listed_sample.settings.replace("pages", frame_ancestors=EMBEDDERS)
    return analytics_app(sample, reader_es, gazetteer, clock)


@pytest.fixture
def client(app):
    return app.test_client()


def beacon(answer: dict, kind: str = "search", site: str | None = None, **changes) -> dict:
    body = {"type": kind, "token": answer["search_token"], "nonce": changes.pop("nonce", None) or nonce(),
            "lang": "en", "source": "direct", **changes}
    if site:
        body["site_id"] = site
    return body


def post(client, body, **headers):
    return client.post("/api/v1/events", data=json.dumps(body), content_type="application/json",
                       headers={"User-Agent": BROWSER, **headers})


def events(app, indexer_es, listed_sample) -> list[dict]:
    flush(app)
    return stored_events(indexer_es, listed_sample.prefix)


def test_a_search_and_a_click_are_kept_with_the_answers_facts_and_nothing_of_the_visitor(app, client, indexer_es, listed_sample):
    answer = client.get("/api/v1/partners?lat=56.1572&lon=10.2107&radius_km=100&tier=premier").get_json()
    site = answer["results"][0]["site_id"]
    page_load = nonce()
    assert post(client, beacon(answer, nonce=page_load)).status_code == 204
    assert post(client, beacon(answer, "phone", site, nonce=page_load, lang="de", source="www.milestonesys.com"),
                **{"X-Forwarded-For": "203.0.113.9"}).status_code == 204
    kept = sorted(events(app, indexer_es, listed_sample), key=lambda event: event["type"])
    assert [event["type"] for event in kept] == ["phone", "search"]
    phone, search = kept
    assert search["kind"] == "point" and search["tier"] == ["premier"] and search["area"]
    assert search["sites_shown"] == [result["site_id"] for result in answer["results"]] and search["page"] == 1
    assert (phone["site_id"], phone["lang"], phone["source"], phone["sites_shown"]) == (site, "de", "www.milestonesys.com", [])
    assert phone["answer"] == search["answer"] and search["minute"].endswith(":00Z")
    stored = json.dumps(kept)
    for forbidden in (page_load, answer["search_token"], "56.1572", "10.2107", "203.0.113.9", "Mozilla", BROWSER):
        assert forbidden not in stored


def test_the_same_beacon_twice_is_one_event_and_another_page_load_is_another(app, client, indexer_es, listed_sample):
    answer = client.get("/api/v1/partners?near=Aarhus").get_json()
    once = beacon(answer)
    assert [post(client, once).status_code for _ in range(3)] == [204, 204, 204]
    flush(app)
    assert post(client, once).status_code == 204  # sent again after it was written: refused as a duplicate
    assert post(client, beacon(answer)).status_code == 204
    assert len(events(app, indexer_es, listed_sample)) == 2


@pytest.mark.parametrize("change, field", [
    ({"token": "forged.token"}, "token"),
    ({"site_id": "S9999999", "type": "detail"}, "site_id"),
    ({"source": "evil.example.org"}, "source"),
    ({"source": "milestonesys.com"}, "source"),  # *.milestonesys.com is subdomains only
    ({"type": "purchase"}, "type"),
    ({"lang": "xx"}, "lang"),
    ({"nonce": "1"}, "nonce"),
    ({"ip": "203.0.113.9"}, "ip"),
])
def test_a_bad_beacon_is_a_400_naming_the_field_and_nothing_is_kept(app, client, indexer_es, listed_sample, change, field):
    answer = client.get("/api/v1/partners?near=Aarhus").get_json()
    refused = post(client, {**beacon(answer), **change})
    assert refused.status_code == 400 and field in refused.get_json()["error"]["fields"]
    assert refused.headers["Cache-Control"] == "no-store"
    assert events(app, indexer_es, listed_sample) == []


def test_a_token_older_than_an_hour_or_of_a_site_page_for_a_search_is_refused(app, client, indexer_es, listed_sample, clock):
    answer = client.get("/api/v1/partners?near=Aarhus").get_json()
    site_page = client.get(urlsplit(answer["results"][0]["page_url"]).path)
    token = site_page.get_data(as_text=True).split('data-event-token="', 1)[1].split('"', 1)[0]
    refused = post(client, {**beacon(answer), "token": token})
    assert refused.status_code == 400 and "type" in refused.get_json()["error"]["fields"]
    assert post(client, {**beacon(answer, "site_page", answer["results"][0]["site_id"]), "token": token}).status_code == 204
    clock.now = NOW + 2 * 3600
    late = post(client, beacon(answer))
    assert late.status_code == 400 and "token" in late.get_json()["error"]["fields"]
    clock.now = NOW
    assert [event["type"] for event in events(app, indexer_es, listed_sample)] == ["site_page"]


@pytest.mark.parametrize("headers", [{"Sec-GPC": "1"}, {"DNT": "1"},
                                     {"User-Agent": "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"},
                                     {"User-Agent": "python-requests/2.32.3"}])
def test_opted_out_visitors_and_crawlers_get_a_204_and_nothing_is_kept(app, client, indexer_es, listed_sample, headers):
    answer = client.get("/api/v1/partners?near=Aarhus").get_json()
    assert post(client, beacon(answer), **headers).status_code == 204
    assert events(app, indexer_es, listed_sample) == []


def test_the_body_must_be_a_json_object(client):
    for body in (b"not json", b"[1, 2]", b"{}"):
        answer = client.post("/api/v1/events", data=body, content_type="application/json",
                             headers={"User-Agent": BROWSER})
        assert answer.status_code == 400 and answer.get_json()["error"]["code"] == "invalid_parameters"


def test_with_analytics_off_answers_carry_no_token_and_beacons_keep_nothing(listed_sample, reader_es, gazetteer):
    from locator.api import create_app

    app = create_app(listed_sample.settings.replace("analytics", enabled=False, token_secret="t" * 40),
                     es=reader_es, gazetteer=gazetteer)
    client = app.test_client()
    assert "search_token" not in client.get("/api/v1/partners?near=Aarhus").get_json()
    assert post(client, {"type": "search", "token": "x", "nonce": nonce(), "lang": "en", "source": "direct"}).status_code == 204


def test_a_cluster_that_is_gone_costs_events_counted_never_a_search_or_a_beacon(listed_sample, reader_es, gazetteer, settings):
    from tests.processes import free_port

    gone = make_client(type(settings.connection)((f"http://127.0.0.1:{free_port()}",)), settings.elasticsearch, "events")
    app = analytics_app(listed_sample.settings, reader_es, gazetteer, Clock(NOW), events_es=gone)
    client = app.test_client()
    answer = client.get("/api/v1/partners?near=Aarhus")
    assert answer.status_code == 200
    assert [post(client, beacon(answer.get_json())).status_code for _ in range(3)] == [204, 204, 204]
    flush(app)
    exposed = metrics.text(app).decode()
    assert "partner_locator_events_dropped_total 3.0" in exposed
    assert "partner_locator_events_written_total 0.0" in exposed
    assert "partner_locator_events_buffer_depth 0.0" in exposed


def test_written_events_are_counted_in_the_metrics(app, client):
    answer = client.get("/api/v1/partners?near=Aarhus").get_json()
    post(client, beacon(answer))
    flush(app)
    assert "partner_locator_events_written_total 1.0" in metrics.text(app).decode()


def test_the_events_user_may_only_add_events_and_only_staff_read_them(app, client, indexer_es, listed_sample, role_clients):
    answer = client.get("/api/v1/partners?near=Aarhus").get_json()
    post(client, beacon(answer))
    flush(app)
    pattern = events_pattern(listed_sample.prefix)
    indexer_es.indices.refresh(index=pattern)
    index = next(iter(indexer_es.indices.get(index=pattern)))
    events_user, staff = role_clients["events"], role_clients["staff"]
    assert staff.count(index=pattern)["count"] == 1
    for role in ("reader", "preview", "events"):
        with pytest.raises(Exception) as refused:
            role_clients[role].search(index=index)
        assert getattr(refused.value, "status_code", None) == 403, role
    doc_id = indexer_es.search(index=index)["hits"]["hits"][0]["_id"]
    for attempt in (lambda: events_user.index(index=index, id=doc_id, document={"type": "search"}),
                    lambda: events_user.delete(index=index, id=doc_id),
                    lambda: events_user.indices.delete(index=index),
                    lambda: staff.delete(index=index, id=doc_id)):
        with pytest.raises(Exception) as refused:
            attempt()
        assert getattr(refused.value, "status_code", None) == 403
