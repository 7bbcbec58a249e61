"""Each Elasticsearch failure, produced on purpose on the real node, answered by the one table
(``locator.core.es_failures``) the same way everywhere: the API, the search page, a site page,
the sitemap. Passing failures are a 503 with Retry-After; an operator's are a 500, logged at ERROR
naming the cause. Never a 200 without results, never Elasticsearch's internals in the answer.
"""
from __future__ import annotations

import logging
import re
import uuid

import pytest
from elasticsearch import Elasticsearch

from locator.api import create_app
from locator.core.es import client_options, connect, connection_for
from locator.core.mapping import CREATE_SETTINGS, SITE_MAPPING, sites_alias
from tests.conftest import with_index_prefix

INTERNALS = re.compile(r"Traceback|_shards|root_cause|caused_by|search_phase|security_exception|"
                       r"index_not_found|query_shard|partner-locator", re.I)
SEARCH = "/api/v1/partners?near=Aarhus&radius_km=100"
PAGES = {"api": SEARCH, "search page": "/?near=Aarhus&radius_km=100", "site page": "/sites/S0000001/x",
         "sitemap": "/sitemap.xml", "markers": "/api/v1/partners/markers?bbox=54,7,58,13&zoom=5",
         "suggest": "/api/v1/suggest?q=Nordlys"}
HTML = {"search page", "site page"}


@pytest.fixture
def state(settings, indexer_es, gazetteer):
    """An app reading an alias of its own, and a way to put that alias into a failing state."""
    prefix = f"{settings.index_prefix}-fail{uuid.uuid4().hex[:6]}"
    made = []

    def app(es: Elasticsearch | None = None):
        ours = with_index_prefix(settings, prefix)
        return create_app(ours, es=es or connect(ours, "reader"), gazetteer=gazetteer).test_client()

    def index_behind_alias(mapping: dict, **index_settings) -> None:
        name = f"{prefix}-sites-{uuid.uuid4().hex[:6]}"
        indexer_es.indices.create(index=name, settings={**CREATE_SETTINGS, **index_settings}, mappings=mapping,
                                  wait_for_active_shards="0", aliases={sites_alias(prefix): {}})
        made.append(name)

    app.index_behind_alias = index_behind_alias
    yield app
    if made:
        indexer_es.indices.delete(index=",".join(made), ignore_unavailable=True)


class _Records(logging.Handler):
    def __init__(self):
        super().__init__(logging.INFO)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(f"{record.levelname} {record.getMessage()}")


def answers(client) -> dict:
    """Each page's answer, and the project's log lines meanwhile ("LEVEL message")."""
    logger, records = logging.getLogger("partner_locator"), _Records()
    level, logger.level = logger.level, logging.INFO
    logger.addHandler(records)
    try:
        got = {name: client.get(url, headers={"Accept": "text/html" if name in HTML else "application/json"})
               for name, url in PAGES.items()}
    finally:
        logger.removeHandler(records)
        logger.setLevel(level)
    return {"responses": got, "log": "\n".join(records.lines)}


def assert_all(seen: dict, status: int, *names: str) -> None:
    for name in names or PAGES:
        response = seen["responses"][name]
        assert response.status_code == status, (name, response.status_code)
        assert response.headers["Cache-Control"] == "no-store", name  # no cache keeps a failure
        assert not INTERNALS.search(response.get_data(as_text=True)), name
        if status == 503:
            assert response.headers["Retry-After"] == "1", name
        expected = "text/html" if name in HTML else "application/json"
        assert response.mimetype == expected, name


def test_shards_not_assigned_yet_are_a_503_everywhere(state):
    # As while a cluster comes back: the index exists, its only shard is on no node ("all shards failed").
    state.index_behind_alias(SITE_MAPPING, **{"index.routing.allocation.require._name": "no-such-node"})
    seen = answers(state())
    assert_all(seen, 503)
    assert "503" in seen["log"] and "search_phase_execution_exception" in seen["log"]


def test_no_index_behind_the_alias_for_a_moment_is_a_503_everywhere(state):
    seen = answers(state())  # the alias is not there at all (as for the moment of a swap)
    assert_all(seen, 503)
    assert "index_not_found_exception" in seen["log"]


def test_credentials_refused_are_a_503_and_an_error_in_the_log(state, settings):
    reader = connection_for(settings, "reader")
    wrong = Elasticsearch(**{**client_options(reader, settings.elasticsearch, "reader"),
                             "basic_auth": (reader.username, "not-the-password")})
    seen = answers(state(wrong))
    assert_all(seen, 503, "api", "search page", "site page", "markers")
    assert "ERROR" in seen["log"] and "401" in seen["log"] and "credentials" in seen["log"]


def test_a_role_without_the_rights_is_a_500_logged_as_the_operators(state, settings):
    state.index_behind_alias(SITE_MAPPING)
    preview_user = connect(with_index_prefix(settings, "x"), "preview")  # reads the eligibility index only
    seen = answers(state(preview_user))
    assert_all(seen, 500, "api", "search page", "site page", "markers")
    assert "ERROR" in seen["log"] and "403" in seen["log"] and "lacks a privilege" in seen["log"]


def test_a_query_the_mapping_cannot_answer_is_a_500_logged_as_the_operators(state):
    # The alias points at an index whose mapping is not the code's: its geo query is refused (400).
    wrong = {**SITE_MAPPING, "properties": {**SITE_MAPPING["properties"], "location": {"type": "keyword"}}}
    state.index_behind_alias(wrong)
    seen = answers(state())
    assert_all(seen, 500, "api", "search page")
    assert "ERROR" in seen["log"] and "400" in seen["log"]


def test_the_search_page_with_a_search_never_answers_200_without_results_when_elasticsearch_failed(state):
    page = answers(state())["responses"]["search page"]
    assert page.status_code == 503 and 'id="initial-response"' not in page.get_data(as_text=True)
    assert state().get("/").status_code == 200  # the page without a search needs no Elasticsearch
