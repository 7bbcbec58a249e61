"""The one place an Elasticsearch client is built.

Credentials come from ``ELASTICSEARCH_*`` when ``ELASTICSEARCH_URL`` is set (a real cluster: each
process gets its own, the indexer a writer, the API a reader); otherwise from the local node, as the
user whose role matches the job: writing commands as ``indexer``, the web app as ``reader``.
"""
from __future__ import annotations

from elasticsearch import Elasticsearch, OrjsonSerializer

from locator import localnode
from locator.settings import Settings

# The API must answer 503 fast when the cluster is slow; the indexer may wait for big bulk requests.
_TIMEOUT_SETTING = {"reader": "api_timeout_s", "indexer": "indexer_timeout_s", "admin": "indexer_timeout_s"}


def client_options(settings: Settings, role: str) -> dict:
    """Keyword arguments for ``Elasticsearch(...)``: pure, so every credential kind is unit-tested."""
    if role not in _TIMEOUT_SETTING:
        raise ValueError(f"unknown role {role!r}; expected one of {sorted(_TIMEOUT_SETTING)}")
    es = settings.elasticsearch
    options = {
        "request_timeout": es[_TIMEOUT_SETTING[role]],
        "max_retries": es["max_retries"],
        # A refused connection is retried on another node at once; a timeout is retried only by the
        # indexer: the API must answer 503 within about api_timeout_s, not a multiple of it.
        "retry_on_timeout": role != "reader",
    }
    connection = settings.connection
    if connection.external:
        options["hosts"] = list(connection.urls)
        if connection.api_key:
            options["api_key"] = connection.api_key
        elif connection.username:
            options["basic_auth"] = (connection.username, connection.password)
        if connection.ca_certs:
            options["ca_certs"] = connection.ca_certs
        return options
    paths = localnode.paths_for(settings)
    user = localnode.read_credentials(paths)[role]
    options["hosts"] = [localnode.node_url(paths)]
    options["basic_auth"] = (user["username"], user["password"])
    return options


def make_client(settings: Settings, role: str) -> Elasticsearch:
    # orjson: bulk bodies and search responses are the hot path of both the indexer and the API.
    return Elasticsearch(**client_options(settings, role), serializer=OrjsonSerializer())
