"""A local cluster of N nodes on loopback: its topology, and starting (only what is missing), stopping
and inspecting its nodes.

Node k lives in ``<state>/cluster/node-<k>`` (config, data, logs, pid: never the single node's, whose
data cannot join a cluster), listens for HTTP on ``http_port + k - 1`` and for transport on
``transport_port + k - 1``, and knows every node's transport port as a discovery seed. Every node
has the same file-realm users and roles (``files.configure``). Transport TLS is off, which
Elasticsearch allows on loopback only: a cluster on a real network needs it (docs/operations.md).
``<state>/node.json`` records the topology last started, so ``es start --node 2`` restarts node 2
on its own ports and clients find every node's URL.
"""
from __future__ import annotations

import json
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from locator.core.errors import NodeError
from locator.core.es import read_local_record
from locator.node import files, process
from locator.node.files import NodePaths


@dataclass(frozen=True)
class Topology:
    nodes: int
    http_port: int
    transport_port: int

    @property
    def numbers(self) -> range:
        return range(1, self.nodes + 1)

    def http(self, number: int) -> int:
        return self.http_port + number - 1

    def transport(self, number: int) -> int:
        return self.transport_port + number - 1

    def url(self, number: int) -> str:
        return f"http://127.0.0.1:{self.http(number)}"

    @property
    def urls(self) -> tuple[str, ...]:
        return tuple(self.url(number) for number in self.numbers)

    def record(self) -> dict:
        """node.json: ``url`` and ``port`` as for the single node, plus what a cluster adds."""
        return {"url": self.url(1), "port": self.http_port, "urls": list(self.urls), "nodes": self.nodes,
                "transport_port": self.transport_port}

    def yml_lines(self, number: int) -> tuple[str, ...]:
        seeds = ", ".join(f'"127.0.0.1:{self.transport(other)}"' for other in self.numbers)
        names = ", ".join(f'"{node_name(other)}"' for other in self.numbers)
        # initial_master_nodes only matters the very first time the cluster forms; later starts
        # (one node, or all of them) rejoin the cluster recorded in each node's data.
        return (f"node.name: {node_name(number)}", f"transport.port: {self.transport(number)}",
                f"discovery.seed_hosts: [{seeds}]", f"cluster.initial_master_nodes: [{names}]")


@dataclass(frozen=True)
class NodeState:
    number: int
    name: str
    url: str
    pid: int | None

    @property
    def up(self) -> bool:
        return self.pid is not None


def node_name(number: int) -> str:
    return f"node-{number}"


def node_paths(paths: NodePaths, number: int) -> NodePaths:
    return NodePaths(paths.cache, paths.state, paths.version, number)


def recorded(paths: NodePaths) -> Topology | None:
    """The cluster last started from this state dir; None when it was the single node (or nothing)."""
    try:
        record = read_local_record(paths.state)
    except NodeError:
        return None
    if record.get("nodes", 1) == 1:
        return None
    return Topology(record["nodes"], record["port"], record["transport_port"])


def node_states(paths: NodePaths, topology: Topology) -> list[NodeState]:
    return [NodeState(number, node_name(number), topology.url(number), process.running_pid(node_paths(paths, number)))
            for number in topology.numbers]


def running_cluster_nodes(paths: NodePaths) -> list[int]:
    """Numbers of the cluster nodes of this state dir that run, whatever topology was recorded."""
    found = [int(directory.name.removeprefix("node-")) for directory in (paths.state / "cluster").glob("node-*")]
    return sorted(number for number in found if process.running_pid(node_paths(paths, number)) is not None)


def health(paths: NodePaths, topology: Topology, query: str = "", timeout: float = 2.0) -> dict | None:
    """``_cluster/health`` from the first node that answers; None when none does."""
    credentials = files.read_credentials(paths)["admin"]
    for state in node_states(paths, topology):
        if state.up:
            report = process.health_report(state.url, credentials, timeout, query)
            if report is not None:
                return report
    return None


def start(paths: NodePaths, topology: Topology, heap: str, timeout_s: int, only: int | None = None) -> list[int]:
    """Start the nodes that do not run (all of them, or just node ``only``); wait until every running
    node has joined and the cluster is at least yellow. Return the numbers of the nodes started."""
    _refuse_mixing(paths, topology)
    wanted = [only] if only is not None else list(topology.numbers)
    missing = [number for number in wanted if process.running_pid(node_paths(paths, number)) is None]
    if missing:
        _check_ports(topology, missing)
        java_home = files.find_java_home()
        home = files.ensure_distribution(paths)
        for number in missing:
            files.configure(node_paths(paths, number), home, java_home, topology.http(number), heap,
                            topology.yml_lines(number))
        paths.node_file.write_text(json.dumps(topology.record()))
        # In parallel: a node's launcher returns only once it has seen a cluster, which needs a quorum.
        with ThreadPoolExecutor(len(missing)) as pool:
            for result in [pool.submit(process.launch, home, node_paths(paths, number), java_home, timeout_s)
                           for number in missing]:
                result.result()
    _wait_until_formed(paths, topology, timeout_s)
    return missing


def _refuse_mixing(paths: NodePaths, topology: Topology) -> None:
    if process.running_pid(paths) is not None:
        raise NodeError(f"the single node of {paths.state} is running: stop it first (partner-locator es stop); "
                        "a cluster never uses its data")
    others = [number for number in running_cluster_nodes(paths) if number not in topology.numbers]
    current = recorded(paths)
    if others or (current is not None and current != topology and running_cluster_nodes(paths)):
        shown = f"{current.nodes} nodes on port {current.http_port}" if current else f"nodes {others}"
        raise NodeError(f"a cluster of {shown} is running from {paths.state}: stop it first "
                        "(partner-locator es stop) to start another layout")


def _check_ports(topology: Topology, numbers: list[int]) -> None:
    for number in numbers:
        for port in (topology.http(number), topology.transport(number)):
            if process.port_in_use(port):
                raise NodeError(f"port {port} on 127.0.0.1 (node {number}) is already used by another program: "
                                "stop it, or start the cluster on other ports with --port / --transport-port")


def _wait_until_formed(paths: NodePaths, topology: Topology, timeout_s: int) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        running = len(running_cluster_nodes(paths))
        if running == 0:
            raise NodeError(f"no node of the cluster is running: see the logs under {paths.state / 'cluster'}")
        report = health(paths, topology, f"wait_for_nodes={running}&wait_for_status=yellow&timeout=2s", timeout=5)
        if report and not report.get("timed_out") and report.get("status") in ("green", "yellow"):
            return
        time.sleep(0.5)
    raise NodeError(f"the cluster was not formed and at least yellow within {timeout_s}s: "
                    f"see the logs under {paths.state / 'cluster'}")


def stop(paths: NodePaths, only: int | None = None) -> list[tuple[int, int]]:
    """Stop every running cluster node (or just node ``only``), in parallel; return (number, pid) of each."""
    numbers = [only] if only is not None else running_cluster_nodes(paths)
    with ThreadPoolExecutor(max(1, len(numbers))) as pool:
        pids = list(pool.map(lambda number: process.stop(node_paths(paths, number)), numbers))
    return [(number, pid) for number, pid in zip(numbers, pids) if pid is not None]
