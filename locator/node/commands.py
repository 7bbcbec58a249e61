"""``partner-locator es ...``: fetch, start, stop and inspect the local Elasticsearch node."""
from __future__ import annotations

import re
import shlex

import click

from locator.core.es import ROLES
from locator.core.settings import Settings
from locator.node import files, process


@click.group("es")
def es_group() -> None:
    """Manage the local Elasticsearch node (not used when ELASTICSEARCH_URL is set)."""


def _check_heap(value: str | None) -> str | None:
    if value is not None and not re.fullmatch(r"\d+[mMgG]", value):
        raise click.BadParameter("must look like 512m or 1g", param_hint="--heap")
    return value


@es_group.command("start")
@click.option("--port", type=click.IntRange(1, 65535), help="HTTP port on 127.0.0.1 [default: from config, 9200]")
@click.option("--heap", callback=lambda ctx, param, value: _check_heap(value), help="JVM heap, e.g. 512m or 1g [default: from config, 512m]")
@click.pass_obj
def es_start(settings: Settings, port: int | None, heap: str | None) -> None:
    """Fetch (once), configure and start the node; wait until it is at least yellow."""
    node = settings.local_node
    if settings.connection.external:
        click.echo("note: ELASTICSEARCH_URL is set, so the other commands use that cluster, not this node", err=True)
    node_status, started = process.start(files.paths_for(settings), port or node.port, heap or node.heap,
                                         node.start_timeout_s)
    verb = "started" if started else "already running"
    click.echo(f"Elasticsearch {verb} at {node_status.url} (pid {node_status.pid}, health {node_status.health})")


@es_group.command("stop")
@click.pass_obj
def es_stop(settings: Settings) -> None:
    """Stop the node started from this state dir and wait until it has exited."""
    pid = process.stop(files.paths_for(settings))
    click.echo("Elasticsearch was not running" if pid is None else f"Elasticsearch stopped (pid {pid})")


@es_group.command("status")
@click.pass_context
def es_status(ctx: click.Context) -> None:
    """Print URL, pid and cluster health; exit 1 when the node is not running."""
    node_status = process.status(files.paths_for(ctx.obj))
    if node_status is None:
        click.echo("Elasticsearch is not running", err=True)
        ctx.exit(1)
    click.echo(f"url: {node_status.url}\npid: {node_status.pid}\nhealth: {node_status.health}")
    if node_status.health == "unreachable":
        ctx.exit(1)


@es_group.command("env")
@click.option("--role", type=click.Choice(ROLES), default="reader", show_default=True)
@click.pass_obj
def es_env(settings: Settings, role: str) -> None:
    """Print shell exports for one user of the node: eval "$(partner-locator es env --role admin)"."""
    paths = files.paths_for(settings)
    user = files.read_credentials(paths)[role]
    for name, value in (("ELASTICSEARCH_URL", files.node_url(paths)),
                        ("ELASTICSEARCH_USERNAME", user["username"]),
                        ("ELASTICSEARCH_PASSWORD", user["password"])):
        click.echo(f"export {name}={shlex.quote(value)}")
