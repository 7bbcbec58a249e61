"""The local engine: the users and roles on the session's node, and the CLI lifecycle on a second node."""
from __future__ import annotations

import json
import os
import shlex
import socket
import subprocess
import time
import urllib.error
import urllib.request
from base64 import b64encode
from pathlib import Path

import pytest
from elasticsearch import AuthorizationException

from locator.core.resources import shipped_config
from locator.node import security
from tests.processes import cli as _cli
from tests.processes import free_port_block
from tests.processes import node_workdir


# ---------------------------------------------------------------- users and roles, on the local node or the cluster a
# deployment tests (role_clients: each role's own user; on an external cluster from PARTNER_LOCATOR_TEST_<ROLE>_*)


def test_the_reader_can_search_but_cannot_create_write_or_delete(settings, role_clients):
    indexer, reader = role_clients["indexer"], role_clients["reader"]
    index = f"{settings.index_prefix}-sites-roles"
    indexer.indices.create(index=index)
    indexer.index(index=index, id="1", document={"company": "Nordlys"}, refresh=True)
    assert reader.search(index=index)["hits"]["total"]["value"] == 1
    assert reader.cluster.health()["status"] in ("green", "yellow")
    with pytest.raises(AuthorizationException):
        reader.index(index=index, id="2", document={"company": "Intruder"})
    with pytest.raises(AuthorizationException):
        reader.delete(index=index, id="1")
    with pytest.raises(AuthorizationException):
        reader.indices.delete(index=index)
    with pytest.raises(AuthorizationException):
        reader.indices.create(index=f"{settings.index_prefix}-reader-made")
    assert indexer.count(index=index)["count"] == 1
    indexer.indices.delete(index=index)


def test_the_indexer_manages_the_projects_indices_and_aliases_only(settings, role_clients):
    indexer = role_clients["indexer"]
    index, alias = f"{settings.index_prefix}-own", f"{settings.index_prefix}-own-alias"
    indexer.indices.create(index=index, settings={"number_of_replicas": 0})
    indexer.indices.update_aliases(actions=[{"add": {"index": index, "alias": alias}}])
    assert alias in indexer.indices.get_alias(index=index)[index]["aliases"]
    indexer.indices.delete(index=index)
    with pytest.raises(AuthorizationException):
        indexer.indices.create(index="someone-elses-index")


def test_the_reader_and_the_preview_user_read_only_their_own_indices(settings, role_clients):
    indexer, reader, preview = role_clients["indexer"], role_clients["reader"], role_clients["preview"]
    names = {kind: f"{settings.index_prefix}-{kind}-2026" for kind in ("sites", "eligibility", "preview-revocations")}
    names["preview-revocations"] = f"{settings.index_prefix}-preview-revocations"
    for name in names.values():
        indexer.index(index=name, id="1", document={"x": 1}, refresh=True)
    assert reader.count(index=names["sites"])["count"] == 1
    assert preview.count(index=names["eligibility"])["count"] == preview.count(index=names["preview-revocations"])["count"] == 1
    for client, forbidden in ((reader, ("eligibility", "preview-revocations")), (preview, ("sites",))):
        for kind in forbidden:
            with pytest.raises(AuthorizationException):
                client.search(index=names[kind])
    with pytest.raises(AuthorizationException):
        preview.index(index=names["eligibility"], id="2", document={"x": 2})
    indexer.indices.delete(index=",".join(names.values()))


def test_the_shipped_role_bodies_are_what_the_node_enforces():
    # The node's roles.yml is generated from these JSON bodies, the same an operator PUTs on a real cluster.
    expected = {"indexer": (["partner-locator*"], {"write", "delete_index", "manage"}, {"all"}),
                "reader": (["partner-locator*-sites*"], {"read", "view_index_metadata"}, {"write", "manage", "delete_index"}),
                "preview": (["partner-locator*-eligibility*", "partner-locator*-preview-revocations",
                             "partner-locator*-partner-stats"], {"read"}, {"write", "manage", "delete_index"}),
                "events": (["partner-locator*-events-*"], {"create_doc", "create_index"},
                           {"read", "write", "index", "delete", "manage", "delete_index"}),
                "staff": (["partner-locator*-events-*", "partner-locator*-eligibility*", "partner-locator*-sites*",
                           "partner-locator*-partner-stats"], {"read"}, {"write", "manage", "delete_index"})}
    for role, (names, must_have, must_not) in expected.items():
        body = json.loads(shipped_config(f"roles/partner_locator_{role}.json").read_text())
        (grant,) = body["indices"]
        assert grant["names"] == names
        assert must_have <= set(grant["privileges"]) and not must_not & set(grant["privileges"])


@pytest.mark.parametrize("prefix", ["partner-locator", "partner-locator-test-0a1b2c3d", "partner-locator-test-0a1b2c3d-api"])
def test_the_role_patterns_cover_the_default_prefix_and_every_test_prefix(prefix):
    bodies = security.role_bodies()
    names = {"sites": [f"{prefix}-sites", f"{prefix}-sites-previous", f"{prefix}-sites-20260601000000-abcdef"],
             "eligibility": [f"{prefix}-eligibility", f"{prefix}-eligibility-previous",
                             f"{prefix}-eligibility-20260601000000-abcdef", f"{prefix}-preview-revocations"],
             "stats": [f"{prefix}-partner-stats"], "events": [f"{prefix}-events-2026.12"],
             "other": [f"{prefix}-locks"]}
    everything = [name for group in names.values() for name in group]
    reads = {role: {name for name, ok in security.expected_reads(bodies[f"partner_locator_{role}"], everything).items() if ok}
             for role in ("indexer", "reader", "preview", "events", "staff")}
    assert reads == {"indexer": set(everything), "reader": set(names["sites"]),
                     "preview": set(names["eligibility"] + names["stats"]), "events": set(),
                     "staff": set(names["sites"] + names["eligibility"][:3] + names["stats"] + names["events"])}


# ---------------------------------------------------------------- the CLI lifecycle on a node of its own


@pytest.fixture(scope="module")
def second_node_env(base_settings):
    if base_settings.connection.external:
        pytest.skip("ELASTICSEARCH_URL is set: the local node is not used")
    state = node_workdir("pl-node-")
    env = {"PARTNER_LOCATOR_LOCAL_NODE_STATE_DIR": str(state), "PARTNER_LOCATOR_LOCAL_NODE_PORT": str(free_port_block(1))}
    env = {key: value for key, value in {**os.environ, **env}.items() if not key.startswith("ELASTICSEARCH_")}
    yield env
    _cli("es", "stop", env=env)
    subprocess.run(["rm", "-rf", str(state)], check=False)


def test_start_status_env_restart_and_stop(second_node_env):
    env = second_node_env
    port = env["PARTNER_LOCATOR_LOCAL_NODE_PORT"]
    assert _cli("es", "status", env=env).returncode != 0

    started = _cli("es", "start", "--heap", "384m", env=env)
    assert started.returncode == 0, started.stderr
    assert f"started at http://127.0.0.1:{port}" in started.stdout

    status = _cli("es", "status", env=env)
    assert status.returncode == 0
    assert f"url: http://127.0.0.1:{port}" in status.stdout
    assert "health: green" in status.stdout or "health: yellow" in status.stdout

    again = _cli("es", "start", env=env)
    assert again.returncode == 0 and "already running" in again.stdout

    exports = _cli("es", "env", "--role", "admin", env=env).stdout
    shell = f"{exports}\ncurl -s -u \"$ELASTICSEARCH_USERNAME:$ELASTICSEARCH_PASSWORD\" \"$ELASTICSEARCH_URL/_cluster/health\""
    health = json.loads(subprocess.run(["bash", "-c", shell], capture_output=True, text=True, check=True).stdout)
    assert health["cluster_name"] == "partner-locator-local"

    _assert_reader_exports_carry_reader_rights(_cli("es", "env", env=env).stdout)
    _assert_a_running_node_gets_the_users_and_roles_it_lacks(env)

    stopped = _cli("es", "stop", env=env)
    assert stopped.returncode == 0 and "stopped" in stopped.stdout
    assert _cli("es", "status", env=env).returncode != 0
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", int(port)), timeout=1).close()


def _assert_reader_exports_carry_reader_rights(exports: str) -> None:
    values = dict(line.removeprefix("export ").split("=", 1) for line in exports.splitlines())
    values = {key: shlex.split(value)[0] for key, value in values.items()}
    assert values["ELASTICSEARCH_USERNAME"] == "pl_reader"
    token = b64encode(f"{values['ELASTICSEARCH_USERNAME']}:{values['ELASTICSEARCH_PASSWORD']}".encode()).decode()
    request = urllib.request.Request(f"{values['ELASTICSEARCH_URL']}/partner-locator-forbidden", method="PUT",
                                     headers={"Authorization": f"Basic {token}"})
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=10)
    assert refused.value.code == 403


def _has_read(url: str, user: dict, index: str) -> bool | None:
    token = b64encode(f"{user['username']}:{user['password']}".encode()).decode()
    request = urllib.request.Request(f"{url}/_security/user/_has_privileges", method="POST",
                                     data=json.dumps({"index": [{"names": [index], "privileges": ["read"]}]}).encode(),
                                     headers={"Authorization": f"Basic {token}", "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read())["index"][index]["read"]
    except urllib.error.HTTPError:
        return None  # not authenticated


def _wait_for(check, what: str, timeout_s: float = 30) -> None:
    deadline = time.monotonic() + timeout_s
    while not check():
        assert time.monotonic() < deadline, what
        time.sleep(0.5)


def _assert_a_running_node_gets_the_users_and_roles_it_lacks(env):
    """A node made by a version without the preview role: `es start` adds it without a restart."""
    state = Path(env["PARTNER_LOCATOR_LOCAL_NODE_STATE_DIR"])
    config, credentials_file = state / "es" / "config", state / "credentials.json"
    credentials = json.loads(credentials_file.read_text())
    url = json.loads((state / "node.json").read_text())["url"]
    old_reader = {"cluster": ["monitor"], "indices": [{"names": ["partner-locator*"], "privileges": ["read"]}]}
    (config / "roles.yml").write_text(f"partner_locator_reader: {json.dumps(old_reader)}\n"
                                      + (config / "roles.yml").read_text().split("\n", 2)[0] + "\n")
    for name in ("users", "users_roles"):  # drop every trace of the preview user
        lines = (config / name).read_text().splitlines()
        (config / name).write_text("".join(f"{line}\n" for line in lines if "pl_preview" not in line.split(":")[0]
                                           and line.split(":")[0] != "partner_locator_preview"))
    credentials_file.write_text(json.dumps({role: user for role, user in credentials.items() if role != "preview"}))
    _wait_for(lambda: _has_read(url, credentials["reader"], "partner-locator-eligibility")
              and _has_read(url, credentials["preview"], "partner-locator-eligibility") is None,
              "the node did not take the older files")

    again = _cli("es", "start", env=env)
    assert again.returncode == 0 and "already running" in again.stdout, again.stderr
    updated = json.loads(credentials_file.read_text())
    assert {role: updated[role] for role in credentials if role != "preview"} == {
        role: user for role, user in credentials.items() if role != "preview"}  # existing passwords kept
    assert updated["preview"]["username"] == "pl_preview" and updated["preview"] != credentials["preview"]
    assert _has_read(url, updated["preview"], "partner-locator-eligibility") is True
    assert _has_read(url, updated["reader"], "partner-locator-eligibility") is False
    assert _has_read(url, updated["reader"], "partner-locator-test-0a1b-api-sites") is True
    assert _cli("es", "start", env=env).returncode == 0 and json.loads(credentials_file.read_text()) == updated


def test_a_port_held_by_another_program_is_a_clear_error_not_a_hang(second_node_env):
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        port = squatter.getsockname()[1]
        result = _cli("es", "start", "--port", str(port), env=second_node_env, timeout=60)
    assert result.returncode == 1
    assert f"port {port} on 127.0.0.1 is already used by another program" in result.stderr
    assert "Traceback" not in result.stderr


def test_missing_java_names_what_to_install(second_node_env):
    result = _cli("es", "start", env={**second_node_env, "ES_JAVA_HOME": "/nonexistent/jdk"}, timeout=60)
    assert result.returncode == 1
    assert "ES_JAVA_HOME=/nonexistent/jdk has no bin/java" in result.stderr


def test_too_old_java_names_what_to_install(second_node_env, tmp_path):
    fake_home = tmp_path / "jdk8"
    (fake_home / "bin").mkdir(parents=True)
    java = fake_home / "bin" / "java"
    java.write_text('#!/bin/sh\necho \'openjdk version "1.8.0_392"\' >&2\n')
    java.chmod(0o755)
    result = _cli("es", "start", env={**second_node_env, "ES_JAVA_HOME": str(fake_home)}, timeout=60)
    assert result.returncode == 1
    assert "Java 8" in result.stderr and "needs Java 17 or newer" in result.stderr


def test_stop_when_nothing_runs_says_so(second_node_env):
    result = _cli("es", "stop", env=second_node_env)
    assert result.returncode == 0 and "not running" in result.stdout
