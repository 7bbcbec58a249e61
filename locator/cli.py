"""``partner-locator``: the one command line of the project, every command group assembled here.

Known failures (bad config, unreachable node, a refused run) end with one line on stderr and a
non-zero exit, never a traceback. Nothing imports this module: it only assembles the commands.

Each command's module is imported when that command runs (or ``--help`` lists it), not with this
module: every indexer worker process imports this module again (multiprocessing re-runs the main
script, ``partner-locator``, in each: ``__mp_main__``), and the other commands' modules (the API,
the staff app, analytics, the Elasticsearch client) cost each worker ~19 MB it never uses.
"""
from __future__ import annotations

import importlib
import logging
import sys

import click

# Command name -> "module:attribute", imported on first use (see the module's docstring).
COMMANDS = {
    "analytics": "locator.analytics.commands:analytics_group",
    "coverage": "locator.analytics.coverage_command:coverage_command",
    "eligibility-report": "indexer.staff_commands:eligibility_report_command",
    "es": "locator.node.commands:es_group",
    "index": "indexer.commands:index_command",
    "preview-link": "indexer.staff_commands:preview_link_command",
    "preview-revoke": "indexer.staff_commands:preview_revoke_command",
    "sample": "indexer.commands:sample_command",
    "serve": "locator.api.server:serve_command",
    "staff": "locator.staff.commands:staff_command",
    "staff-link": "locator.staff.commands:staff_link_command",
}


class _LazyGroup(click.Group):
    """A group whose commands (``COMMANDS``) are imported when asked for by name."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in COMMANDS:
            return None
        module, _, attribute = COMMANDS[name].partition(":")
        return getattr(importlib.import_module(module), attribute)


@click.group(cls=_LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.pass_context
def cli(ctx: click.Context) -> None:
    """Partner Locator: index the partner export, serve the search, run a local Elasticsearch."""
    from locator.core.settings import load_settings

    ctx.obj = load_settings()


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
    # No format here or in gunicorn's names the caller or the thread: skip finding them for every
    # record (the logging docs' "Optimization" switches; gunicorn's lines keep their process id).
    # Walking the stack for the caller was ~30 us of each API request's access log line
    # (docs/benchmarks.md, issue 20).
    logging._srcfile = None
    logging.logThreads = logging.logMultiprocessing = False
    _log_to_stderr("partner_locator", "%(asctime)s %(levelname)s %(name)s %(message)s")
    _log_to_stderr("partner_locator.access", "%(message)s")
    logging.getLogger("elastic_transport").setLevel(logging.WARNING)


def main(argv: list[str] | None = None) -> int:
    import elasticsearch

    from locator.core.errors import UserFacingError

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
