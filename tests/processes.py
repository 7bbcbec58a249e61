"""Running the project's own commands in tests: the CLI, free loopback ports, and a `serve` process."""
from __future__ import annotations

import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path


def cli(*args: str, env: dict | None = None, timeout: int = 240) -> subprocess.CompletedProcess:
    """``partner-locator ARGS`` with ``env`` added to this process's environment."""
    return subprocess.run([sys.executable, "-m", "locator.cli", *args], capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=timeout)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _bindable(port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _ephemeral_ports() -> range:
    """The ports the kernel hands to outgoing connections (Linux: ip_local_port_range)."""
    try:
        low, high = map(int, Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split())
    except (OSError, ValueError):
        low, high = 32768, 60999  # Linux's default
    return range(low, high + 1)


def free_port_block(count: int, avoid: range = range(0)) -> int:
    """The first of ``count`` consecutive free ports, far from the developer's 5000 and 9200-9400, and
    below the kernel's ephemeral range: a node restarted by a drill binds its ports again, and an
    outgoing connection of the load (tens of thousands of them) must not have taken one meanwhile."""
    top = max(20_000 + 1_000, min(_ephemeral_ports().start, 50_000))
    for _ in range(200):
        base = random.randrange(20_000, top - count)
        ports = range(base, base + count)
        if not set(ports) & set(avoid) and all(_bindable(port) for port in ports):
            return base
    raise RuntimeError(f"no {count} consecutive free ports found")


def node_workdir(prefix: str) -> Path:
    """A fresh directory for nodes of the tests' own: under /var/tmp and world-traversable, because
    as root the nodes run as 'nobody' and must reach it."""
    directory = Path(tempfile.mkdtemp(prefix=prefix, dir="/var/tmp"))
    directory.chmod(0o755)
    return directory


def get(url: str, timeout: float = 5.0) -> tuple[int, dict, bytes]:
    """(status, headers, body) of a GET; HTTP errors are answers too."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


class Server:
    """``partner-locator serve`` on a port of its own (and metrics on another), until ``stop``."""

    def __init__(self, env: dict, log: Path, workers: int = 2):
        self.port, self.metrics_port = free_port(), free_port()
        self.url, self.metrics_url = f"http://127.0.0.1:{self.port}", f"http://127.0.0.1:{self.metrics_port}/metrics"
        self.log = log.open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "locator.cli", "serve", "--port", str(self.port), "--workers", str(workers),
             "--metrics-port", str(self.metrics_port)],
            env={**os.environ, **env}, stdout=self.log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)

    def wait_ready(self, timeout_s: float = 90) -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"serve exited with {self.process.returncode}: see {self.log.name}")
            try:
                if get(f"{self.url}/readyz", timeout=2)[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"serve was not ready within {timeout_s}s: see {self.log.name}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()
