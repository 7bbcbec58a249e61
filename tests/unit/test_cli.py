"""The command line: each command's module loads when that command is used, not with the CLI.

Every indexer worker process imports the CLI again (multiprocessing re-runs the main script), so
importing it must not load the web stack, the staff app, analytics or the Elasticsearch client.
"""
from __future__ import annotations

import subprocess
import sys

import click

from locator.cli import COMMANDS, cli

HEAVY = ("elasticsearch", "flask", "gunicorn", "scipy", "numpy", "geopy", "locator.api.server", "locator.staff",
         "locator.analytics", "locator.node.commands", "indexer.commands")


def test_importing_the_cli_loads_none_of_its_commands():
    code = f"import sys, locator.cli; print([name for name in {HEAVY!r} if name in sys.modules])"
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert loaded == "[]"


def test_every_command_loads_under_its_own_name():
    context = click.Context(cli)
    assert cli.list_commands(context) == sorted(COMMANDS)
    for name in COMMANDS:
        command = cli.get_command(context, name)
        assert isinstance(command, click.Command) and command.name == name
    assert cli.get_command(context, "no-such-command") is None
