"""Fixtures for API tests: one realistic sample, indexed once per run, served by the real app.

``listed_sample.documents`` is the ground truth: every listed document as Elasticsearch holds it
(fetched with the indexer's rights), so tests compare the API against brute-force computations.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest

from indexer.pipeline import IndexOptions, run_index
from indexer.program import load_program
from indexer.sample import generate
from indexer.sitelocator import SiteLocator
from indexer.geocode import GazetteerGeocoder
from locator.gazetteer import Gazetteer
from locator.mapping import sites_alias
from tests.conftest import with_index_prefix

SAMPLE_SITES = 4000
SAMPLE_SEED = 11
SAMPLE_AS_OF = date(2026, 6, 1)


@dataclass
class ListedSample:
    prefix: str
    settings: object
    documents: dict  # site_id -> _source


@pytest.fixture(scope="session")
def gazetteer(base_settings) -> Gazetteer:
    return Gazetteer.open(base_settings.cache_dir)


@pytest.fixture(scope="session")
def listed_sample(settings, indexer_es, gazetteer) -> ListedSample:
    prefix = f"{settings.index_prefix}-api"
    lines = enumerate(generate(SAMPLE_SITES, SAMPLE_SEED, gazetteer=gazetteer, as_of=SAMPLE_AS_OF), start=1)
    run_index(indexer_es, prefix, lines, load_program(), lambda: SiteLocator(gazetteer, GazetteerGeocoder(gazetteer)),
              IndexOptions(as_of=SAMPLE_AS_OF))
    hits = indexer_es.search(index=sites_alias(prefix), size=10_000, query={"match_all": {}})["hits"]["hits"]
    return ListedSample(prefix, with_index_prefix(settings, prefix), {hit["_id"]: hit["_source"] for hit in hits})


@pytest.fixture(scope="session")
def api_app(listed_sample, gazetteer):
    from locator.api import create_app
    from locator.es import make_client

    # The web app connects as the read-only user, as in production.
    return create_app(listed_sample.settings, es=make_client(listed_sample.settings, "reader"), gazetteer=gazetteer)


@pytest.fixture
def api(api_app):
    return api_app.test_client()
