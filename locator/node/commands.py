"""``partner-locator es ...``: fetch, start, stop and inspect the local Elasticsearch node or cluster."""
from __future__ import annotations

import re
import shlex
import sys

import click

from locator.core.errors import NodeError, UserFacingError
from locator.core.es import ROLES
from locator.core.settings import Settings
from locator.node import cluster, files, process
from locator.node.cluster import Topology
from locator.node.local_secrets import SETTINGS, local_secret


@click.group("es")
def es_group() -> None:
    """Manage the local Elasticsearch node or cluster (not used when ELASTICSEARCH_URL is set)."""


def _check_heap(value: str | None) -> str | None:
    if value is not None and not re.fullmatch(r"\d+[mMgG]", value):
        raise click.BadParameter("must look like 512m or 1g", param_hint="--heap")
    return value


def _topology(settings: Settings, nodes: int, port: int | None, transport_port: int | None) -> Topology:
    """The ports given (or set), unless that cluster already runs here: its nodes keep theirs."""
    node, paths = settings.local_node, files.paths_for(settings)
    current = cluster.recorded(paths)
    if current is not None and current.nodes == nodes and cluster.running_cluster_nodes(paths) \
            and port in (None, current.http_port) and transport_port in (None, current.transport_port):
        return current
    return Topology(nodes, port or node.port, transport_port or node.transport_port)


@es_group.command("start")
@click.option("--nodes", type=click.IntRange(1, 9), help="nodes on this machine [default: from config, 1]")
@click.option("--node", "only", type=click.IntRange(1, 9), help="start only this node of the cluster (1..N)")
@click.option("--port", type=click.IntRange(1, 65535), help="HTTP port of node 1 on 127.0.0.1, node k: +k-1 [default: from config, 9200]")
@click.option("--transport-port", type=click.IntRange(1, 65535), help="transport port of node 1 (clusters) [default: from config, 9300]")
@click.option("--heap", callback=lambda ctx, param, value: _check_heap(value), help="JVM heap per node, e.g. 256m or 1g [default: from config, 512m]")
@click.pass_obj
def es_start(settings: Settings, nodes: int | None, only: int | None, port: int | None, transport_port: int | None,
             heap: str | None) -> None:
    """Fetch (once), configure and start the node, or the missing nodes of a cluster; wait until it is at least yellow."""
    node, paths = settings.local_node, files.paths_for(settings)
    if settings.connection.external:
        click.echo("note: ELASTICSEARCH_URL is set, so the other commands use that cluster, not this node", err=True)
    if only is not None and nodes is None:
        current = cluster.recorded(paths)
        if current is None:
            raise NodeError("--node needs a cluster: start one with --nodes N first")
        nodes = current.nodes
    nodes = nodes or node.nodes
    if only is not None and only > nodes:
        raise click.BadParameter(f"the cluster has nodes 1..{nodes}", param_hint="--node")
    if nodes == 1:
        _start_single(settings, port, heap)
        return
    topology = _topology(settings, nodes, port, transport_port)
    started = cluster.start(paths, topology, heap or node.heap, node.start_timeout_s, only)
    report = cluster.health(paths, topology) or {}
    verb = f"started node(s) {', '.join(map(str, started))}" if started else "already running"
    click.echo(f"Elasticsearch cluster of {nodes} nodes {verb} at {','.join(topology.urls)} "
               f"(health {report.get('status', 'unreachable')})")


def _start_single(settings: Settings, port: int | None, heap: str | None) -> None:
    node, paths = settings.local_node, files.paths_for(settings)
    if cluster.running_cluster_nodes(paths):
        raise NodeError(f"a cluster is running from {paths.state}: stop it first (partner-locator es stop), "
                        "or start its missing nodes with --nodes N")
    node_status, started = process.start(paths, port or node.port, heap or node.heap, node.start_timeout_s)
    verb = "started" if started else "already running"
    click.echo(f"Elasticsearch {verb} at {node_status.url} (pid {node_status.pid}, health {node_status.health})")


@es_group.command("stop")
@click.option("--node", "only", type=click.IntRange(1, 9), help="stop only this node of the cluster (1..N)")
@click.pass_obj
def es_stop(settings: Settings, only: int | None) -> None:
    """Stop what runs from this state dir (the node, or every node of the cluster) and wait until it has exited."""
    paths = files.paths_for(settings)
    if only is not None:
        stopped = cluster.stop(paths, only)
        click.echo(f"node {only} stopped (pid {stopped[0][1]})" if stopped else f"node {only} was not running")
        return
    stopped = cluster.stop(paths)
    pid = process.stop(paths)
    if pid is not None:
        click.echo(f"Elasticsearch stopped (pid {pid})")
    for number, node_pid in stopped:
        click.echo(f"node {number} stopped (pid {node_pid})")
    if pid is None and not stopped:
        click.echo("Elasticsearch was not running")


@es_group.command("status")
@click.pass_context
def es_status(ctx: click.Context) -> None:
    """Print URL, pid and health (each node's, for a cluster); exit 1 when nothing runs."""
    paths = files.paths_for(ctx.obj)
    topology = cluster.recorded(paths)
    if topology is not None:
        _cluster_status(ctx, paths, topology)
        return
    node_status = process.status(paths)
    if node_status is None:
        click.echo("Elasticsearch is not running", err=True)
        ctx.exit(1)
    click.echo(f"url: {node_status.url}\npid: {node_status.pid}\nhealth: {node_status.health}")
    if node_status.health == "unreachable":
        ctx.exit(1)


def _cluster_status(ctx: click.Context, paths: files.NodePaths, topology: Topology) -> None:
    states = cluster.node_states(paths, topology)
    for state in states:
        click.echo(f"node {state.number}  {state.name}  pid {state.pid or '-'}  {state.url}  "
                   f"{'up' if state.up else 'down'}")
    report = cluster.health(paths, topology) if any(state.up for state in states) else None
    if report is None:
        click.echo("health: unreachable")
        ctx.exit(1)
    click.echo(f"health: {report['status']} ({report['number_of_nodes']} of {topology.nodes} nodes in the cluster)")


@es_group.command("env")
@click.option("--role", type=click.Choice(ROLES), default="reader", show_default=True)
@click.pass_obj
def es_env(settings: Settings, role: str) -> None:
    """Print shell exports for one user: eval "$(partner-locator es env --role admin)" (every node's URL)."""
    paths = files.paths_for(settings)
    user = files.read_credentials(paths)[role]
    for name, value in (("ELASTICSEARCH_URL", ",".join(files.node_urls(paths))),
                        ("ELASTICSEARCH_USERNAME", user["username"]),
                        ("ELASTICSEARCH_PASSWORD", user["password"])):
        click.echo(f"export {name}={shlex.quote(value)}")


@es_group.command("secret")
@click.argument("name", type=click.Choice(sorted(SETTINGS)))
@click.pass_obj
def es_secret(settings: Settings, name: str) -> None:
    """Print a local sample's secret (preview, analytics or staff) for a shell to capture (made once,
    <state dir>/NAME-secret, 0600).

    For `make run` and `make staff` only: export PARTNER_LOCATOR_PREVIEW_SECRET="$(partner-locator es secret preview)".
    `serve` never reads the files; any other deployment sets its own secrets."""
    if sys.stdout.isatty():
        raise UserFacingError(f"the secret is not shown on a terminal: capture it, e.g. "
                               f'export {SETTINGS[name]}="$(partner-locator es secret {name})"')
    click.echo(local_secret(settings.state_dir, name))
