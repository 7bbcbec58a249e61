"""The client factory, for every credential kind (the local node cannot issue API keys)."""
import json
import threading
from pathlib import Path

import pytest
from elasticsearch import Elasticsearch

from locator.core.errors import ConfigError, NodeError
from locator.core.es import client_options, connect, connection_for, local_connection, make_client
from locator.core.settings import load_settings

EXTERNAL = {"ELASTICSEARCH_URL": "https://es1.example:9243,https://es2.example:9243"}


def options_for(environ: dict, role: str) -> dict:
    """The client options a process with this environment gets for ``role``."""
    settings = load_settings(environ)
    return client_options(connection_for(settings, role), settings.elasticsearch, role)


def test_api_key_from_the_environment():
    options = options_for({**EXTERNAL, "ELASTICSEARCH_API_KEY": "a2V5OnNlY3JldA=="}, "reader")
    assert options["hosts"] == ["https://es1.example:9243", "https://es2.example:9243"]
    assert options["api_key"] == "a2V5OnNlY3JldA=="
    assert "basic_auth" not in options


def test_basic_auth_and_ca_certs_from_the_environment(tmp_path: Path):
    ca = tmp_path / "ca.pem"
    ca.write_text("-----BEGIN CERTIFICATE-----\n")
    environ = {**EXTERNAL, "ELASTICSEARCH_USERNAME": "locator", "ELASTICSEARCH_PASSWORD": "s3cret", "ELASTICSEARCH_CA_CERTS": str(ca)}
    options = options_for(environ, "indexer")
    assert options["basic_auth"] == ("locator", "s3cret")
    assert options["ca_certs"] == str(ca)


def test_no_credentials_means_an_open_cluster():
    options = options_for(EXTERNAL, "reader")
    assert "basic_auth" not in options and "api_key" not in options


def test_the_api_fails_fast_and_the_indexer_waits_longer_and_retries_timeouts():
    environ = {**EXTERNAL, "PARTNER_LOCATOR_ELASTICSEARCH_API_TIMEOUT_S": "0.8"}
    reader, indexer = options_for(environ, "reader"), options_for(environ, "indexer")
    assert reader["request_timeout"] == 0.8
    assert indexer["request_timeout"] > reader["request_timeout"]
    assert indexer["retry_on_timeout"] and not reader["retry_on_timeout"]  # a slow cluster: 503 in ~1 timeout
    assert reader["max_retries"] == indexer["max_retries"] == 2  # a refused connection still tries another node


def _local_state(tmp_path: Path) -> dict:
    (tmp_path / "credentials.json").write_text(json.dumps(
        {role: {"username": f"pl_{role}", "password": f"pw-{role}"} for role in ("admin", "indexer", "reader")}))
    (tmp_path / "node.json").write_text(json.dumps({"url": "http://127.0.0.1:9311", "port": 9311}))
    return {"PARTNER_LOCATOR_LOCAL_NODE_STATE_DIR": str(tmp_path)}


@pytest.mark.parametrize("role", ["reader", "indexer", "admin"])
def test_without_elasticsearch_url_each_role_gets_its_own_local_user(tmp_path: Path, role):
    options = options_for(_local_state(tmp_path), role)
    assert options["hosts"] == ["http://127.0.0.1:9311"]
    assert options["basic_auth"] == (f"pl_{role}", f"pw-{role}")


def test_with_elasticsearch_url_the_local_node_is_not_touched(tmp_path: Path):
    environ = {**_local_state(tmp_path), **EXTERNAL, "ELASTICSEARCH_API_KEY": "k"}
    assert options_for(environ, "reader")["hosts"] == list(EXTERNAL["ELASTICSEARCH_URL"].split(","))


def test_a_local_node_never_started_is_a_clear_error(tmp_path: Path):
    with pytest.raises(NodeError, match="partner-locator es start"):
        options_for({"PARTNER_LOCATOR_LOCAL_NODE_STATE_DIR": str(tmp_path)}, "reader")


def test_unknown_role_is_refused():
    with pytest.raises(ValueError, match="unknown role"):
        options_for(EXTERNAL, "writer")
    settings = load_settings(EXTERNAL)
    with pytest.raises(ValueError, match="unknown role"):
        make_client(settings.connection, settings.elasticsearch, "writer")


def test_make_client_builds_a_client_for_an_api_key_without_network():
    client = connect(load_settings({**EXTERNAL, "ELASTICSEARCH_API_KEY": "a2V5OnNlY3JldA=="}), "reader")
    assert isinstance(client, Elasticsearch)
    assert client._headers["authorization"] == "ApiKey a2V5OnNlY3JldA=="


def test_the_preview_routes_use_their_own_user_and_the_apis_fast_timeouts():
    environ = {**EXTERNAL, "ELASTICSEARCH_USERNAME": "reader", "ELASTICSEARCH_PASSWORD": "r",
               "ELASTICSEARCH_PREVIEW_USERNAME": "preview", "ELASTICSEARCH_PREVIEW_PASSWORD": "p"}
    preview, reader = options_for(environ, "preview"), options_for(environ, "reader")
    assert preview["basic_auth"] == ("preview", "p") and reader["basic_auth"] == ("reader", "r")
    assert preview["request_timeout"] == reader["request_timeout"] and not preview["retry_on_timeout"]


def test_without_preview_credentials_the_error_names_the_settings():
    settings = load_settings({**EXTERNAL, "ELASTICSEARCH_USERNAME": "reader", "ELASTICSEARCH_PASSWORD": "r"})
    with pytest.raises(ConfigError, match="ELASTICSEARCH_PREVIEW_USERNAME and ELASTICSEARCH_PREVIEW_PASSWORD, or "
                                          "ELASTICSEARCH_PREVIEW_API_KEY"):
        connection_for(settings, "preview")


def test_a_local_node_made_before_the_preview_user_says_how_to_add_it(tmp_path: Path):
    (tmp_path / "credentials.json").write_text(json.dumps({"reader": {"username": "pl_reader", "password": "x"}}))
    (tmp_path / "node.json").write_text(json.dumps({"url": "http://127.0.0.1:9200"}))
    settings = load_settings({"PARTNER_LOCATOR_LOCAL_NODE_STATE_DIR": str(tmp_path)})
    assert connection_for(settings, "reader").username == "pl_reader"
    with pytest.raises(NodeError, match="no preview user yet: run `partner-locator es start`"):
        connection_for(settings, "preview")


def test_the_local_clients_know_every_node_of_a_local_cluster(tmp_path):
    (tmp_path / "credentials.json").write_text('{"reader": {"username": "pl_reader", "password": "x"}}')
    (tmp_path / "node.json").write_text('{"url": "http://127.0.0.1:9200", "port": 9200, "nodes": 2, '
                                        '"urls": ["http://127.0.0.1:9200", "http://127.0.0.1:9201"], "transport_port": 9300}')
    connection = local_connection(tmp_path, "reader")
    assert connection.hosts == ("http://127.0.0.1:9200", "http://127.0.0.1:9201")
    (tmp_path / "node.json").write_text('{"url": "http://127.0.0.1:9200", "port": 9200}')  # a single node's record
    assert local_connection(tmp_path, "reader").hosts == ("http://127.0.0.1:9200",)


# ---------------------------------------------------------------- a client that threads share


class _SteppingNodes(dict):
    """The pool's live nodes, whose walk stops after the first one until ``between()`` returns: the
    moment another thread's request finds a node dead (as when a whole cluster comes back)."""

    def __init__(self, nodes: dict, between):
        super().__init__(nodes)
        self.between = between

    def items(self):
        for number, item in enumerate(super().items()):  # a real dict walk: it fails if changed meanwhile
            if number == 1:
                self.between()
            yield item


def _pool_walked_while_a_node_dies(pool_class) -> BaseException | None:
    """One thread picks a node while another marks one dead in the middle of that pick; what the
    picking thread raised, if anything."""
    client = Elasticsearch(hosts=["http://127.0.0.1:1", "http://127.0.0.2:1", "http://127.0.0.3:1"],
                           node_pool_class=pool_class)
    pool = client.transport.node_pool
    for _ in range(3):
        pool.resurrect(force=True)  # every node alive, as after a healthy start
    nodes = pool.all()
    trying, done = threading.Event(), threading.Event()

    def dying():
        trying.set()
        pool.mark_dead(nodes[2])
        done.set()

    def between():
        threading.Thread(target=dying, daemon=True).start()
        trying.wait(5)
        done.wait(1)  # a pool that lets it in has it done by now; a safe one makes it wait for the pick

    pool._alive_nodes = _SteppingNodes(pool._alive_nodes, between)
    try:
        pool.get()
    except RuntimeError as exc:
        return exc
    finally:
        done.wait(5)
    return None


def test_the_clients_node_pool_survives_a_node_marked_dead_while_another_thread_picks_one():
    from elastic_transport import NodePool

    from locator.core.es import ThreadSafeNodePool

    failure = _pool_walked_while_a_node_dies(NodePool)  # the library's own pool: the 500 of drill 4
    assert isinstance(failure, RuntimeError) and "changed size during iteration" in str(failure)
    assert _pool_walked_while_a_node_dies(ThreadSafeNodePool) is None
    client = connect(load_settings({**EXTERNAL, "ELASTICSEARCH_API_KEY": "a2V5OnNlY3JldA=="}), "reader")
    assert isinstance(client.transport.node_pool, ThreadSafeNodePool)  # every client the project makes
