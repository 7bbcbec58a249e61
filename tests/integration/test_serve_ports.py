"""A second `partner-locator serve` on one machine: a port already taken is one line naming it and
the setting to change, a non-zero exit, and no traceback (gunicorn never starts)."""
from __future__ import annotations

import socket

import pytest

from tests.processes import cli, free_port


@pytest.fixture
def taken_port():
    """A port another program listens on, until the test ends."""
    with socket.socket() as holder:
        holder.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        yield holder.getsockname()[1]


def _one_line_error(result) -> str:
    assert result.returncode != 0
    assert "Traceback" not in result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Starting gunicorn" not in result.stderr
    return lines[0]


def test_a_taken_metrics_port_is_one_line_naming_it_and_its_settings(taken_port, es_node):
    line = _one_line_error(cli("serve", "--port", str(free_port()), "--metrics-port", str(taken_port), timeout=120))
    assert line.startswith("partner-locator: error: ") and f":{taken_port}" in line
    assert "--metrics-port" in line and "PARTNER_LOCATOR_API_METRICS_PORT" in line and "0 for no metrics" in line


def test_a_taken_metrics_port_set_in_the_environment_says_the_same(taken_port, es_node):
    line = _one_line_error(cli("serve", "--port", str(free_port()), timeout=120,
                               env={"PARTNER_LOCATOR_API_METRICS_PORT": str(taken_port)}))
    assert f":{taken_port}" in line and "PARTNER_LOCATOR_API_METRICS_PORT" in line


def test_a_taken_public_port_is_one_line_naming_it(taken_port, es_node):
    line = _one_line_error(cli("serve", "--port", str(taken_port), "--metrics-port", "0", timeout=120))
    assert f"127.0.0.1:{taken_port}" in line and "--port" in line
