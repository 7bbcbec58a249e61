"""The sitemap's stream of listed sites is whole or fails: it ends on the count the caller knows, a
short page before that count or a page from only part of the shards raises, and the point in time
is always closed. Against a scripted Elasticsearch client (the real node: tests/integration)."""
from types import SimpleNamespace

import pytest

from locator.api.service import IncompleteListing, SearchService
from locator.core.settings import load_settings

PAGE_SIZE = 3
EVERY_SHARD = {"total": 2, "successful": 2, "skipped": 0, "failed": 0}


def page(*ids: str, shards: dict = EVERY_SHARD) -> dict:
    return {"pit_id": "pit", "_shards": shards, "hits": {"hits": [{"sort": [site_id], "_source": {}} for site_id in ids]}}


class ScriptedElasticsearch:
    """Answers the searches from a list of pages, and records what was asked."""

    def __init__(self, *pages: dict):
        self.pages, self.sizes, self.closed = list(pages), [], 0

    def open_point_in_time(self, index: str, keep_alive: str) -> dict:
        return {"id": "pit"}

    def search(self, **body):
        assert body["allow_partial_search_results"] is False and "_shards" in body["filter_path"].split(",")
        self.sizes.append(body["size"])
        return SimpleNamespace(body=self.pages.pop(0))

    def close_point_in_time(self, id: str) -> None:
        self.closed += 1


def service(es) -> SearchService:
    return SearchService(es, None, load_settings({}).replace("pages", sitemap_page_size=PAGE_SIZE))


def test_the_stream_ends_on_the_known_count():
    es = ScriptedElasticsearch(page("S1", "S2", "S3"), page("S4", "S5", "S6"), page("S7"))
    assert [site["site_id"] for site in service(es).listed_sites("idx", 7)] == [f"S{n}" for n in range(1, 8)]
    assert es.sizes == [3, 3, 1] and es.closed == 1  # never asks past the count


def test_a_short_page_before_the_known_count_raises_after_what_was_sent():
    es = ScriptedElasticsearch(page("S1", "S2", "S3"), page("S4"))  # 7 known, the second page stops at 4
    sites = service(es).listed_sites("idx", 7)
    sent = []
    with pytest.raises(IncompleteListing, match="1 of 3, after 3 of the 7"):
        for site in sites:
            sent.append(site["site_id"])
    assert sent == ["S1", "S2", "S3"] and es.closed == 1


def test_a_short_first_page_raises_before_anything_is_sent():
    es = ScriptedElasticsearch(page("S1"))
    with pytest.raises(IncompleteListing):
        service(es).listed_sites("idx", 7)  # the call itself: the view can still answer 503
    assert es.closed == 1


@pytest.mark.parametrize("shards", [{"total": 2, "successful": 1, "skipped": 0, "failed": 1},
                                    {"total": 2, "successful": 1, "skipped": 0, "failed": 0}, None])
def test_a_page_from_only_part_of_the_shards_raises(shards):
    partial = page("S4", "S5", "S6", shards=shards)
    if shards is None:
        del partial["_shards"]
    es = ScriptedElasticsearch(page("S1", "S2", "S3"), partial)
    with pytest.raises(IncompleteListing, match="part of the shards"):
        list(service(es).listed_sites("idx", 6))
    assert es.closed == 1


def test_nothing_known_asks_nothing():
    es = ScriptedElasticsearch()
    assert list(service(es).listed_sites("idx", 0)) == [] and es.sizes == []
