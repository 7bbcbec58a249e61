"""`serve` around gunicorn: the function it replaces still has the shape it mirrors, and a taken port
is one line naming it and the setting to change (the whole command: tests/integration/test_serve_ports.py)."""
from __future__ import annotations

import errno
import inspect
import socket

import gunicorn.util
import gunicorn.workers.base
import pytest

from locator.api import server
from locator.core.errors import UserFacingError


def _shape(function) -> list[tuple]:
    return [(parameter.name, parameter.kind, parameter.default) for parameter in inspect.signature(function).parameters.values()]


def test_json_error_page_has_exactly_the_signature_of_the_gunicorn_function_it_replaces():
    # setup.cfg pins the gunicorn release line this was checked against; a release that changes
    # write_error fails here (and the JSON 414/431 of tests/integration/test_edge.py through a real serve).
    assert gunicorn.util.write_error is not server.json_error_page, "patched in this process: the original is needed"
    assert _shape(gunicorn.util.write_error) == [(name, inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.empty)
                                                 for name in ("sock", "status_int", "reason", "mesg")]
    assert _shape(server.json_error_page) == _shape(gunicorn.util.write_error)


def test_gunicorn_workers_still_answer_unparsable_requests_through_util_write_error():
    # The replacement works by rebinding the module attribute: the call must look it up there.
    assert "util.write_error(" in inspect.getsource(gunicorn.workers.base.Worker.handle_error)


class _Socket:
    def __init__(self):
        self.sent = b""

    def sendall(self, data: bytes) -> None:
        self.sent += data


def test_json_error_page_writes_a_complete_json_answer():
    import orjson

    sock = _Socket()
    server.json_error_page(sock, 414, "Request-URI Too Long", "the request line is over 4094 bytes")
    head, _, body = sock.sent.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 414 Request-URI Too Long\r\n") and b"Content-Type: application/json" in head
    assert f"Content-Length: {len(body)}".encode() in head
    assert orjson.loads(body)["error"]["status"] == 414


@pytest.fixture
def taken_port():
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        yield holder.getsockname()[1]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_taken_metrics_port_names_the_port_and_its_settings(taken_port):
    with pytest.raises(UserFacingError) as caught:
        server.check_ports("127.0.0.1", _free_port(), "127.0.0.1", taken_port)
    message = str(caught.value)
    assert f"127.0.0.1:{taken_port}" in message and "in use" in message and "\n" not in message
    assert "--metrics-port" in message and "PARTNER_LOCATOR_API_METRICS_PORT" in message and "0 for no metrics" in message


def test_a_taken_public_port_names_the_port_and_the_option(taken_port):
    with pytest.raises(UserFacingError) as caught:
        server.check_ports("127.0.0.1", taken_port, "127.0.0.1", 0)
    assert f"127.0.0.1:{taken_port}" in str(caught.value) and "--port" in str(caught.value)


def test_metrics_on_the_public_port_is_refused_and_free_ports_pass():
    port = _free_port()
    with pytest.raises(UserFacingError, match="it is the public port.*--metrics-port"):
        server.check_ports("127.0.0.1", port, "127.0.0.1", port)
    server.check_ports("127.0.0.1", port, "127.0.0.1", 0)  # no metrics: only the public port is checked
    server.check_ports("127.0.0.1", port, "127.0.0.1", _free_port())


def test_a_metrics_port_taken_after_the_check_is_the_same_one_line(monkeypatch):
    from locator.api import metrics

    def taken(host, port, live_index):
        raise OSError(errno.EADDRINUSE, "Address already in use")

    monkeypatch.setattr(metrics, "start_exporter", taken)
    with pytest.raises(UserFacingError, match="cannot serve metrics on 127.0.0.1:9464: the port is in use.*--metrics-port"):
        server.start_exporter("127.0.0.1", 9464, lambda: None)
