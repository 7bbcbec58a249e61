"""The staff app on the real node, as the ``staff`` user: nothing without a staff link, a good link
gives a strict cookie, the dashboard shows the handmade events' numbers and its CSV is the report's,
untrusted hosts are refused, every response is private; the two commands."""
from __future__ import annotations

import csv
import io
import logging
import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from datetime import datetime, timezone
from http.cookies import SimpleCookie

import pytest

from locator.analytics.report import fetch_report
from locator.analytics.report_csv import write_csv
from locator.cli import main
from locator.core.connection import Connection
from locator.core.errors import UserFacingError
from locator.core.es import connect, make_client
from locator.staff import create_staff_app
from locator.staff.access import COOKIE
from locator.staff.tokens import DAY_MS, issue_link
from tests.analytics_events import HANDMADE_PERIOD, handmade_events, store_events
from tests.processes import free_port, get

SECRET = "staff-secret-for-the-tests-" + "x" * 16
NOW = datetime(2026, 6, 3, 12, 0, tzinfo=timezone.utc).timestamp()  # the default period then holds every handmade event
NOW_MS = int(NOW * 1000)


@pytest.fixture(scope="module")
def staff_settings(settings, indexer_es):
    prefix = f"{settings.index_prefix}-stf{uuid.uuid4().hex[:6]}"
    store_events(indexer_es, handmade_events(prefix))
    return settings.replace("elasticsearch", index_prefix=prefix).replace("staff", secret=SECRET)


@pytest.fixture(scope="module")
def staff_es(settings):
    client = connect(settings, "staff")
    yield client
    client.close()


class Clock:
    def __init__(self):
        self.now = NOW

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def app(staff_settings, staff_es, gazetteer, clock):
    return create_staff_app(staff_settings, es=staff_es, gazetteer=gazetteer, clock=clock)


@pytest.fixture
def client(app):
    return app.test_client()


def link(days: int = 1, now_ms: int = NOW_MS, secret: str = SECRET) -> str:
    return f"/login?token={issue_link(secret, days, now_ms)}"


@pytest.fixture
def signed_in(client):
    assert client.get(link()).status_code == 200
    return client


def _cookie(response) -> SimpleCookie:
    cookies = SimpleCookie()
    for header in response.headers.getlist("Set-Cookie"):
        cookies.load(header)
    return cookies


# ---------------------------------------------------------------- who may see it


@pytest.mark.parametrize("path", ["/", "/report.csv", "/report.json", "/?from=2026-06-01", "/no-such-page"])
def test_without_a_session_every_page_is_401_saying_to_ask_for_a_staff_link(client, path):
    response = client.get(path)
    assert response.status_code == 401 and response.mimetype == "text/html"
    assert "staff link" in response.get_data(as_text=True)


@pytest.mark.parametrize("token", [
    "not-a-token",
    issue_link(SECRET, 1, NOW_MS - DAY_MS),                       # expired just now
    issue_link("another-secret-of-the-same-length-" + "y" * 9, 1, NOW_MS),
    issue_link(SECRET, 1, NOW_MS)[:-2] + "xx",                    # altered
])
def test_a_bad_or_expired_link_is_refused_and_sets_nothing(client, token):
    response = client.get(f"/login?token={token}")
    assert response.status_code == 401 and "Set-Cookie" not in response.headers
    assert "not valid, or it has expired" in response.get_data(as_text=True)
    assert client.get("/").status_code == 401


def test_a_good_link_sets_a_strict_http_only_cookie_expiring_with_it_and_moves_on(client):
    response = client.get(link(days=2))
    assert response.status_code == 200
    header = response.headers["Set-Cookie"]
    morsel = _cookie(response)[COOKIE]
    assert morsel["httponly"] and morsel["samesite"] == "Strict" and morsel["path"] == "/" and not morsel["secure"]
    expires = datetime.strptime(morsel["expires"], "%a, %d %b %Y %H:%M:%S GMT").replace(tzinfo=timezone.utc)
    assert expires.timestamp() == NOW + 2 * 86400
    assert issue_link(SECRET, 2, NOW_MS) not in header  # the cookie is not the link
    assert '<meta http-equiv="refresh" content="0; url=/">' in response.get_data(as_text=True)
    assert client.get("/").status_code == 200


def test_over_https_the_cookie_is_secure(app):
    response = app.test_client().get(link(), base_url="https://127.0.0.1")
    assert _cookie(response)[COOKIE]["secure"]


def test_the_session_ends_with_the_link_and_an_altered_cookie_is_refused(signed_in, clock):
    cookie = signed_in.get_cookie(COOKIE)
    signed_in.set_cookie(COOKIE, cookie.value[:-1] + ("A" if cookie.value[-1] != "A" else "B"))
    assert signed_in.get("/").status_code == 401
    signed_in.set_cookie(COOKIE, cookie.value)
    assert signed_in.get("/").status_code == 200
    clock.now = NOW + 86400
    assert signed_in.get("/").status_code == 401


def test_signing_out_forgets_the_session(signed_in):
    response = signed_in.post("/logout")
    assert response.status_code == 200 and _cookie(response)[COOKIE].value == ""
    assert signed_in.get("/").status_code == 401


def test_the_token_is_never_logged(client, caplog):
    token = issue_link(SECRET, 1, NOW_MS)
    with caplog.at_level(logging.DEBUG):
        client.get(f"/login?token={token}")
        client.get(f"/login?token={token}x")
        client.get("/")
    assert token not in caplog.text


# ---------------------------------------------------------------- what it shows


def _cells(html: str, table_id: str) -> list[list[str]]:
    table = re.search(rf'<table id="{table_id}">(.*?)</table>', html, re.S).group(1)
    return [[re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
            for row in re.findall(r"<tr>(.*?)</tr>", table, re.S)][1:]


def test_the_dashboard_shows_the_handmade_numbers(signed_in):
    response = signed_in.get("/?from=2026-05-31&to=2026-06-03")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert re.search(r'<dt>Searches</dt><dd><span class="tile-value">15</span>', html)
    assert _cells(html, "countries-table") == [["Denmark", "7", "2", "28.6%", "14.3%"], ["Germany", "5", "0", "0.0%", "0.0%"],
                                               ["Other", "3", "3", "100.0%", "0.0%"]]
    assert [row[:2] for row in _cells(html, "places-table")] == [["Copenhagen, DK", "7"], ["Berlin, DE", "5"], ["Other", "2"]]
    assert "Reykjav" not in html and "rare.example.net" not in html  # under min_count: folded, never named
    assert [row[:2] for row in _cells(html, "per-day-table")] == [["May 31, 2026", "7"], ["Jun 1, 2026", "1"],
                                                                  ["Jun 2, 2026", "5"], ["Jun 3, 2026", "2"]]
    # Days, countries, tier, certification, sources, languages, interactions: the unused filters say so instead.
    assert html.count('<svg class="chart"') == 7 and html.count("Nothing in this period.") == 2
    assert '<script type="application/json" id="staff-map-data">' in html


@pytest.mark.parametrize(("lang", "title", "searches"), [
    ("en", "What customers look for", "Searches"), ("de", "Wonach Kunden suchen", "Suchen"),
    ("fr", "Ce que cherchent les clients", "Recherches"), ("es", "Lo que buscan los clientes", "Búsquedas"),
    ("ja", "お客様が探しているもの", "検索数")])
def test_the_dashboard_in_each_ui_language(signed_in, lang, title, searches):
    html = signed_in.get(f"/?lang={lang}&from=2026-05-31&to=2026-06-03").get_data(as_text=True)
    assert f'<html lang="{lang}">' in html and f"<h1>{title}</h1>" in html and f"<dt>{searches}</dt>" in html
    assert f'<input type="hidden" name="lang" value="{lang}">' in html  # the form keeps the language
    assert signed_in.get(f"/?lang={lang}&from=x").status_code == 400


def test_the_default_period_is_the_last_30_days(signed_in):
    html = signed_in.get("/").get_data(as_text=True)
    assert 'name="from" value="2026-05-05"' in html and 'name="to" value="2026-06-03"' in html
    assert 'href="/report.csv?from=2026-05-05&amp;to=2026-06-03"' in html


def test_the_csv_is_what_is_shown(signed_in, staff_settings, staff_es, gazetteer):
    html = signed_in.get("/?from=2026-05-31&to=2026-06-03&country=dk").get_data(as_text=True)
    href = re.search(r'href="(/report\.csv\?[^"]+)"', html).group(1).replace("&amp;", "&")
    response = signed_in.get(href)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert 'filename="partner-locator-report-2026-05-31-2026-06-03-DK.csv"' in response.headers["Content-Disposition"]
    expected = io.StringIO()
    write_csv(fetch_report(staff_es, staff_settings.index_prefix, *HANDMADE_PERIOD, 5, "DK", gazetteer), expected)
    assert response.data.decode("utf-8-sig") == expected.getvalue()
    rows = {(row["table"], row["key"]): row for row in csv.DictReader(io.StringIO(expected.getvalue()))}
    assert rows[("total", "searches")]["searches"] == "7"


def test_the_json_is_the_command_lines_contract(signed_in, staff_settings, staff_es, gazetteer):
    answer = signed_in.get("/report.json?from=2026-05-31&to=2026-06-03").get_json()
    assert answer == fetch_report(staff_es, staff_settings.index_prefix, *HANDMADE_PERIOD, 5, None, gazetteer)


@pytest.mark.parametrize("query", ["from=2026-06-03&to=2026-06-01", "from=yesterday", "country=Denmark",
                                   "from=1990-01-01&to=2026-06-01"])
def test_a_bad_period_is_the_form_again_with_a_message(signed_in, query):
    response = signed_in.get(f"/?{query}")
    assert response.status_code == 400 and 'role="alert"' in response.get_data(as_text=True)
    assert signed_in.get(f"/report.csv?{query}").status_code == 400


def test_a_cluster_that_does_not_answer_is_a_503_page(staff_settings, gazetteer):
    dead = make_client(Connection(("http://127.0.0.1:9",)), staff_settings.elasticsearch, "staff")
    client = create_staff_app(staff_settings, es=dead, gazetteer=gazetteer, clock=lambda: NOW).test_client()
    client.get(link())
    response = client.get("/")
    assert response.status_code == 503 and "did not answer" in response.get_data(as_text=True)


# ---------------------------------------------------------------- hosts and headers


@pytest.mark.parametrize("host", ["evil.example", "127.0.0.1.evil.example", "localhost.localdomain"])
def test_an_untrusted_host_is_400(signed_in, host):
    for path in ("/", link(), "/static/staff.css"):
        assert signed_in.get(path, headers={"Host": host}).status_code == 400
    assert signed_in.get("/", headers={"Host": "localhost:5001"}).status_code == 200


@pytest.mark.parametrize("path", ["/", "/login?token=x", "/static/staff.js", "/report.csv", "/shared/vendor/leaflet/leaflet.js"])
def test_every_response_is_private_and_never_framed(signed_in, path):
    headers = signed_in.get(path).headers
    policy = headers["Content-Security-Policy"]
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert "frame-ancestors 'none'" in policy and "script-src 'self'" in policy and "connect-src 'none'" in policy
    assert headers["X-Frame-Options"] == "DENY" and headers["Referrer-Policy"] == "no-referrer"
    assert headers["Cache-Control"] == "no-store" and headers["X-Content-Type-Options"] == "nosniff"


def test_only_leaflet_and_the_icon_are_shared_from_the_public_static_files(signed_in):
    assert signed_in.get("/shared/vendor/leaflet/leaflet.css").status_code == 200
    assert signed_in.get("/shared/js/main.js").status_code == 404
    assert signed_in.get("/shared/../locator/api/app.py").status_code == 404


# ---------------------------------------------------------------- the commands


def test_without_a_secret_the_staff_app_is_off(settings, staff_es, gazetteer, monkeypatch, capsys):
    with pytest.raises(UserFacingError, match="PARTNER_LOCATOR_STAFF_SECRET"):
        create_staff_app(settings.replace("staff", secret=""), es=staff_es, gazetteer=gazetteer)
    monkeypatch.delenv("PARTNER_LOCATOR_STAFF_SECRET", raising=False)
    for command in (["staff-link"], ["staff", "--port", "5999"]):
        assert main(command) == 1
        err = capsys.readouterr().err
        assert "the staff app is off: set PARTNER_LOCATOR_STAFF_SECRET" in err and len(err.strip().splitlines()) == 1


def test_staff_link_prints_a_link_the_app_takes(staff_settings, staff_es, gazetteer, monkeypatch, capsys):
    monkeypatch.setenv("PARTNER_LOCATOR_STAFF_SECRET", SECRET)
    assert main(["staff-link", "--days", "3"]) == 0
    printed = capsys.readouterr().out.strip()
    assert printed.startswith("http://127.0.0.1:5001/login?token=")
    client = create_staff_app(staff_settings, es=staff_es, gazetteer=gazetteer).test_client()  # today's clock
    response = client.get(printed.removeprefix("http://127.0.0.1:5001"))
    assert response.status_code == 200 and client.get("/").status_code == 200
    morsel = _cookie(response)[COOKIE]
    expires = datetime.strptime(morsel["expires"], "%a, %d %b %Y %H:%M:%S GMT").replace(tzinfo=timezone.utc)
    assert abs(expires.timestamp() - datetime.now(timezone.utc).timestamp() - 3 * 86400) < 60


def test_the_staff_command_serves_it_under_gunicorn_and_logs_no_token(staff_settings, tmp_path):
    port, log_path = free_port(), tmp_path / "staff.log"
    env = {**os.environ, "PARTNER_LOCATOR_STAFF_SECRET": SECRET,
           "PARTNER_LOCATOR_ELASTICSEARCH_INDEX_PREFIX": staff_settings.index_prefix}
    with log_path.open("wb") as log:
        process = subprocess.Popen([sys.executable, "-m", "locator.cli", "staff", "--port", str(port)], env=env,
                                   stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                assert get(f"{base}/")[0] == 401
                break
            except OSError:
                assert process.poll() is None and time.monotonic() < deadline, log_path.read_text()
                time.sleep(0.3)
        token = issue_link(SECRET, 1, int(time.time() * 1000))
        status, headers, _ = get(f"{base}/login?token={token}")
        assert status == 200
        session = headers["Set-Cookie"].split(";")[0]
        request = urllib.request.Request(f"{base}/?from=2026-05-31&to=2026-06-03", headers={"Cookie": session})
        with urllib.request.urlopen(request, timeout=10) as response:
            assert response.status == 200 and b"What customers look for" in response.read()
        evil = urllib.request.Request(f"{base}/", headers={"Host": "evil.example"})
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(evil, timeout=10)
        assert refused.value.code == 400
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)
    assert "serving the Partner Locator staff app" in log_path.read_text()
    assert token not in log_path.read_text() and "login?" not in log_path.read_text()
