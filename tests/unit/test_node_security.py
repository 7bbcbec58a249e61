"""The local node's users: their passwords never appear on a command line (other local users can
read every process's /proc/<pid>/cmdline), and they reach elasticsearch-users on its standard input."""
from __future__ import annotations

import json
import stat
import subprocess
from pathlib import Path

import pytest

from locator.core.errors import NodeError
from locator.node import security


class _FakeUsersTool:
    """Stands in for subprocess.run: records each command line and what was typed, and writes the
    file-realm line that useradd would (with a made-up hash), so a second apply finds the users."""

    def __init__(self, config: Path, returncode: int = 0):
        self.config, self.returncode, self.calls = config, returncode, []

    def __call__(self, argv, **options):
        self.calls.append((list(argv), options.get("input")))
        if self.returncode == 0 and argv[1] == "useradd":
            with (self.config / "users").open("a") as users:
                users.write(f"{argv[2]}:$2a$10$notarealhash\n")
        return subprocess.CompletedProcess(argv, self.returncode, stdout="Enter new password: Retype new password: ",
                                           stderr="" if self.returncode == 0 else "ERROR: something went wrong")


@pytest.fixture
def dirs(tmp_path: Path) -> tuple[Path, Path]:
    config, state = tmp_path / "config", tmp_path / "state"
    config.mkdir()
    state.mkdir()
    return config, state


def test_new_users_get_their_passwords_on_stdin_never_on_the_command_line(dirs):
    config, state = dirs
    fake = _FakeUsersTool(config)
    assert security.apply(config, state, security.users_tool(Path("/es-home"), {}, runner=fake))
    credentials = json.loads((state / "credentials.json").read_text())
    assert stat.S_IMODE((state / "credentials.json").stat().st_mode) == 0o600
    assert sorted(credentials) == sorted(security.USERS)
    added = {argv[2]: (argv, typed) for argv, typed in fake.calls if argv[1] == "useradd"}
    for role, (username, role_name) in security.USERS.items():
        argv, typed = added[username]
        password = credentials[role]["password"]
        assert argv == ["/es-home/bin/elasticsearch-users", "useradd", username, "-r", role_name]
        assert password not in " ".join(argv)
        assert typed == f"{password}\n{password}\n"  # "Enter new password", "Retype new password"
    # A second start finds every user: no tool started, nothing typed again.
    fake.calls.clear()
    security.apply(config, state, security.users_tool(Path("/es-home"), {}, runner=fake))
    assert fake.calls == []


def test_a_node_of_a_cluster_gets_the_known_passwords_on_stdin_too(dirs):
    config, state = dirs
    known = {role: {"username": username, "password": f"known-{role}-password"} for role, (username, _) in security.USERS.items()}
    (state / "credentials.json").write_text(json.dumps(known))
    fake = _FakeUsersTool(config)
    security.apply(config, state, security.users_tool(Path("/es-home"), {}, runner=fake))
    assert len(fake.calls) == len(security.USERS)
    for argv, typed in fake.calls:
        assert not any("password" in part for part in argv)
        role = next(role for role, (username, _) in security.USERS.items() if username == argv[2])
        assert typed == f"known-{role}-password\n" * 2


def test_a_failing_tool_is_named_without_the_password(dirs):
    config, state = dirs
    fake = _FakeUsersTool(config, returncode=65)
    with pytest.raises(NodeError, match="elasticsearch-users useradd pl_admin failed: .*something went wrong") as caught:
        security.users_tool(Path("/es-home"), {}, runner=fake)("useradd", "pl_admin", "-r", "superuser",
                                                                password="typed-secret-1234")
    assert "typed-secret-1234" not in str(caught.value)


def test_a_command_without_a_password_gets_no_input():
    calls = []
    security.users_tool(Path("/es-home"), {}, runner=lambda argv, **options: calls.append(options)
                        or subprocess.CompletedProcess(argv, 0, "", ""))("userdel", "pl_admin")
    assert calls[0]["input"] is None and calls[0]["stdin"] is subprocess.DEVNULL  # never waits on a prompt
