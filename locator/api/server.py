"""``partner-locator serve``: the API behind gunicorn, a production WSGI server."""
from __future__ import annotations

import click
from gunicorn.app.base import BaseApplication

from locator.core.es import Connection, connection_for
from locator.core.settings import Settings

# Bounded request line and headers: a GET API needs little, and big ones are a cheap attack.
LIMITS = {"limit_request_line": 4094, "limit_request_fields": 50, "limit_request_field_size": 8190}


class _Gunicorn(BaseApplication):
    def __init__(self, settings: Settings, connection: Connection, options: dict):
        self._settings, self._connection, self._options = settings, connection, options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self._options.items():
            self.cfg.set(key, value)

    def load(self):
        from locator.api import create_app

        # In each worker, after the fork: a client's connection pool must not be shared.
        return create_app(self._settings, connection=self._connection)


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=click.IntRange(1, 65535), default=5000, show_default=True)
@click.option("--workers", type=click.IntRange(1, 64), default=2, show_default=True, help="worker processes")
@click.option("--threads", type=click.IntRange(1, 64), default=4, show_default=True, help="threads per worker")
@click.pass_obj
def serve_command(settings: Settings, host: str, port: int, workers: int, threads: int) -> None:
    """Serve the search API and the frontend (gunicorn, gthread workers)."""
    options = {"bind": f"{host}:{port}", "workers": workers, "threads": threads, "worker_class": "gthread",
               "accesslog": None, "timeout": 30, "graceful_timeout": 10, "preload_app": False, **LIMITS}
    connection = connection_for(settings, "reader")  # a node never started: one clear line, before any worker
    click.echo(f"serving Partner Locator on http://{host}:{port}", err=True)
    _Gunicorn(settings, connection, options).run()
