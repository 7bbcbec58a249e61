"""The local cluster's topology, without starting it: ports, discovery, what node.json records."""
from __future__ import annotations

from pathlib import Path

from locator.node.cluster import Topology, node_paths
from locator.node.files import NodePaths


def test_node_k_has_the_kth_ports_and_every_node_is_a_seed_of_every_other():
    topology = Topology(3, http_port=9200, transport_port=9300)
    assert topology.urls == ("http://127.0.0.1:9200", "http://127.0.0.1:9201", "http://127.0.0.1:9202")
    lines = topology.yml_lines(2)
    assert "node.name: node-2" in lines and "transport.port: 9301" in lines
    assert 'discovery.seed_hosts: ["127.0.0.1:9300", "127.0.0.1:9301", "127.0.0.1:9302"]' in lines
    assert 'cluster.initial_master_nodes: ["node-1", "node-2", "node-3"]' in lines


def test_the_record_keeps_the_single_nodes_keys_so_older_readers_still_find_a_url():
    record = Topology(3, 19200, 19300).record()
    assert record["url"] == "http://127.0.0.1:19200" and record["port"] == 19200
    assert record["urls"][2] == "http://127.0.0.1:19202" and record["nodes"] == 3


def test_a_clusters_nodes_never_use_the_single_nodes_directory():
    single = NodePaths(Path("/cache"), Path("/state"), "8.19.21")
    assert single.es == Path("/state/es")
    assert node_paths(single, 2).es == Path("/state/cluster/node-2")
    assert node_paths(single, 2).credentials == single.credentials  # the same users everywhere
