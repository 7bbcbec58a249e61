"""A scripted visit against the served app and the real node (issue 18, "Done when"): searches of
every kind, filters, clicks, an embed on an allowed and a foreign origin, an opted-out visitor, a
crawler, a forged token, a site not on the answer, the same beacon twice. Exactly the expected
events are kept, the staff report and the rollup count them (the preview's reading of the rollup:
test_partner_numbers.py), and none of the forbidden items (an
address, the user agent, a cookie, the nonce, the token, coordinates, the words typed, a request id)
is in any stored event, log line or metric."""
from __future__ import annotations

import json
import logging
from datetime import datetime, timezone

import pytest

from locator.analytics.report import fetch_report
from locator.analytics.rollup import rollup, stats_index
from locator.api import metrics
from tests.analytics import BROWSER, NOW, Clock, analytics_app, flush, forget_events, nonce, stored_events

pytestmark = pytest.mark.integration
CRAWLER = "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)"
CLIENT_ID = "client-chosen-id-123456"


class Visit:
    """A browser's page load: one nonce; every request with the browser's headers."""

    def __init__(self, client, **headers):
        self.client, self.nonce = client, nonce()
        self.headers = {"User-Agent": BROWSER, "X-Request-ID": CLIENT_ID, "Cookie": "tracker=abc123", **headers}
        self.request_ids: list[str] = []

    def search(self, query: str) -> dict:
        answer = self.client.get(f"/api/v1/partners?{query}", headers=self.headers)
        assert answer.status_code == 200, answer.get_data(as_text=True)
        assert "Set-Cookie" not in answer.headers
        self.request_ids.append(answer.headers["X-Request-ID"])
        return answer.get_json()

    def beacon(self, answer: dict, kind: str = "search", site: str | None = None, source: str = "direct") -> int:
        body = {"type": kind, "token": answer["search_token"], "nonce": self.nonce, "lang": "en", "source": source}
        if site:
            body["site_id"] = site
        sent = self.client.post("/api/v1/events", data=json.dumps(body), content_type="application/json",
                                headers=self.headers)
        assert "Set-Cookie" not in sent.headers
        self.request_ids.append(sent.headers["X-Request-ID"])
        return sent.status_code


@pytest.fixture(scope="module")
def session(listed_sample, reader_es, indexer_es, gazetteer):
    """The visit, scripted; what it should have kept; and everything the product wrote meanwhile."""
    forget_events(indexer_es, listed_sample.prefix)
    settings = listed_sample.settings.replace("pages", frame_ancestors=("'self'", "https://*.milestonesys.com"))
    handler = _Lines()
    for name in ("partner_locator", "partner_locator.access"):
        logging.getLogger(name).addHandler(handler)
    old_level = logging.getLogger("partner_locator.access").level
    logging.getLogger("partner_locator.access").setLevel(logging.INFO)
    try:
        app = analytics_app(settings, reader_es, gazetteer, Clock(NOW))
        script = _script(app.test_client())
        flush(app)
    finally:
        for name in ("partner_locator", "partner_locator.access"):
            logging.getLogger(name).removeHandler(handler)
        logging.getLogger("partner_locator.access").setLevel(old_level)
    return {"app": app, "events": stored_events(indexer_es, listed_sample.prefix), "logs": handler.lines,
            "metrics": metrics.text(app).decode(), **script}


class _Lines(logging.Handler):
    def __init__(self):
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


def _script(client) -> dict:
    visit = Visit(client)
    point = visit.search("lat=56.15723&lon=10.21071&radius_km=100")
    place = visit.search("near=Aarhus&tier=premier&cert=MCIE")
    country = visit.search("text=Denmark")
    words = visit.search("q=Nordlys")
    zero = visit.search("q=zzqxwv+yyvtq+xxwq")
    area = visit.search("bbox=55.5,9.5,56.5,10.8")
    searches = [point, place, country, words, zero, area]
    statuses = [visit.beacon(answer) for answer in searches]
    clicked = place["results"][0]["site_id"]
    statuses += [visit.beacon(place, "detail", clicked), visit.beacon(place, "phone", clicked)]
    statuses.append(visit.beacon(place, "phone", clicked))  # the same beacon twice: kept once
    embedded = Visit(client)
    embed_answer = embedded.search("country=DK&tier=premier")
    statuses.append(embedded.beacon(embed_answer, source="partners.milestonesys.com"))
    refused = [embedded.beacon(embed_answer, source="www.competitor.example"),                    # a foreign origin
               visit.beacon({"search_token": point["search_token"][:-3] + "abc"}),                  # a forged token
               visit.beacon(place, "website", next(site["site_id"] for site in point["results"]
                                                   if site["site_id"] not in {s["site_id"] for s in place["results"]}))]
    quiet = [Visit(client, **{"Sec-GPC": "1"}).beacon(place), Visit(client, **{"DNT": "1"}).beacon(place),
             Visit(client, **{"User-Agent": CRAWLER}).beacon(place)]
    return {"visits": [visit, embedded], "searches": searches, "place": place, "clicked": clicked,
            "statuses": statuses, "refused": refused, "quiet": quiet, "zero": zero}


def test_every_good_beacon_is_answered_204_and_every_bad_one_400(session):
    assert session["statuses"] == [204] * 10
    assert session["refused"] == [400, 400, 400]
    assert session["quiet"] == [204, 204, 204]


def test_exactly_the_expected_events_are_kept(session):
    kept = session["events"]
    kinds = sorted(event["kind"] for event in kept if event["type"] == "search")
    assert kinds == sorted(["point", "place", "country", "words", "words", "area", "country"])
    assert sorted(event["type"] for event in kept if event["type"] != "search") == ["detail", "phone"]
    assert sum(event["zero"] for event in kept if event["type"] == "search") == 1
    assert {event["source"] for event in kept} == {"direct", "partners.milestonesys.com"}
    place = next(event for event in kept if event["kind"] == "place" and event["type"] == "search")
    assert (place["tier"], place["cert"], place["place"]) == (["premier"], ["MCIE"], session["place"]["origin"]["place_id"])


def test_the_rollup_counts_the_clicked_site(session, indexer_es, listed_sample):
    rollup(indexer_es, listed_sample.prefix, datetime.fromtimestamp(NOW + 60, timezone.utc))
    site = indexer_es.get(index=stats_index(listed_sample.prefix), id=session["clicked"])["_source"]
    shown = sum(1 for event in session["events"] if event["type"] == "search" and session["clicked"] in event["sites_shown"])
    assert shown >= 2  # the place search and at least the embed's Danish one
    assert (site["days_30"]["detail"], site["days_30"]["phone"], site["days_30"]["shown"]) == (1, 1, shown)


def test_nothing_that_identifies_the_visitor_is_in_any_event_log_line_or_metric(session):
    visit = session["visits"][0]
    forbidden = {"the user agent": BROWSER, "its product token": "Chrome/131", "the crawler": "bingbot",
                 "an address": "127.0.0.1", "a cookie": "abc123", "the client's request id": CLIENT_ID,
                 "the latitude": "56.1572", "the longitude": "10.2107", "words typed": "Nordlys", "other words": "zzqxwv",
                 "a place typed": "Aarhus", "a nonce": visit.nonce, "another nonce": session["visits"][1].nonce,
                 "a token": session["place"]["search_token"][:40], "a referrer": "competitor"}
    stored = {"events": json.dumps(session["events"]), "metrics": session["metrics"]}
    for kind, text in stored.items():
        for what, value in forbidden.items():
            assert value not in text, f"{what} is in the {kind}"
        for request_id in visit.request_ids:
            assert request_id not in text, f"a request id is in the {kind}"
    for line in session["logs"]:
        for what, value in forbidden.items():
            assert value not in line, f"{what} is in a log line: {line}"
    assert session["logs"], "the session wrote no log line at all: the scan proves nothing"


def test_the_staff_report_counts_the_session(session, listed_sample, role_clients, gazetteer):
    day = datetime.fromtimestamp(NOW, timezone.utc).date()
    report = fetch_report(role_clients["staff"], listed_sample.prefix, day, day, 1, None, gazetteer)
    searches = [event for event in session["events"] if event["type"] == "search" and event["page"] == 1]
    assert report["searches"] == len(searches) == 7
    assert report["zero_results"] == sum(event["zero"] for event in searches) == 1
    assert report["interactions"]["detail"] == report["interactions"]["phone"] == 1
    assert report["sources"] == {"direct": 6, "partners.milestonesys.com": 1}
    assert report["filters"]["tier"]["premier"] == 2 and report["filters"]["cert"]["MCIE"] == 1
    folded = fetch_report(role_clients["staff"], listed_sample.prefix, day, day, 5, None, gazetteer)
    assert folded["searches"] == 7 and "partners.milestonesys.com" not in folded["sources"]  # 1 < min_count: "other"
