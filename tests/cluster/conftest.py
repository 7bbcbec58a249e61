"""One real three-node cluster for every drill: started by ``partner-locator es start --nodes 3`` on
ports and in a state dir of its own (never the developer's node nor ``make run``'s), a small
export indexed into it, and two API instances (``serve``) reading it; all stopped at the end.
"""
from __future__ import annotations

import os
import shlex
import shutil
import signal
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from elasticsearch import Elasticsearch

from locator.core.es import connect
from locator.core.mapping import sites_alias
from locator.core.settings import load_settings
from locator.node import cluster as localcluster
from locator.node import files as localnode
from tests.processes import Server, cli, free_port_block, node_workdir

NODES = 3
HEAP = "256m"
SAMPLE_SITES = 3000
AS_OF = "2026-06-01"


@dataclass
class Cluster:
    env: dict  # what makes the CLI (and serve) use this cluster
    state: Path
    export: Path
    workdir: Path

    def settings(self):
        return load_settings({**os.environ, **self.env})

    def admin(self) -> Elasticsearch:
        return connect(self.settings(), "admin")

    def node_of(self, number: int) -> localnode.NodePaths:
        return localcluster.node_paths(localnode.paths_for(self.settings()), number)

    def primary_holder(self, index: str, timeout_s: float = 60) -> int:
        """The number of a node holding a started primary shard of ``index``."""
        deadline = time.monotonic() + timeout_s
        with self.admin() as es:
            while time.monotonic() < deadline:
                shards = es.cat.shards(index=index, format="json", h="prirep,state,node")
                for shard in shards:
                    if shard["prirep"] == "p" and shard["state"] == "STARTED":
                        return int(shard["node"].removeprefix("node-"))
                time.sleep(0.1)
        raise AssertionError(f"no primary of {index} started within {timeout_s}s")

    def kill(self, number: int) -> None:
        """SIGKILL node ``number``: no goodbye to the cluster, as in a crash or a lost machine."""
        pid = int(self.node_of(number).pid_file.read_text())
        os.kill(pid, signal.SIGKILL)

    def cli(self, *args: str, timeout: int = 300, **extra_env: str):
        return cli(*args, env={**self.env, **extra_env}, timeout=timeout)

    def live(self) -> tuple[str, int]:
        """(live index, its document count)."""
        with self.admin() as es:
            alias = sites_alias(self.settings().index_prefix)
            return next(iter(es.indices.get_alias(name=alias))), es.count(index=alias)["count"]

    def wait_for_green(self, timeout_s: int = 120) -> str:
        with self.admin() as es:
            health = es.options(ignore_status=408, request_timeout=timeout_s + 10).cluster.health(
                wait_for_status="green", wait_for_nodes=str(NODES), timeout=f"{timeout_s}s")
        return health["status"]


def _environment(state: Path) -> dict:
    http = free_port_block(NODES)
    transport = free_port_block(NODES, avoid=range(http, http + NODES))
    env = {"PARTNER_LOCATOR_LOCAL_NODE_STATE_DIR": str(state), "PARTNER_LOCATOR_LOCAL_NODE_PORT": str(http),
           "PARTNER_LOCATOR_LOCAL_NODE_TRANSPORT_PORT": str(transport), "PARTNER_LOCATOR_LOCAL_NODE_HEAP": HEAP,
           "PARTNER_LOCATOR_LOCAL_NODE_NODES": str(NODES),
           # the drills' customers are many threads on one address: the budget is tested elsewhere
           "PARTNER_LOCATOR_API_RATE_LIMIT": "",
           # Analytics on, as shipped once a secret is set: answers carry tokens, the load sends beacons.
           "PARTNER_LOCATOR_ANALYTICS_TOKEN_SECRET": "drills-analytics-token-secret-0123456789",
           # Two instances behind one address, as in production: their links (page_url) must agree.
           # Everything else, the API's 1 s Elasticsearch timeout included, is the shipped default.
           "PARTNER_LOCATOR_API_PUBLIC_URL": "https://partners.example"}
    return env


def _new_cluster() -> Cluster:
    workdir = node_workdir("pl-drills-")
    state = workdir / "state"
    env = _environment(state)
    # Clear ELASTICSEARCH_* so every command uses this cluster's files.
    for name in [name for name in os.environ if name.startswith("ELASTICSEARCH_")]:
        env[name] = ""
    return Cluster(env, state, workdir / "export.jsonl", workdir)


def _started_cluster() -> Cluster:
    """A started cluster; tried twice, on fresh ports and files: a port taken by another program
    between choosing it and binding it must not pass for a fault of the product."""
    for attempt in (1, 2):
        drills = _new_cluster()
        started = drills.cli("es", "start", "--nodes", str(NODES))
        if started.returncode == 0:
            return drills
        print(f"cluster start {attempt} failed: {started.stderr[-500:]}")
        drills.cli("es", "stop")
        if attempt == 1:
            shutil.rmtree(drills.workdir, ignore_errors=True)
    raise AssertionError(f"the drills' cluster did not start twice: {started.stderr}")


@pytest.fixture(scope="session")
def local_cluster(base_settings):
    if base_settings.connection.external:
        pytest.skip("ELASTICSEARCH_URL is set: the drills start and kill nodes of a local cluster")
    drills = _started_cluster()
    workdir = drills.workdir
    try:
        sample = drills.cli("sample", "--sites", str(SAMPLE_SITES), "--seed", "7", "--as-of", AS_OF,
                            "-o", str(drills.export))
        assert sample.returncode == 0, sample.stderr
        indexed = drills.cli("index", str(drills.export), "--as-of", AS_OF)
        assert indexed.returncode == 0, indexed.stderr
        yield drills
    finally:
        drills.cli("es", "stop")
        if os.environ.get("PL_KEEP_DRILLS"):  # to read the nodes' and servers' logs after a failure
            print(f"drills' files kept in {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


def _role_variables(local_cluster, role: str) -> dict[str, str]:
    """What `es env --role ROLE` exports: ELASTICSEARCH_URL and that role's user."""
    exports = dict(line.removeprefix("export ").split("=", 1)
                   for line in local_cluster.cli("es", "env", "--role", role).stdout.splitlines())
    return {name: shlex.split(value)[0] for name, value in exports.items()}


@pytest.fixture(scope="session")
def api_servers(local_cluster):
    """Two API instances sharing nothing but Elasticsearch: one finds the nodes through the local
    cluster's files, the other through ELASTICSEARCH_URL (every node's URL) and the reader's password,
    and the events user's as ELASTICSEARCH_EVENTS_* (so that both record analytics, as in production)."""
    by_url = _role_variables(local_cluster, "reader")
    events = _role_variables(local_cluster, "events")
    by_url.update({name.replace("ELASTICSEARCH_", "ELASTICSEARCH_EVENTS_"): events[name]
                   for name in ("ELASTICSEARCH_USERNAME", "ELASTICSEARCH_PASSWORD")})
    servers = [Server(local_cluster.env, local_cluster.workdir / "serve-1.log"),
               Server({**local_cluster.env, **by_url}, local_cluster.workdir / "serve-2.log")]
    try:
        for server in servers:
            server.wait_ready()
        yield servers
    finally:
        for server in servers:
            server.stop()
