"""The local node's roles and file-realm users: on a new node, and on one that already runs.

The roles are the JSON bodies shipped in ``config/roles/`` (the same an operator sends with
``PUT _security/role/<name>`` on a real cluster), written to ``roles.yml``; every role of
``locator.core.es.ROLES`` has one user with a random password, kept in ``credentials.json`` (0600).

Elasticsearch re-reads ``roles.yml`` and the file realm's ``users``/``users_roles`` by itself when
they change (every 5 s by default), so a node started by an older version, whose files lack a role
or a user of this one, is brought up to date without a restart: ``apply`` writes what differs, adds
only the missing users (existing passwords stay), and ``wait_until_in_force`` asks the node until
each user authenticates and holds exactly the read rights its role grants.

A password never goes on a command line (``/proc/<pid>/cmdline`` is readable by every local user):
``elasticsearch-users useradd`` without ``-p`` asks for it twice, and reads both answers from its
standard input when that is not a terminal.
"""
from __future__ import annotations

import fcntl
import json
import os
import secrets
import shutil
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from base64 import b64encode
from contextlib import contextmanager
from fnmatch import fnmatchcase
from pathlib import Path

from locator.core.errors import NodeError
from locator.core.es import ROLES, read_local_credentials
from locator.core.resources import config_file

USERS = {"admin": ("pl_admin", "superuser"), "indexer": ("pl_indexer", "partner_locator_indexer"),
         "reader": ("pl_reader", "partner_locator_reader"), "preview": ("pl_preview", "partner_locator_preview"),
         "events": ("pl_events", "partner_locator_events"), "staff": ("pl_staff", "partner_locator_staff")}
ROLE_NAMES = tuple(role for _, role in USERS.values() if role != "superuser")
UNPRIVILEGED = ("nobody", "nogroup")
if set(USERS) != set(ROLES):
    raise RuntimeError("every role of locator.core.es.ROLES needs a local user")


def role_bodies() -> dict[str, dict]:
    """Role name -> its body, from config/roles/ (the operator's copy first)."""
    return {name: json.loads(config_file(f"roles/{name}.json").read_text(encoding="utf-8")) for name in ROLE_NAMES}


def roles_yml(bodies: dict[str, dict]) -> str:
    # JSON is valid YAML flow style: one line per role.
    return "".join(f"{name}: {json.dumps(body)}\n" for name, body in bodies.items())


@contextmanager
def _locked(state: Path):
    """One writer of the node's security files at a time (two test sessions may start together)."""
    with (state / ".security.lock").open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield


def apply(config: Path, state: Path, run_users_tool) -> bool:
    """Bring roles.yml and the users up to date; True when anything changed.

    ``run_users_tool(*args, password=None)`` runs ``bin/elasticsearch-users`` against ``config``
    (see ``users_tool``): only called when a user is missing (it starts a JVM, a second or two)."""
    with _locked(state):
        changed = _write_if_changed(config / "roles.yml", roles_yml(role_bodies()))
        credentials_path = state / "credentials.json"
        credentials = read_local_credentials(state) if credentials_path.exists() else {}
        missing = [role for role in ROLES if role not in credentials]
        for role in ROLES:
            username, role_name = USERS[role]
            if role in credentials and has_user(config, username):
                continue
            if role in missing:
                credentials[role] = {"username": username, "password": secrets.token_urlsafe(18)}
                if has_user(config, username):  # left by an interrupted run: its password is unknown
                    run_users_tool("userdel", username)
            # Known but not on this node (one of a cluster's): the same password as on the others.
            run_users_tool("useradd", username, "-r", role_name, password=credentials[role]["password"])
            changed = True
        if missing:
            _write_private_json(credentials_path, credentials)
        hand_over(config)
        return changed or bool(missing)


def has_user(config: Path, username: str) -> bool:
    users = config / "users"
    return users.exists() and any(line.split(":", 1)[0] == username for line in users.read_text().splitlines())


def _write_if_changed(path: Path, text: str) -> bool:
    if path.exists() and path.read_text(encoding="utf-8") == text:
        return False
    # Replace, never rewrite in place: the node may read the file at any moment.
    with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=path.parent, delete=False) as handle:
        handle.write(text)
    os.chmod(handle.name, 0o644)
    os.replace(handle.name, path)
    return True


def _write_private_json(path: Path, data: dict) -> None:
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=".credentials-")  # created 0600
    with os.fdopen(descriptor, "w") as handle:
        json.dump(data, handle, indent=2)
    os.replace(temporary, path)


def hand_over(directory: Path) -> None:
    """Give the node's files to the unprivileged account it runs as (only needed as root)."""
    if os.geteuid() != 0:
        return
    user, group = UNPRIVILEGED
    for path in [directory, *directory.rglob("*")]:
        shutil.chown(path, user, group)


def users_tool(home: Path, env: dict, runner=subprocess.run):
    """``run(*args, password=None)``: ``bin/elasticsearch-users ARGS``, the password (when given)
    typed on its standard input, never on the command line. ``runner``: ``subprocess.run`` (tests)."""
    def run(*args: str, password: str | None = None) -> None:
        # useradd without -p prompts "Enter new password" and "Retype new password": both answered here.
        typed = None if password is None else f"{password}\n{password}\n"
        result = runner([str(home / "bin" / "elasticsearch-users"), *args], env=env, input=typed,
                        stdin=subprocess.DEVNULL if typed is None else None, capture_output=True, text=True)
        if result.returncode != 0:
            output = (result.stdout + result.stderr).strip()[-300:]
            raise NodeError(f"elasticsearch-users {args[0]} {args[1]} failed: {output}")

    return run


# ---------------------------------------------------------------- is it in force?


def _probe_names(bodies: dict[str, dict]) -> list[str]:
    """One concrete index name per pattern any role grants: each role's rights are told apart on them."""
    return sorted({name.replace("*", "probe") for body in bodies.values()
                   for grant in body["indices"] for name in grant["names"]})


def expected_reads(body: dict, names: list[str]) -> dict[str, bool]:
    patterns = [pattern for grant in body["indices"] if "read" in grant["privileges"] for pattern in grant["names"]]
    return {name: any(fnmatchcase(name, pattern) for pattern in patterns) for name in names}


def _call(url: str, user: dict, path: str, body: dict | None = None, timeout: float = 5.0) -> dict | None:
    token = b64encode(f"{user['username']}:{user['password']}".encode()).decode()
    request = urllib.request.Request(url + path, data=json.dumps(body).encode() if body is not None else None,
                                     headers={"Authorization": f"Basic {token}", "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return json.loads(response.read())
    except (urllib.error.URLError, OSError, ValueError):
        return None  # not (yet) accepted


def _in_force(url: str, credentials: dict, bodies: dict[str, dict]) -> bool:
    names = _probe_names(bodies)
    for role, (_, role_name) in USERS.items():
        if role_name == "superuser":
            continue
        answer = _call(url, credentials[role], "/_security/user/_has_privileges",
                       {"index": [{"names": names, "privileges": ["read"]}]})
        if answer is None:
            return False
        granted = {name: rights["read"] for name, rights in answer["index"].items()}
        if granted != expected_reads(bodies[role_name], names):
            return False
    return True


def wait_until_in_force(url: str, state: Path, timeout_s: float = 60) -> None:
    """Return once every user authenticates and holds the read rights of its role's body."""
    credentials, bodies = read_local_credentials(state), role_bodies()
    deadline = time.monotonic() + timeout_s
    while not _in_force(url, credentials, bodies):
        if time.monotonic() > deadline:
            raise NodeError(f"the node at {url} did not take the new roles and users within {timeout_s:.0f}s: "
                            "see its logs (roles.yml, users)")
        time.sleep(0.5)
