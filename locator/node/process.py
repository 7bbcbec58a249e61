"""Start, stop and inspect the local Elasticsearch process (its files: ``locator.node.files``)."""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from base64 import b64encode
from dataclasses import dataclass
from pathlib import Path

from locator.core.errors import NodeError
from locator.node import files as localnode
from locator.node import security
from locator.node.files import NodePaths


@dataclass(frozen=True)
class NodeStatus:
    url: str
    pid: int
    health: str  # green / yellow / red, or "unreachable"


def _pid_alive(pid: int) -> bool:
    """True when ``pid`` is a live Elasticsearch JVM (a recycled pid of another program is not ours)."""
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False
    return b"org.elasticsearch" in cmdline


def running_pid(paths: NodePaths) -> int | None:
    try:
        pid = int(paths.pid_file.read_text().strip())
    except (OSError, ValueError):
        return None
    return pid if _pid_alive(pid) else None


def health_report(url: str, credentials: dict, timeout: float = 2.0, query: str = "") -> dict | None:
    """``_cluster/health`` (with ``query``, e.g. ``wait_for_nodes=3``) as the admin user; None when unreachable.

    A plain HTTP request: ``es.info()`` does not exist here, and no client is needed to start a node.
    """
    token = b64encode(f"{credentials['username']}:{credentials['password']}".encode()).decode()
    request = urllib.request.Request(f"{url}/_cluster/health?{query}", headers={"Authorization": f"Basic {token}"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            body = response.read()
    except urllib.error.HTTPError as exc:  # 408: a wait_for_* condition not met within its timeout
        if exc.code != 408:
            return None
        body = exc.read()
    except (urllib.error.URLError, OSError):
        return None
    try:
        return json.loads(body)
    except ValueError:
        return None


def cluster_health(url: str, credentials: dict, timeout: float = 2.0) -> str:
    """The cluster's health colour: green / yellow / red, or "unreachable"."""
    report = health_report(url, credentials, timeout)
    return report.get("status", "unreachable") if isinstance(report, dict) else "unreachable"


def status(paths: NodePaths) -> NodeStatus | None:
    pid = running_pid(paths)
    if pid is None:
        return None
    url = localnode.node_url(paths)
    return NodeStatus(url, pid, cluster_health(url, localnode.read_credentials(paths)["admin"]))


def port_in_use(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.settimeout(0.5)
        return probe.connect_ex(("127.0.0.1", port)) == 0


def _launch_command(home: Path, paths: NodePaths) -> list[str]:
    command = [str(home / "bin" / "elasticsearch"), "-d", "-p", str(paths.pid_file)]
    if os.geteuid() == 0:
        user, group = localnode.UNPRIVILEGED
        command = ["setpriv", f"--reuid={user}", f"--regid={group}", "--clear-groups", *command]
    return command


def start(paths: NodePaths, port: int, heap: str, timeout_s: int) -> tuple[NodeStatus, bool]:
    """Start the node unless it runs; return its status and whether this call started it.

    A node that already runs still gets this version's roles and users (``locator.node.security``):
    it re-reads their files by itself, and this waits until they are in force."""
    current = status(paths)
    if current is not None:
        localnode.update_security(paths, localnode.ensure_distribution(paths), localnode.find_java_home())
        security.wait_until_in_force(current.url, paths.state, timeout_s)
        return current, False
    if port_in_use(port):
        raise NodeError(f"port {port} on 127.0.0.1 is already used by another program: stop it, "
                        f"or start the node on another port with --port")
    java_home = localnode.find_java_home()
    home = localnode.ensure_distribution(paths)
    localnode.configure(paths, home, java_home, port, heap)
    url = f"http://127.0.0.1:{port}"
    paths.node_file.write_text(json.dumps({"url": url, "port": port}))
    launch(home, paths, java_home, timeout_s)
    pid = running_pid(paths)
    if pid is None:
        raise NodeError(f"Elasticsearch exited during start-up: see {paths.es / 'logs'}")
    _wait_until_available(url, localnode.read_credentials(paths)["admin"], timeout_s, paths)
    security.wait_until_in_force(url, paths.state, timeout_s)
    return NodeStatus(url, pid, cluster_health(url, localnode.read_credentials(paths)["admin"])), True


def launch(home: Path, paths: NodePaths, java_home: Path, timeout_s: int) -> None:
    """Start the configured node as a daemon; return once it runs (or raise with its log's last lines)."""
    # With -d the launcher returns once the server process is up (or has failed), so no hang here.
    log = paths.es / "logs" / "launcher.log"
    with log.open("ab") as output:
        try:
            result = subprocess.run(_launch_command(home, paths), env=localnode.node_env(paths, java_home),
                                    cwd=paths.es / "logs", stdout=output, stderr=subprocess.STDOUT,
                                    stdin=subprocess.DEVNULL, timeout=timeout_s)
        except subprocess.TimeoutExpired:
            raise NodeError(f"Elasticsearch did not start within {timeout_s}s: see {log}") from None
    if result.returncode != 0:
        tail = " / ".join(log.read_text(errors="replace").strip().splitlines()[-3:])
        raise NodeError(f"Elasticsearch failed to start (exit {result.returncode}): {tail[-400:]} (full log: {log})")


def _wait_until_available(url: str, credentials: dict, timeout_s: int, paths: NodePaths) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if cluster_health(url, credentials) in ("green", "yellow"):
            return
        if running_pid(paths) is None:
            raise NodeError(f"Elasticsearch stopped during start-up: see {paths.es / 'logs'}")
        time.sleep(0.5)
    raise NodeError(f"Elasticsearch at {url} was not at least yellow within {timeout_s}s: see {paths.es / 'logs'}")


def stop(paths: NodePaths, timeout_s: float = 60) -> int | None:
    """Stop exactly the process in the pid file and wait for it to exit; return its pid, None if not running."""
    pid = running_pid(paths)
    if pid is None:
        paths.pid_file.unlink(missing_ok=True)
        return None
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout_s
    while _pid_alive(pid):
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
            deadline = time.monotonic() + 10
        time.sleep(0.2)
    paths.pid_file.unlink(missing_ok=True)
    return pid
