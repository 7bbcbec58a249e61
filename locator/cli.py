"""``partner-locator``: the one command line of the project, every command group imported here.

Known failures (bad config, unreachable node, a refused run) end with one line on stderr and a
non-zero exit, never a traceback. Nothing imports this module: it only assembles the commands.
"""
from __future__ import annotations

import logging
import sys

import click
import elasticsearch

from indexer.commands import index_command, sample_command
from indexer.staff_commands import eligibility_report_command, preview_link_command, preview_revoke_command
from locator.analytics.commands import analytics_group
from locator.analytics.coverage_command import coverage_command
from locator.api.server import serve_command
from locator.core.errors import UserFacingError
from locator.core.settings import load_settings
from locator.node.commands import es_group
from locator.staff.commands import staff_command, staff_link_command


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.pass_context
def cli(ctx: click.Context) -> None:
    """Partner Locator: index the partner export, serve the search, run a local Elasticsearch."""
    ctx.obj = load_settings()


for _command in (es_group, index_command, sample_command, serve_command, preview_link_command, preview_revoke_command,
                 eligibility_report_command, analytics_group, coverage_command, staff_command, staff_link_command):
    cli.add_command(_command)


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
    _log_to_stderr("partner_locator", "%(asctime)s %(levelname)s %(name)s %(message)s")
    _log_to_stderr("partner_locator.access", "%(message)s")
    logging.getLogger("elastic_transport").setLevel(logging.WARNING)


def main(argv: list[str] | None = None) -> int:
    configure_logging()
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
    except UserFacingError as exc:
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
