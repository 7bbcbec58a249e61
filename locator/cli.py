"""``partner-locator``: the one command line of the project.

Known failures (bad config, unreachable node, a refused run) end with one line on stderr and a
non-zero exit, never a traceback.
"""
from __future__ import annotations

import logging
import re
import shlex
import sys

import click
import elasticsearch

from locator import localnode, nodeprocess
from locator.localnode import NodeError
from locator.settings import ConfigError, Settings, load_settings


class UserFacingError(Exception):
    """Raised by commands for an expected failure: printed as one line, exit status 1."""


_EXPECTED = (ConfigError, NodeError, UserFacingError)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.pass_context
def cli(ctx: click.Context) -> None:
    """Partner Locator: index the partner export, serve the search, run a local Elasticsearch."""
    ctx.obj = load_settings()


@cli.group()
def es() -> None:
    """Manage the local Elasticsearch node (not used when ELASTICSEARCH_URL is set)."""


def _check_heap(value: str | None) -> str | None:
    if value is not None and not re.fullmatch(r"\d+[mMgG]", value):
        raise click.BadParameter("must look like 512m or 1g", param_hint="--heap")
    return value


def _paths(ctx: click.Context) -> localnode.NodePaths:
    return localnode.paths_for(ctx.find_object(Settings))


@es.command("start")
@click.option("--port", type=click.IntRange(1, 65535), help="HTTP port on 127.0.0.1 [default: from config, 9200]")
@click.option("--heap", callback=lambda ctx, param, value: _check_heap(value), help="JVM heap, e.g. 512m or 1g [default: from config, 512m]")
@click.pass_context
def es_start(ctx: click.Context, port: int | None, heap: str | None) -> None:
    """Fetch (once), configure and start the node; wait until it is at least yellow."""
    settings: Settings = ctx.obj
    node = settings.local_node
    if settings.connection.external:
        click.echo("note: ELASTICSEARCH_URL is set, so the other commands use that cluster, not this node", err=True)
    node_status, started = nodeprocess.start(_paths(ctx), port or node["port"], heap or node["heap"], node["start_timeout_s"])
    verb = "started" if started else "already running"
    click.echo(f"Elasticsearch {verb} at {node_status.url} (pid {node_status.pid}, health {node_status.health})")


@es.command("stop")
@click.pass_context
def es_stop(ctx: click.Context) -> None:
    """Stop the node started from this state dir and wait until it has exited."""
    pid = nodeprocess.stop(_paths(ctx))
    click.echo("Elasticsearch was not running" if pid is None else f"Elasticsearch stopped (pid {pid})")


@es.command("status")
@click.pass_context
def es_status(ctx: click.Context) -> None:
    """Print URL, pid and cluster health; exit 1 when the node is not running."""
    node_status = nodeprocess.status(_paths(ctx))
    if node_status is None:
        click.echo("Elasticsearch is not running", err=True)
        ctx.exit(1)
    click.echo(f"url: {node_status.url}\npid: {node_status.pid}\nhealth: {node_status.health}")
    if node_status.health == "unreachable":
        ctx.exit(1)


@es.command("env")
@click.option("--role", type=click.Choice(localnode.ROLES), default="reader", show_default=True)
@click.pass_context
def es_env(ctx: click.Context, role: str) -> None:
    """Print shell exports for one user of the node: eval "$(partner-locator es env --role admin)"."""
    paths = _paths(ctx)
    user = localnode.read_credentials(paths)[role]
    for name, value in (("ELASTICSEARCH_URL", localnode.node_url(paths)),
                        ("ELASTICSEARCH_USERNAME", user["username"]),
                        ("ELASTICSEARCH_PASSWORD", user["password"])):
        click.echo(f"export {name}={shlex.quote(value)}")


def _register_subcommands() -> None:
    """Commands of the other parts of the project, added when those parts are installed."""
    for module_name in ("indexer.cli", "locator.server"):
        try:
            module = __import__(module_name, fromlist=["register"])
        except ModuleNotFoundError as exc:
            if exc.name != module_name:
                raise
            continue
        module.register(cli)


class _CurrentStderr(logging.StreamHandler):
    """Writes to whatever ``sys.stderr`` is now (tests swap it), not the one at set-up."""

    def emit(self, record: logging.LogRecord) -> None:
        self.stream = sys.stderr
        super().emit(record)


def _log_to_stderr(name: str, form: str) -> None:
    logger = logging.getLogger(name)
    if not any(isinstance(handler, _CurrentStderr) for handler in logger.handlers):
        handler = _CurrentStderr()
        handler.setFormatter(logging.Formatter(form))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False


def configure_logging() -> None:
    """Project messages with a timestamp; the access log as bare JSON lines (they carry their own time)."""
    _log_to_stderr("partner_locator", "%(asctime)s %(name)s %(message)s")
    _log_to_stderr("partner_locator.access", "%(message)s")
    logging.getLogger("elastic_transport").setLevel(logging.WARNING)


def main(argv: list[str] | None = None) -> int:
    configure_logging()
    _register_subcommands()
    try:
        return cli.main(args=argv, prog_name="partner-locator", standalone_mode=False) or 0
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        return 130
    except _EXPECTED as exc:
        click.echo(f"partner-locator: error: {exc}", err=True)
        return 1
    except elasticsearch.ConnectionError as exc:
        click.echo(f"partner-locator: error: cannot reach Elasticsearch ({exc.message})", err=True)
        return 1
    except elasticsearch.ApiError as exc:
        click.echo(f"partner-locator: error: Elasticsearch answered {exc.meta.status}: {exc.message}", err=True)
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
