"""The local node's files: a real, secured, single-node Elasticsearch that the project fetches and runs.

Layout (see README "Where data lives"):

    <cache_dir>/dist/elasticsearch-<v>.zip      fetched once from Maven Central (Maven checks its checksum)
    <cache_dir>/elasticsearch-<v>/              unpacked distribution, read-only for the node
    <state_dir>/credentials.json (0600)         the file-realm users and their random passwords (node.security)
    <state_dir>/node.json                       url(s) + ports of what was last started from this state dir
    <state_dir>/es/{config,data,logs,tmp,run}   the single node, owned by the account the node runs as
    <state_dir>/cluster/node-<k>/{config,...}   node k of a local cluster (``locator.node.cluster``): a
                                                single node's data cannot join a cluster, so never shared

Elasticsearch refuses to run as root; as root we run it as ``nobody`` through ``setpriv``.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import zipfile
from dataclasses import dataclass
from pathlib import Path

from locator.core.errors import NodeError
from locator.core.es import CREDENTIALS_FILE, NODE_FILE, read_local_credentials, read_local_urls
from locator.core.settings import Settings
from locator.node import security

ARTIFACT = "org.elasticsearch.distribution.integ-test-zip:elasticsearch:{version}:zip"
UNPRIVILEGED = security.UNPRIVILEGED
MIN_JAVA = 17


@dataclass(frozen=True)
class NodePaths:
    cache: Path
    state: Path
    version: str
    number: int = 0  # 0: the single node; k >= 1: node k of a local cluster

    @property
    def zip_file(self) -> Path:
        return self.cache / "dist" / f"elasticsearch-{self.version}.zip"

    @property
    def home(self) -> Path:
        return self.cache / f"elasticsearch-{self.version}"

    @property
    def es(self) -> Path:
        return self.state / "es" if self.number == 0 else self.state / "cluster" / f"node-{self.number}"

    @property
    def config(self) -> Path:
        return self.es / "config"

    @property
    def pid_file(self) -> Path:
        return self.es / "run" / "elasticsearch.pid"

    @property
    def credentials(self) -> Path:
        return self.state / CREDENTIALS_FILE

    @property
    def node_file(self) -> Path:
        return self.state / NODE_FILE


def paths_for(settings: Settings) -> NodePaths:
    return NodePaths(settings.cache_dir, settings.state_dir, settings.local_node.version)


# ---------------------------------------------------------------- fetching and unpacking


def ensure_distribution(paths: NodePaths) -> Path:
    """Fetch (once) and unpack (once) the distribution; return its home directory."""
    if (paths.home / "bin" / "elasticsearch").is_file():
        return paths.home
    if not paths.zip_file.is_file():
        _fetch(paths)
    _unpack(paths)
    return paths.home


def _fetch(paths: NodePaths) -> None:
    mvn = shutil.which("mvn")
    if not mvn:
        raise NodeError("Maven (mvn) is needed to fetch Elasticsearch for the local node: install it "
                        "(Debian: apt-get install maven), or set ELASTICSEARCH_URL to use an existing cluster")
    paths.zip_file.parent.mkdir(parents=True, exist_ok=True)
    command = [mvn, "-q", "-B", "dependency:copy", f"-Dartifact={ARTIFACT.format(version=paths.version)}",
               f"-DoutputDirectory={paths.zip_file.parent}"]
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0 or not paths.zip_file.is_file():
        tail = (result.stdout + result.stderr).strip().splitlines()[-3:]
        raise NodeError(f"could not fetch Elasticsearch {paths.version} with Maven: {' / '.join(tail)}")


def _unpack(paths: NodePaths) -> None:
    # Unpack beside the target and rename, so an interrupted unzip never looks like a complete one.
    staging = paths.cache / f".unpacking-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    with zipfile.ZipFile(paths.zip_file) as archive:
        for member in archive.infolist():
            target = Path(archive.extract(member, staging))
            mode = member.external_attr >> 16
            if mode and not member.is_dir():
                target.chmod(mode & 0o755 | 0o444)
    inner = staging / f"elasticsearch-{paths.version}"
    for directory in [paths.cache, *inner.rglob("*")]:
        if directory.is_dir():
            directory.chmod(0o755)  # readable and traversable by the unprivileged account
    try:
        inner.rename(paths.home)
    except OSError:
        if not (paths.home / "bin" / "elasticsearch").is_file():
            raise
    shutil.rmtree(staging, ignore_errors=True)


# ---------------------------------------------------------------- Java


def find_java_home() -> Path:
    """ES_JAVA_HOME, else JAVA_HOME, else the ``java`` on PATH; Java 17+ required."""
    for variable in ("ES_JAVA_HOME", "JAVA_HOME"):
        if os.environ.get(variable):
            home = Path(os.environ[variable])
            if not (home / "bin" / "java").is_file():
                raise NodeError(f"{variable}={home} has no bin/java: point it at a Java {MIN_JAVA}+ installation")
            break
    else:
        java = shutil.which("java")
        if not java:
            raise NodeError(f"Java {MIN_JAVA} or newer is needed to run the local Elasticsearch node: install it "
                            "(Debian: apt-get install openjdk-17-jre-headless) or set ES_JAVA_HOME, "
                            "or set ELASTICSEARCH_URL to use an existing cluster")
        home = Path(java).resolve().parent.parent
    version = java_major_version(home / "bin" / "java")
    if version < MIN_JAVA:
        raise NodeError(f"Java {version} at {home} is too old: the local Elasticsearch node needs Java {MIN_JAVA} "
                        "or newer (Debian: apt-get install openjdk-17-jre-headless; then set ES_JAVA_HOME)")
    return home


def java_major_version(java: Path) -> int:
    try:
        output = subprocess.run([str(java), "-version"], capture_output=True, text=True, timeout=30).stderr
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise NodeError(f"cannot run {java}: {exc}") from None
    match = re.search(r'version "(\d+)(?:\.(\d+))?', output)
    if not match:
        raise NodeError(f"cannot tell the version of {java}: it printed {output.strip()[:80]!r}")
    major = int(match.group(1))
    return int(match.group(2)) if major == 1 else major  # "1.8.0" is Java 8


# ---------------------------------------------------------------- configuration and users


SINGLE_NODE = ("node.name: local", "discovery.type: single-node")


def _elasticsearch_yml(paths: NodePaths, port: int, topology: tuple[str, ...]) -> str:
    return "\n".join([
        "cluster.name: partner-locator-local",
        *topology,
        "network.host: 127.0.0.1",
        f"http.port: {port}",
        f"path.data: {paths.es / 'data'}",
        f"path.logs: {paths.es / 'logs'}",
        "xpack.security.enabled: true",
        # TLS is off on loopback only: nothing here leaves the machine.
        "xpack.security.http.ssl.enabled: false",
        "xpack.security.transport.ssl.enabled: false",
        # A nearly full disk would otherwise make every index read-only mid-test.
        "cluster.routing.allocation.disk.threshold_enabled: false",
        "action.destructive_requires_name: true",
        "",
    ])


def configure(paths: NodePaths, home: Path, java_home: Path, port: int, heap: str,
              topology: tuple[str, ...] = SINGLE_NODE) -> None:
    """Write the node's config under the state dir; roles and users through ``locator.node.security``.

    ``topology``: the elasticsearch.yml lines naming the node and how it finds the others.
    """
    for sub in ("config", "data", "logs", "tmp", "run"):
        (paths.es / sub).mkdir(parents=True, exist_ok=True)
    for name in ("jvm.options", "log4j2.properties", "users", "users_roles", "role_mapping.yml"):
        if not (paths.config / name).exists():
            shutil.copy(home / "config" / name, paths.config / name)
    (paths.config / "jvm.options.d").mkdir(exist_ok=True)
    (paths.config / "jvm.options.d" / "heap.options").write_text(f"-Xms{heap}\n-Xmx{heap}\n")
    (paths.config / "elasticsearch.yml").write_text(_elasticsearch_yml(paths, port, topology))
    if paths.credentials.exists() and not security.has_user(paths.config, security.USERS["admin"][0]):
        _copy_users(paths)  # a node joining a cluster: the same users as the others, no JVM started
    update_security(paths, home, java_home)
    paths.state.chmod(0o755)  # the node's account must traverse it; credentials.json itself stays 0600
    security.hand_over(paths.es)
    paths.config.chmod(0o700)  # password hashes: for the node's account only


def update_security(paths: NodePaths, home: Path, java_home: Path) -> bool:
    """roles.yml from the shipped role bodies, and a user for every role that has none yet."""
    return security.apply(paths.config, paths.state, security.users_tool(home, node_env(paths, java_home)))


def _copy_users(paths: NodePaths) -> None:
    """Every node of a state dir has the same file-realm users: copy them from one that has them."""
    admin = security.USERS["admin"][0]
    configs = [paths.state / "es" / "config", *sorted((paths.state / "cluster").glob("node-*/config"))]
    source = next((config for config in configs if config != paths.config and security.has_user(config, admin)), None)
    if source is None:
        raise NodeError(f"{paths.credentials} exists but no node of {paths.state} has its users: "
                        f"remove {paths.credentials} to create new ones")
    for name in ("users", "users_roles"):
        shutil.copy(source / name, paths.config / name)


def node_env(paths: NodePaths, java_home: Path) -> dict:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("ES_", "JAVA_"))}
    env.update(ES_PATH_CONF=str(paths.config), ES_JAVA_HOME=str(java_home), ES_TMPDIR=str(paths.es / "tmp"))
    return env


def read_credentials(paths: NodePaths) -> dict:
    return read_local_credentials(paths.state)


def node_url(paths: NodePaths) -> str:
    return read_local_urls(paths.state)[0]


def node_urls(paths: NodePaths) -> tuple[str, ...]:
    return read_local_urls(paths.state)
