"""``partner-locator staff`` (serve the staff app) and ``partner-locator staff-link`` (print a signed,
expiring link to it). The CLI assembles them; nothing here loads Flask until the server's workers do.

The app runs under gunicorn like ``serve``, with no access log (a staff link's token is in the query
of ``/login``: it must never reach a log) and on a bind of its own, ``[staff] host:port``
(127.0.0.1:5001): never the public port, never the metrics bind. Without ``[staff] secret`` both
commands say the staff app is off, and how to turn it on.
"""
from __future__ import annotations

import functools

import click

from locator.api.server import LIMITS, Gunicorn, check_ports
from locator.core.errors import UserFacingError
from locator.core.es import connection_for
from locator.core.preview_tokens import now_ms
from locator.core.settings import Settings, env_name
from locator.staff.tokens import STAFF_OFF, issue_link

_ANY_ADDRESS = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}


def _secret(settings: Settings) -> str:
    if not settings.staff.secret:
        raise UserFacingError(STAFF_OFF)
    return settings.staff.secret


def staff_base_url(settings: Settings) -> str:
    """Where the staff app is reached: ``[staff] host:port`` (this machine when it listens on every address)."""
    host = _ANY_ADDRESS.get(settings.staff.host, settings.staff.host)
    return f"http://{f'[{host}]' if ':' in host else host}:{settings.staff.port}"


@click.command("staff-link")
@click.option("--days", type=click.IntRange(1, 30), help="valid this many days [default: 1, from [staff] link_days]")
@click.pass_obj
def staff_link_command(settings: Settings, days: int | None) -> None:
    """Print a signed link that signs a browser in to the staff app until it expires."""
    token = issue_link(_secret(settings), days or settings.staff.link_days, now_ms())
    click.echo(f"{staff_base_url(settings)}/login?token={token}")


def _staff_app(settings: Settings):
    from locator.staff import create_staff_app

    return create_staff_app(settings)


@click.command("staff")
@click.option("--host", help="address to listen on [default: [staff] host, 127.0.0.1]")
@click.option("--port", type=click.IntRange(1, 65535), help="[default: [staff] port, 5001]")
@click.option("--workers", type=click.IntRange(1, 16), default=1, show_default=True, help="worker processes")
@click.pass_obj
def staff_command(settings: Settings, host: str | None, port: int | None, workers: int) -> None:
    """Serve the staff app (analytics dashboard), reached with `partner-locator staff-link`."""
    _secret(settings)
    host, port = host or settings.staff.host, port or settings.staff.port
    if settings.api.metrics_port and port == settings.api.metrics_port:
        raise UserFacingError(f"the staff app cannot share the metrics port {port}: choose another with --port "
                              f"or {env_name('staff', 'port')}")
    connection_for(settings, "staff")  # no staff user (a node never started, an external cluster): one line, now
    check_ports(host, port, settings.api.metrics_host, 0)
    options = {"bind": f"[{host}]:{port}" if ":" in host else f"{host}:{port}", "workers": workers, "threads": 4,
               "worker_class": "gthread", "accesslog": None, "timeout": 90, "graceful_timeout": 10,
               "preload_app": False, "forwarded_allow_ips": "", **LIMITS}
    click.echo(f"serving the Partner Locator staff app on http://{host}:{port} "
               "(sign in with `partner-locator staff-link`)", err=True)
    Gunicorn(options, functools.partial(_staff_app, settings)).run()
