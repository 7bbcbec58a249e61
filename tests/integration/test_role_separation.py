"""The role separation tests run on an external cluster too, from each role's credentials; without them
they skip and the run says loudly that role separation was not verified.

The local node plays the external cluster (ELASTICSEARCH_URL and the admin's credentials, as an operator
would set them for `make test`), and only the role tests run, in a pytest of their own.
"""
from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from locator.core.settings import load_settings
from tests.conftest import TEST_ROLES, external_role_connection, role_variables
from tests.processes import cli

ROOT = Path(__file__).resolve().parents[2]
ROLE_TESTS = [
    "tests/integration/test_local_node.py::test_the_reader_can_search_but_cannot_create_write_or_delete",
    "tests/integration/test_local_node.py::test_the_indexer_manages_the_projects_indices_and_aliases_only",
    "tests/integration/test_local_node.py::test_the_reader_and_the_preview_user_read_only_their_own_indices",
    "tests/integration/test_preview.py::test_the_reader_cannot_read_the_eligibility_index_and_the_preview_user_only_that",
]


def _exports(role: str) -> dict[str, str]:
    """What `partner-locator es env --role ROLE` tells a shell to export."""
    printed = cli("es", "env", "--role", role)
    assert printed.returncode == 0, printed.stderr
    lines = [line.removeprefix("export ").split("=", 1) for line in printed.stdout.splitlines()]
    return {name: shlex.split(value)[0] for name, value in lines}


@pytest.fixture(scope="module")
def external(es_node) -> dict[str, str]:
    """An environment pointing at the local node as an external cluster, as its admin, with no role variables."""
    if not es_node:
        pytest.skip("needs the local node to play an external cluster")
    unrelated = {name: value for name, value in os.environ.items()
                 if not name.startswith(("ELASTICSEARCH_", "PARTNER_LOCATOR_TEST_"))}
    return {**unrelated, **_exports("admin")}


def _run_role_tests(env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pytest", *ROLE_TESTS, "-p", "no:cacheprovider"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)


def _outcome(run: subprocess.CompletedProcess) -> str:
    return run.stdout.strip().splitlines()[-1]


def test_with_each_roles_credentials_every_role_test_runs_on_an_external_cluster(external):
    env = dict(external)
    for role in TEST_ROLES:
        user = _exports(role)
        username, password, _ = role_variables(role)
        env[username], env[password] = user["ELASTICSEARCH_USERNAME"], user["ELASTICSEARCH_PASSWORD"]
    assert env["ELASTICSEARCH_USERNAME"] == "pl_admin"  # the suite's own user is not any of the roles
    run = _run_role_tests(env)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    assert re.fullmatch(rf"=+ {len(ROLE_TESTS)} passed in .*", _outcome(run)), _outcome(run)
    assert "NOT VERIFIED" not in run.stdout


def test_without_them_the_role_tests_skip_and_the_summary_says_so_loudly(external):
    run = _run_role_tests(external)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    assert re.fullmatch(rf"=+ {len(ROLE_TESTS)} skipped in .*", _outcome(run)), _outcome(run)
    summary = run.stdout[run.stdout.index("ROLE SEPARATION NOT VERIFIED"):run.stdout.index("short test summary info")]
    assert "Role separation was NOT verified on the external cluster" in summary and "SKIPPED" in summary
    for role in TEST_ROLES:
        assert all(name in summary for name in role_variables(role)), role
    assert "ELASTICSEARCH_PREVIEW_USERNAME" in summary


def test_each_role_is_read_from_its_own_variables_and_the_preview_user_also_from_the_products():
    cluster = {"ELASTICSEARCH_URL": "https://es1.example:9243,https://es2.example:9243",
               "ELASTICSEARCH_USERNAME": "suite", "ELASTICSEARCH_PASSWORD": "suite-password"}
    given = {"PARTNER_LOCATOR_TEST_READER_USERNAME": "reads", "PARTNER_LOCATOR_TEST_READER_PASSWORD": "r-password",
             "PARTNER_LOCATOR_TEST_INDEXER_API_KEY": "indexer-key",
             "ELASTICSEARCH_PREVIEW_USERNAME": "previews", "ELASTICSEARCH_PREVIEW_PASSWORD": "p-password"}
    settings = load_settings({**cluster, **given})
    reader, indexer, preview = (external_role_connection(settings, role, given) for role in ("reader", "indexer", "preview"))
    assert (reader.username, reader.password, reader.api_key) == ("reads", "r-password", None)
    assert (indexer.username, indexer.password, indexer.api_key) == (None, None, "indexer-key")
    assert (preview.username, preview.password) == ("previews", "p-password")  # the product's own preview user
    assert reader.hosts == indexer.hosts == preview.hosts == ("https://es1.example:9243", "https://es2.example:9243")
    own = {**given, "PARTNER_LOCATOR_TEST_PREVIEW_USERNAME": "tests-preview", "PARTNER_LOCATOR_TEST_PREVIEW_PASSWORD": "t"}
    assert external_role_connection(load_settings({**cluster, **own}), "preview", own).username == "tests-preview"
    assert external_role_connection(load_settings(cluster), "reader", {}) is None
    half = {"PARTNER_LOCATOR_TEST_READER_USERNAME": "reads"}  # a user without a password is no credentials
    assert external_role_connection(load_settings(cluster), "reader", half) is None
