"""Shared fixtures: one real Elasticsearch for the whole run, and per-run index names.

With ``ELASTICSEARCH_URL`` set the tests use that cluster (with the given credentials for every
role); otherwise they start the local node, and stop it at the end only if they started it.
Every index a test makes starts with a per-run prefix that the shipped roles' patterns cover.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

import pytest

from indexer.geocode import GazetteerGeocoder
from indexer.pipeline import IndexOptions, run_index
from indexer.program import load_program
from indexer.sample import generate
from indexer.sitelocator import SiteLocator
from locator.node import cluster as localcluster
from locator.node import files as localnode
from locator.node import process as nodeprocess
from locator.core.gazetteer import Gazetteer
from locator.core.mapping import sites_alias
from locator.core.es import connect
from locator.core.settings import Settings, load_settings


def pytest_collection_modifyitems(items):
    for item in items:
        if "/integration/" in str(item.fspath) or "/cluster/" in str(item.fspath):
            item.add_marker(pytest.mark.integration)


@pytest.fixture(scope="session")
def base_settings() -> Settings:
    return load_settings()


@pytest.fixture(scope="session")
def es_node(base_settings: Settings):
    """Make sure a cluster is there; yields True when it is the project's local node."""
    if base_settings.connection.external:
        yield False
        return
    node = base_settings.local_node
    paths = localnode.paths_for(base_settings)
    topology = localcluster.recorded(paths)
    if topology is not None:  # the developer's state dir holds a cluster: use (and complete) it
        started = localcluster.start(paths, topology, node.heap, node.start_timeout_s)
        yield True
        for number in started:
            localcluster.stop(paths, number)
        return
    _, started = nodeprocess.start(paths, node.port, node.heap, node.start_timeout_s)
    yield True
    if started:
        nodeprocess.stop(paths)


@pytest.fixture(scope="session")
def settings(base_settings: Settings, es_node) -> Settings:
    """Settings whose index prefix is unique to this test run, without the per-client budget: the
    suite sends hundreds of requests a minute from one address (the budget has its own tests)."""
    prefix = f"{base_settings.index_prefix}-test-{uuid.uuid4().hex[:8]}"
    return with_index_prefix(base_settings, prefix).replace("api", rate_limit="")


def with_index_prefix(settings: Settings, prefix: str) -> Settings:
    return settings.replace("elasticsearch", index_prefix=prefix)


@pytest.fixture(scope="session")
def indexer_es(settings: Settings):
    client = connect(settings, "indexer")
    yield client
    # Wildcard deletes are refused (action.destructive_requires_name), so delete by name.
    names = list(client.indices.get(index=f"{settings.index_prefix}*", expand_wildcards="all"))
    if names:
        client.indices.delete(index=",".join(names))
    client.close()


@pytest.fixture(scope="session")
def reader_es(settings: Settings):
    client = connect(settings, "reader")
    yield client
    client.close()


# ---------------------------------------------------------------- one realistic sample for API and browser tests
# listed_sample.documents is the ground truth: every listed document as Elasticsearch holds it
# (fetched with the indexer's rights), so tests compare the API against brute-force computations.

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
    from locator.core.es import connect

    # The web app connects as the read-only user, as in production.
    return create_app(listed_sample.settings, es=connect(listed_sample.settings, "reader"), gazetteer=gazetteer)


@pytest.fixture
def api(api_app):
    return api_app.test_client()
