"""The staff app in Chromium: signed in with a staff link, the dashboard over a realistic month of
handmade events (a few thousand) has no accessibility violation at all (axe, every impact), no
Content-Security-Policy violation and no page error (the ``page`` fixture fails on either), and its
map draws a circle per searched place; in two languages. The 401 page too.

``PARTNER_LOCATOR_DOCS_SCREENSHOT=1`` also writes the dashboard's picture to docs/staff-dashboard.png
(otherwise to the test's temporary directory, so that a test run leaves the checkout as it was).
"""
from __future__ import annotations

import json
import uuid
from datetime import datetime, timedelta, timezone

import pytest

from tests.analytics_events import realistic_events, store_events
from tests.browser.staff import all_violations, picture, serve_staff
from tests.browser.staff import sign_in as sign_in_with_a_link
from tests.browser.test_accessibility import axe_source  # noqa: F401 - a fixture

pytestmark = [pytest.mark.browser, pytest.mark.integration]

# The browser keeps the cookie only until it expires, by its own clock: the app runs on today's, and
# the events fill the default period (the last 30 days, today included).
FIRST_DAY = datetime.now(timezone.utc).date() - timedelta(days=29)


@pytest.fixture(scope="module")
def staff_server(settings, indexer_es, gazetteer):
    prefix = f"{settings.index_prefix}-stui{uuid.uuid4().hex[:6]}"
    stored = store_events(indexer_es, realistic_events(prefix, FIRST_DAY, 30, 100, seed=18))
    assert 4000 < stored < 8000
    server = serve_staff(settings, gazetteer, prefix)
    yield server
    server.stop()


def sign_in(page, server, lang: str) -> None:
    sign_in_with_a_link(page, server, lang)
    page.locator("#staff-map[data-drawn]").wait_for()


@pytest.mark.parametrize("lang", ["en", "de"])
def test_the_dashboard_has_no_accessibility_violation(page, staff_server, axe_source, lang):
    sign_in(page, staff_server, lang)
    assert page.locator("html").get_attribute("lang") == lang
    page.locator("details.numbers").first.locator("summary").click()  # an open table is checked too
    assert all_violations(page, axe_source) == []


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_the_map_draws_a_circle_per_searched_place(page, staff_server, lang):
    sign_in(page, staff_server, lang)
    points = json.loads(page.locator("#staff-map-data").text_content())
    assert 10 < len(points) <= 50
    assert page.locator("#staff-map").get_attribute("data-drawn") == str(len(points))
    assert page.locator("#staff-map path.searched-area").count() == len(points)
    assert page.locator("#staff-map path.band-0").count() > 0  # coloured by zero-result rate
    rows = page.locator("#places-table tbody tr").count()
    assert rows in (len(points), len(points) + 1)  # and the table: the same places (and "other")


def test_the_charts_are_server_drawn_images_with_their_numbers_in_tables(page, staff_server):
    sign_in(page, staff_server, "en")
    charts = page.locator("svg.chart")
    assert charts.count() >= 9
    for index in range(charts.count()):
        assert charts.nth(index).get_attribute("role") == "img"
        assert charts.nth(index).locator("title").text_content()
    assert page.locator("#per-day-table tbody tr").count() == 30


def test_the_period_form_and_the_csv_link_keep_the_range(page, staff_server):
    sign_in(page, staff_server, "en")
    first, last = FIRST_DAY + timedelta(days=10), FIRST_DAY + timedelta(days=16)
    page.fill("#from", first.isoformat())
    page.fill("#to", last.isoformat())
    page.click("form.period button[type=submit]")
    page.wait_for_url(f"**/?from={first}&to={last}*")
    assert page.locator("#per-day-table tbody tr").count() == 7
    assert page.locator("a[download]").get_attribute("href") == f"/report.csv?from={first}&to={last}&lang=en"


@pytest.mark.parametrize("lang", ["en", "de"])
def test_the_sign_in_page_without_a_session_is_accessible_too(page, staff_server, axe_source, lang):
    response = page.goto(f"{staff_server.url}/?lang={lang}")
    assert response.status == 401
    assert all_violations(page, axe_source) == []


def test_a_picture_of_the_dashboard(page, staff_server, tmp_path):
    page.set_viewport_size({"width": 1366, "height": 900})
    sign_in(page, staff_server, "en")
    page.wait_for_timeout(300)  # the map's fit-to-bounds settles
    width, height = picture(page, "staff-dashboard.png", tmp_path)
    assert width == 1366 and height > 2000
