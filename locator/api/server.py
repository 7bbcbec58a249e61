"""``partner-locator serve``: the API behind gunicorn, a production WSGI server.

Around the app: gunicorn's own error answers (a request line or headers over the limits below,
a malformed request) are given in the API's JSON error shape too, and the workers' metrics are
served by the master on their own bind (``locator.api.metrics``). A port that is taken (a second
``serve`` on one machine) is one line naming it and the setting to change, before gunicorn starts.
"""
from __future__ import annotations

import atexit
import errno
import functools
import gc
import socket
from typing import Callable

import click
import orjson
from gunicorn import util as gunicorn_util
from gunicorn.app.base import BaseApplication

from locator.core.connection import Connection
from locator.core.errors import UserFacingError
from locator.core.es import connection_for, make_client
from locator.core.mapping import sites_alias
from locator.core.settings import Settings, env_name

# Bounded request line and headers: a GET API needs little, and big ones are a cheap attack.
# Documented in the OpenAPI spec (414 and 431 answers).
LIMITS = {"limit_request_line": 4094, "limit_request_fields": 50, "limit_request_field_size": 8190}


def json_error_page(sock, status_int: int, reason: str, mesg: str) -> None:
    """Replaces ``gunicorn.util.write_error`` in the workers: gunicorn answers requests it cannot
    parse before Flask sees them, with an HTML page; gunicorn has no hook for that page's body."""
    from locator.api.errors import code_of, error_body  # Flask: loaded when serving, see locator.api

    body = orjson.dumps(error_body(status_int, code_of(reason), mesg or reason))
    head = (f"HTTP/1.1 {status_int} {reason}\r\nConnection: close\r\nContent-Type: application/json\r\n"
            f"Cache-Control: no-store\r\nContent-Length: {len(body)}\r\n\r\n")
    gunicorn_util.write(sock, head.encode("latin-1") + body)


def _post_worker_init(worker) -> None:
    gunicorn_util.write_error = json_error_page
    freeze_startup_objects()


def freeze_startup_objects() -> None:
    """Keep the garbage collector off what a worker holds for its whole life (issue 20's long tail).

    A loaded worker holds ~120,000 objects (the libraries, the app, the gazetteer's towns); every
    full collection walked them all, ~75 ms that fell on whichever request triggered it. Frozen,
    they are never walked again; what requests make is still collected as before."""
    gc.collect()
    gc.freeze()


class Gunicorn(BaseApplication):
    """gunicorn with ``options``, serving what ``make_app()`` returns: called in each worker, after the
    fork, so that a client's connection pool is never shared (the staff app is served the same way)."""

    def __init__(self, options: dict, make_app: Callable[[], object]):
        self._options, self._make_app = options, make_app
        super().__init__()

    def load_config(self) -> None:
        for key, value in self._options.items():
            self.cfg.set(key, value)

    def load(self):
        return self._make_app()


def _search_app(settings: Settings, connection: Connection):
    from locator.api import create_app  # Flask: loaded in the workers, see locator.api

    return create_app(settings, connection=connection)


def _gunicorn_address(host: str, port: int) -> tuple[int, tuple]:
    """How gunicorn binds ``--host``: an IPv6 literal on an IPv6 socket, anything else IPv4."""
    return (socket.AF_INET6, (host.strip("[]"), port)) if ":" in host else (socket.AF_INET, (host, port))


def _exporter_address(host: str, port: int) -> tuple[int, tuple]:
    """How prometheus_client binds the metrics: the first address the host resolves to."""
    family, _, _, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)[0]
    return family, address


def _bind_problem(resolve, host: str, port: int) -> str | None:
    """Why host:port cannot be listened on now (bound as ``resolve`` says, with SO_REUSEADDR as both do), or None."""
    try:
        family, address = resolve(host, port)
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind(address)
    except OSError as exc:  # socket.gaierror included: a host that is not this machine's
        return _reason(exc)
    return None


def _reason(exc: OSError) -> str:
    if exc.errno == errno.EADDRINUSE:
        return "the port is in use (another `partner-locator serve`?)"
    return (exc.strerror or str(exc)).lower()


def _public_port_message(host: str, port: int, why: str) -> str:
    return f"cannot serve on {host}:{port}: {why}: choose another port with --port (or another --host)"


def _metrics_port_message(host: str, port: int, why: str) -> str:
    return (f"cannot serve metrics on {host}:{port}: {why}: choose another port with --metrics-port or "
            f"{env_name('api', 'metrics_port')}, or 0 for no metrics")


def check_ports(host: str, port: int, metrics_host: str, metrics_port: int) -> None:
    """Both binds are free, or one line saying which is not and what to set: before gunicorn starts
    (it would retry a taken public port for 5 s, and the exporter's bind would end in a traceback)."""
    why = _bind_problem(_gunicorn_address, host, port)
    if why:
        raise UserFacingError(_public_port_message(host, port, why))
    if not metrics_port:
        return
    why = "it is the public port" if metrics_port == port else _bind_problem(_exporter_address, metrics_host, metrics_port)
    if why:
        raise UserFacingError(_metrics_port_message(metrics_host, metrics_port, why))


def start_exporter(host: str, port: int, live_index) -> None:
    """Gunicorn's when_ready hook (the master, before any worker): a port taken since ``check_ports``
    is the same one line (gunicorn lets the error through, and the CLI prints it)."""
    from locator.api import metrics  # Flask: loaded when serving, see locator.api

    try:
        metrics.start_exporter(host, port, live_index)
    except OSError as exc:
        raise UserFacingError(_metrics_port_message(host, port, _reason(exc))) from None


def _metrics_hooks(settings: Settings, connection: Connection, host: str, port: int) -> dict:
    """Gunicorn hooks: the master serves every worker's metrics on host:port and forgets dead workers."""
    from locator.api import metrics  # Flask: loaded when serving, see locator.api

    directory = metrics.prepare_multiprocess_dir()
    atexit.register(metrics.remove_multiprocess_dir, directory)

    clients = []  # one client, made at the first scrape (after the workers were forked)

    def live_index() -> dict | None:
        from locator.api.service import live_index_facts

        if not clients:
            clients.append(make_client(connection, settings.elasticsearch, "reader"))
        return live_index_facts(clients[0], sites_alias(settings.index_prefix))

    return {"when_ready": lambda server: start_exporter(host, port, live_index),
            "child_exit": lambda server, worker: metrics.worker_exited(worker.pid)}


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=click.IntRange(1, 65535), default=5000, show_default=True)
@click.option("--workers", type=click.IntRange(1, 64), default=2, show_default=True, help="worker processes")
@click.option("--threads", type=click.IntRange(1, 64), default=4, show_default=True, help="threads per worker")
@click.option("--metrics-port", type=click.IntRange(0, 65535),
              help="port of /metrics on [api] metrics_host, 0 for none [default: from config, 9464]")
@click.pass_obj
def serve_command(settings: Settings, host: str, port: int, workers: int, threads: int, metrics_port: int | None) -> None:
    """Serve the search API and the frontend (gunicorn, gthread workers); metrics on a bind of their own."""
    options = {"bind": f"{host}:{port}", "workers": workers, "threads": threads, "worker_class": "gthread",
               "accesslog": None, "timeout": 30, "graceful_timeout": 10, "preload_app": False,
               "post_worker_init": _post_worker_init, **LIMITS,
               # gunicorn believes X-Forwarded-Proto from 127.0.0.1 by default: only the app's
               # api.trusted_proxies (werkzeug's ProxyFix) decides which forwarded headers count.
               "forwarded_allow_ips": ""}
    connection = connection_for(settings, "reader")  # a node never started: one clear line, before any worker
    metrics_port = settings.api.metrics_port if metrics_port is None else metrics_port
    check_ports(host, port, settings.api.metrics_host, metrics_port)
    if metrics_port:
        options.update(_metrics_hooks(settings, connection, settings.api.metrics_host, metrics_port))
        click.echo(f"metrics on http://{settings.api.metrics_host}:{metrics_port}/metrics", err=True)
    click.echo(f"serving Partner Locator on http://{host}:{port}", err=True)
    Gunicorn(options, functools.partial(_search_app, settings, connection)).run()
