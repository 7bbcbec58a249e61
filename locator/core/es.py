"""Where Elasticsearch is, who we are there, and the one place a client is built.

A ``Connection`` (``locator.core.connection``) describes a cluster and a user. With
``ELASTICSEARCH_URL`` set it comes from ``ELASTICSEARCH_*`` (a real cluster: each process gets its
own rights, the indexer a writer, the API a reader); otherwise from the local node's files in the
state dir (written by ``locator.node``), as the user whose role matches the job: writing commands
as ``indexer``, the web app as ``reader``, its partner preview routes as ``preview`` (which alone
may read the eligibility index and the partners' own numbers), its analytics writer as ``events``
(which may only add events) and the staff commands and app as ``staff`` (which alone reads the
events); on an external cluster the last three's credentials come from ``ELASTICSEARCH_<ROLE>_*``.
The factory only turns a description into a client: it reads no file itself.
"""
from __future__ import annotations

import json
import threading
from pathlib import Path

from elastic_transport import NodePool
from elasticsearch import Elasticsearch, OrjsonSerializer

from locator.core.connection import OWN_USER_ROLES, Connection, role_variables
from locator.core.errors import ConfigError, NodeError
from locator.core.settings import ElasticsearchSettings, Settings

ROLES = ("admin", "indexer", "reader", "preview", "events", "staff")
# Used by the web apps: answer fast or fail fast (the events writer is a background thread, but it
# must not hold a batch for long either: a slow cluster means dropped events, not a growing backlog).
SERVING_ROLES = ("reader", "preview", "events", "staff")
# The local node's connection files in the state dir: written by locator.node, read here.
CREDENTIALS_FILE = "credentials.json"
NODE_FILE = "node.json"
_NOT_STARTED = "run `partner-locator es start` (or `make run`), or set ELASTICSEARCH_URL"


def read_local_credentials(state_dir: Path) -> dict[str, dict[str, str]]:
    """role -> {"username", "password"} of the local node's file-realm users."""
    path = Path(state_dir) / CREDENTIALS_FILE
    try:
        return json.loads(path.read_text())
    except FileNotFoundError:
        raise NodeError(f"the local node has no users yet ({path} is missing): {_NOT_STARTED}") from None


def read_local_record(state_dir: Path) -> dict:
    """What was last started from the state dir: ``url`` and ``port``; a cluster adds ``urls``, ``nodes``..."""
    try:
        return json.loads((Path(state_dir) / NODE_FILE).read_text())
    except FileNotFoundError:
        raise NodeError(f"the local node was never started from this state dir: {_NOT_STARTED}") from None


def read_local_urls(state_dir: Path) -> tuple[str, ...]:
    """Every node's URL: one for the single node, one per node of a local cluster."""
    record = read_local_record(state_dir)
    return tuple(record.get("urls") or [record["url"]])


def local_connection(state_dir: Path, role: str) -> Connection:
    user = read_local_credentials(state_dir).get(_checked(role))
    if user is None:  # a node whose users were made before this role existed
        raise NodeError(f"the local node has no {role} user yet: run `partner-locator es start` "
                        "(it adds missing users to a running node too)")
    return Connection(read_local_urls(state_dir), username=user["username"], password=user["password"])


def connection_for(settings: Settings, role: str) -> Connection:
    """ELASTICSEARCH_* when set (the local node is then never touched), else the local node as ``role``.

    The preview, events and staff users are separate ones on an external cluster too; without their
    settings this raises a ConfigError naming them (the web app then serves the search without
    previews, or without analytics)."""
    _checked(role)
    if not settings.connection.external:
        return local_connection(settings.state_dir, role)
    if role not in OWN_USER_ROLES:
        return settings.connection
    if role not in settings.role_connections:
        username, password, api_key = role_variables(role)
        raise ConfigError(f"{_NEEDS_OWN_USER[role]} need their own Elasticsearch user on an external cluster: set "
                          f"{username} and {password}, or {api_key}")
    return settings.role_connections[role]


_NEEDS_OWN_USER = {"preview": "previews", "events": "analytics events", "staff": "staff commands and the staff app"}


def _checked(role: str) -> str:
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}; expected one of {', '.join(ROLES)}")
    return role


def client_options(connection: Connection, timeouts: ElasticsearchSettings, role: str) -> dict:
    """Keyword arguments for ``Elasticsearch(...)``: pure, so every credential kind is unit-tested."""
    reader = _checked(role) in SERVING_ROLES
    options: dict = {
        "hosts": list(connection.hosts),
        # The API must answer 503 fast when the cluster is slow; the indexer may wait for big bulks.
        "request_timeout": timeouts.api_timeout_s if reader else timeouts.indexer_timeout_s,
        "max_retries": timeouts.max_retries,
        # A refused connection is retried on another node at once; a timeout is retried only by the
        # indexer: the API must answer 503 within about api_timeout_s, not a multiple of it.
        "retry_on_timeout": not reader,
    }
    if connection.api_key:
        options["api_key"] = connection.api_key
    elif connection.username:
        options["basic_auth"] = (connection.username, connection.password)
    if connection.ca_certs:
        options["ca_certs"] = connection.ca_certs
    return options


class ThreadSafeNodePool(NodePool):
    """elastic_transport's pool of nodes, safe for a client that threads share (the API's gthread
    workers, the indexer's bulk threads). Its ``get`` walks the live nodes while another thread's
    ``mark_dead``, ``mark_live`` or ``resurrect`` changes them, and a whole cluster coming back (every
    node dead, then resurrected) made that walk fail with "dictionary changed size during
    iteration": a RuntimeError, so a 500 (drill 4). One lock around the four; each holds it for
    microseconds (tests/unit/test_es_client.py produces the interleaving on purpose)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._lock = threading.RLock()  # get() calls resurrect() while holding it

    def get(self):
        with self._lock:
            return super().get()

    def mark_dead(self, node, *args, **kwargs) -> None:
        with self._lock:
            super().mark_dead(node, *args, **kwargs)

    def mark_live(self, node) -> None:
        with self._lock:
            super().mark_live(node)

    def resurrect(self, force: bool = False):
        with self._lock:
            return super().resurrect(force)


def make_client(connection: Connection, timeouts: ElasticsearchSettings, role: str) -> Elasticsearch:
    # orjson: bulk bodies and search responses are the hot path of both the indexer and the API.
    return Elasticsearch(**client_options(connection, timeouts, role), serializer=OrjsonSerializer(),
                         node_pool_class=ThreadSafeNodePool)


def connect(settings: Settings, role: str) -> Elasticsearch:
    """A client for ``role`` on the configured cluster: the usual way in for commands and tests."""
    return make_client(connection_for(settings, role), settings.elasticsearch, role)
