"""Shared fixtures: one real Elasticsearch for the whole run, and per-run index names.

With ``ELASTICSEARCH_URL`` set the tests use that cluster (with the given credentials for every
role); otherwise they start the local node, and stop it at the end only if they started it.
Every index a test makes starts with a per-run prefix that the shipped roles' patterns cover.
"""
from __future__ import annotations

import dataclasses
import os
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
from locator.core.connection import OWN_USER_ROLES, Connection
from locator.core.connection import role_variables as product_role_variables
from locator.core.es import connect, make_client
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


INDICES_PER_DELETE = 20  # ~80 characters a name: well inside the request line's 4,096 bytes


@pytest.fixture(scope="session")
def indexer_es(settings: Settings):
    client = connect(settings, "indexer")
    yield client
    # Wildcard deletes are refused (action.destructive_requires_name), so delete by name, a few at a
    # time: a request line holds at most 4,096 bytes (http.max_initial_line_length).
    names = sorted(client.indices.get(index=f"{settings.index_prefix}*", expand_wildcards="all"))
    for start in range(0, len(names), INDICES_PER_DELETE):
        client.indices.delete(index=",".join(names[start:start + INDICES_PER_DELETE]), ignore_unavailable=True)
    client.close()


@pytest.fixture(scope="session")
def reader_es(settings: Settings):
    client = connect(settings, "reader")
    yield client
    client.close()


# ---------------------------------------------------------------- each role's own user, for the role separation tests
# On the local node from its credentials file; on an external cluster (ELASTICSEARCH_URL) from these variables, so
# that who may read and write what is proven on the cluster a deployment uses, not only on the local node.

TEST_ROLES = ("indexer", "reader", "preview", "events", "staff")


def role_variables(role: str) -> tuple[str, str, str]:
    """The variables that give a role's user on an external cluster: (username, password, api key)."""
    stem = f"PARTNER_LOCATOR_TEST_{role.upper()}"
    return f"{stem}_USERNAME", f"{stem}_PASSWORD", f"{stem}_API_KEY"


def external_role_connection(settings: Settings, role: str, environ) -> Connection | None:
    """``role``'s user on the external cluster, from PARTNER_LOCATOR_TEST_<ROLE>_* (the preview user also from the
    product's own ELASTICSEARCH_PREVIEW_*); None when they are not given."""
    username, password, api_key = (environ.get(name) or None for name in role_variables(role))
    if api_key:
        return dataclasses.replace(settings.connection, username=None, password=None, api_key=api_key)
    if username and password:
        return dataclasses.replace(settings.connection, username=username, password=password, api_key=None)
    return settings.role_connections.get(role)


def _how_to_give(role: str) -> str:
    username, password, api_key = role_variables(role)
    own_username, own_password, own_api_key = product_role_variables(role)
    also = f", or {own_username} + {own_password} or {own_api_key}" if role in OWN_USER_ROLES else ""
    return f"{role}: {username} + {password} (or {api_key}{also})"


_ROLES_NOT_VERIFIED: set[str] = set()  # roles whose credentials an external cluster run lacked (terminal summary)


@pytest.fixture(scope="session")
def role_clients(settings: Settings):
    """role -> a client as that role's own user ("indexer", "reader", "preview"); the tests that use it skip on
    an external cluster without the credentials, and the run's summary then says so loudly."""
    if settings.connection.external:
        connections = {role: external_role_connection(settings, role, os.environ) for role in TEST_ROLES}
        missing = [role for role, connection in connections.items() if connection is None]
        if missing:
            _ROLES_NOT_VERIFIED.update(missing)
            pytest.skip(f"role separation NOT verified on the external cluster: no credentials for "
                        f"{', '.join(missing)}; set {'; '.join(_how_to_give(role) for role in missing)}")
        clients = {role: make_client(connection, settings.elasticsearch, role) for role, connection in connections.items()}
    else:
        clients = {role: connect(settings, role) for role in TEST_ROLES}
    yield clients
    for client in clients.values():
        client.close()


def pytest_terminal_summary(terminalreporter) -> None:
    if not _ROLES_NOT_VERIFIED:
        return
    write = lambda line: terminalreporter.write_line(line, red=True, bold=True)  # noqa: E731
    terminalreporter.section("ROLE SEPARATION NOT VERIFIED", sep="!", red=True, bold=True)
    write("Role separation was NOT verified on the external cluster (ELASTICSEARCH_URL): the tests that prove the")
    write("reader cannot write or read the eligibility index, and the preview user reads only that, were SKIPPED.")
    write("Give each role's own user (README: Pointing at a real cluster):")
    for role in TEST_ROLES:
        if role in _ROLES_NOT_VERIFIED:
            write(f"  {_how_to_give(role)}")


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

    # The web app connects as the read-only user, as in production.
    return create_app(listed_sample.settings, es=connect(listed_sample.settings, "reader"), gazetteer=gazetteer)


@pytest.fixture
def api(api_app):
    return api_app.test_client()
