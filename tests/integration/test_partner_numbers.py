"""Partners' own numbers on the real node: the daily rollup counts each listed site's last 30 and
90 days exactly (first pages only, each interaction type), drops sites that have none any more, and
the preview shows them (or "no data yet"); retention deletes exactly the expired months."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from locator.analytics.rollup import rollup, stats_index
from locator.analytics.store import EventStore, prune
from locator.api import create_app
from locator.core import preview_tokens
from locator.core.es import connect
from locator.core.events import EVENTS_MAPPING, events_index, events_pattern
from tests.conftest import with_index_prefix
from tests.previews import SECRET, index_preview_export, run_cli

pytestmark = pytest.mark.integration
NOW = datetime(2026, 12, 6, 12, 0, tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def indexed(settings, indexer_es, tmp_path_factory):
    return index_preview_export(settings, tmp_path_factory.mktemp("numbers"))


@pytest.fixture(scope="module")
def prefix(indexed):
    return indexed[0]


def event(days_ago: float, kind: str, site: str | None = None, shown=(), page: int = 1) -> tuple[str, str, dict]:
    moment = NOW - timedelta(days=days_ago)
    document = {"minute": moment.strftime("%Y-%m-%dT%H:%M:00Z"), "type": kind, "answer": "a" * 16, "site_id": site,
                "lang": "en", "source": "direct", "kind": "place", "country": "DK", "page": page, "total": 3,
                "zero": False, "nearest": False, "sites_shown": list(shown)}
    return moment, document


def write(es, prefix: str, events: list) -> None:
    batch = [(events_index(prefix, moment), f"e{number}", document) for number, (moment, document) in enumerate(events)]
    assert EventStore(es).write(batch) == len(batch)
    es.indices.refresh(index=events_pattern(prefix))


@pytest.fixture(scope="module")
def rolled_up(indexer_es, prefix):
    write(indexer_es, prefix, [
        *[event(days, "search", shown=["DK-1", "DK-2"]) for days in (1, 2, 29)],
        event(45, "search", shown=["DK-1"]),                 # in 90 days only
        event(3, "search", shown=["DK-1"], page=2),          # a later page: not "shown" again
        event(120, "search", shown=["P2-1"]),                # older than 90 days: P2-1 has no numbers
        event(1, "phone", "DK-1"), event(40, "phone", "DK-1"), event(2, "detail", "DK-1"),
        event(5, "site_page", "DK-2"), event(6, "directions", "DK-2"),
    ])
    return rollup(indexer_es, prefix, NOW)


def stats(es, prefix: str) -> dict[str, dict]:
    hits = es.search(index=stats_index(prefix), size=100)["hits"]["hits"]
    return {hit["_id"]: hit["_source"] for hit in hits}


def test_the_rollup_counts_each_sites_last_30_and_90_days(indexer_es, prefix, rolled_up):
    found = stats(indexer_es, prefix)
    assert rolled_up == 2 and set(found) == {"DK-1", "DK-2"}
    one, two = found["DK-1"], found["DK-2"]
    assert (one["days_30"]["shown"], one["days_90"]["shown"]) == (3, 4)
    assert (one["days_30"]["phone"], one["days_90"]["phone"], one["days_30"]["detail"]) == (1, 2, 1)
    assert (two["days_30"]["shown"], two["days_30"]["site_page"], two["days_30"]["directions"]) == (3, 1, 1)
    assert two["days_90"]["email"] == 0 and one["as_of"] == "2026-12-06T12:00:00Z"


def test_a_later_rollup_drops_sites_without_events_in_90_days(indexer_es, prefix, rolled_up):
    later = NOW + timedelta(days=95)  # the newest event (a day old) is now 96 days old
    assert rollup(indexer_es, prefix, later) == 0
    assert stats(indexer_es, prefix) == {}
    rollup(indexer_es, prefix, NOW)  # back as it was for the other tests


def test_the_preview_shows_each_listed_sites_numbers_or_no_data_yet(indexed, prefix, rolled_up, settings, gazetteer):
    preview_settings = with_index_prefix(settings, prefix).replace("preview", secret=SECRET)
    app = create_app(preview_settings, es=connect(preview_settings, "reader"), gazetteer=gazetteer,
                     preview_es=connect(preview_settings, "preview"))
    client = app.test_client()
    answer = client.get("/api/v1/preview", headers={"Authorization": f"Bearer {preview_tokens.issue(SECRET, 'P1', None, 1)}"})
    facts = answer.get_json()
    assert facts["numbers_as_of"] == "2026-12-06T12:00:00Z"
    denmark = next(country for country in facts["countries"] if country["country"] == "DK")
    numbers = {site["site_id"]: site for site in denmark["numbers"]}
    assert numbers["DK-1"]["has_data"] and numbers["DK-1"]["days_90"]["phone"] == 2
    other = client.get("/preview", query_string={"token": preview_tokens.issue(SECRET, "P2", None, 1)}).get_data(as_text=True)
    assert "no data yet" in other and 'data-site-id="P2-1" data-days="30"' in other
    page = client.get("/preview", query_string={"token": preview_tokens.issue(SECRET, "P1", "DK", 1)}).get_data(as_text=True)
    assert 'data-site-id="DK-1" data-days="90"' in page and "How customers found your listed sites" in page


def test_prune_deletes_exactly_the_months_older_than_the_retention(indexer_es, settings):
    prefix = f"{settings.index_prefix}-prune"
    months = [f"{year}.{month:02d}" for year in (2025, 2026) for month in range(1, 13)]
    for month in months:
        indexer_es.indices.create(index=f"{prefix}-events-{month}", mappings=EVENTS_MAPPING)
    other = f"{prefix}-events-x-events-2020.01"  # a name the pattern matches, not one of this prefix's months
    indexer_es.indices.create(index=other)
    deleted = prune(indexer_es, prefix, NOW.date(), retention_months=13)
    assert deleted == [f"{prefix}-events-{month}" for month in months[:11]]  # 2025.01-2025.11; 2025.12 is the 13th
    left = sorted(indexer_es.indices.get(index=events_pattern(prefix)))
    assert left == sorted([other] + [f"{prefix}-events-{month}" for month in months[11:]])
    run = run_cli(prefix, "analytics", "prune", "--at", "2027-02-01")  # the same, from cron, two months later
    assert run.code == 0 and f"{prefix}-events-2025.12, {prefix}-events-2026.01" in run.out


def test_the_rollup_command_reports_and_prunes(prefix, rolled_up):
    run = run_cli(prefix, "analytics", "rollup", "--at", "2026-12-06T12:00:00")
    assert run.code == 0, run.err
    assert "rollup: 2 sites with numbers as of 2026-12-06 12:00 UTC" in run.out and "prune: kept the last 13 months" in run.out
