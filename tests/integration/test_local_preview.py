"""`make run`'s partner previews: the local sample's secret (made once, 0600, in the state dir, never
in a setting) and a preview link to a listed partner that the app opens. `serve` itself never reads
the secret's file (previews stay off without the setting: tests/integration/test_preview.py)."""
from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from markupsafe import escape

from locator.api import create_app
from locator.core import preview_tokens
from locator.core.es import connect
from locator.core.settings import load_settings
from tests.previews import run_cli
from tests.processes import cli

STATE = "PARTNER_LOCATOR_LOCAL_NODE_STATE_DIR"


def test_the_local_secret_is_made_once_private_and_the_same_every_time(tmp_path: Path):
    state = tmp_path / "state"
    first = cli("es", "secret", "preview", env={STATE: str(state)}, timeout=60)
    assert first.returncode == 0, first.stderr
    secret = first.stdout.strip()
    assert len(secret) >= 32 and secret not in first.stderr
    path = state / "preview-secret"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert cli("es", "secret", "preview", env={STATE: str(state)}, timeout=60).stdout.strip() == secret
    assert path.read_text().strip() == secret
    # Only make run exports it: settings (and so serve) never pick it up from the state dir.
    assert load_settings({STATE: str(state)}).preview.secret == ""


def test_two_first_calls_at_once_agree_on_one_secret(tmp_path: Path):
    state = tmp_path / "state"
    command = [sys.executable, "-m", "locator.cli", "es", "secret", "preview"]
    env = {**os.environ, STATE: str(state)}
    running = [subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
               for _ in range(3)]
    outputs = {process.communicate(timeout=60)[0].strip() for process in running}
    assert len(outputs) == 1 and len(outputs.pop()) >= 32
    assert [path.name for path in state.iterdir()] == ["preview-secret"]  # no temporary file left behind


def test_a_secret_file_others_can_read_is_refused_not_used(tmp_path: Path):
    state = tmp_path / "state"
    cli("es", "secret", "preview", env={STATE: str(state)}, timeout=60)
    (state / "preview-secret").chmod(0o644)
    refused = cli("es", "secret", "preview", env={STATE: str(state)}, timeout=60)
    assert refused.returncode == 1 and refused.stdout == ""
    assert "can be read by other users" in refused.stderr and "chmod 600" in refused.stderr


def test_the_example_link_opens_a_listed_partners_preview(tmp_path: Path, listed_sample, gazetteer):
    secret = cli("es", "secret", "preview", env={STATE: str(tmp_path / "state")}, timeout=60).stdout.strip()
    printed = run_cli(listed_sample.prefix, "preview-link", "--example", secret=secret)
    assert printed.code == 0, printed.err
    url = printed.out.strip()
    token = parse_qs(urlsplit(url).query)["token"][0]
    partner = preview_tokens.read(secret, token).partner_id
    listed = sorted({doc["partner_id"] for doc in listed_sample.documents.values()})
    assert partner == listed[0] and f"partner {partner}" in printed.err  # the first listed partner, named
    settings = listed_sample.settings.replace("preview", secret=secret)
    app = create_app(settings, es=connect(settings, "reader"), gazetteer=gazetteer, preview_es=connect(settings, "preview"))
    page = app.test_client().get(urlsplit(url).path + "?" + urlsplit(url).query)
    assert page.status_code == 200
    company = next(doc["company"] for doc in listed_sample.documents.values() if doc["partner_id"] == partner)
    assert str(escape(company)) in page.get_data(as_text=True)


def test_the_example_needs_no_partner_id_and_refuses_both(listed_sample):
    both = run_cli(listed_sample.prefix, "preview-link", "P1", "--example")
    neither = run_cli(listed_sample.prefix, "preview-link")
    assert both.code == neither.code == 2 and "either PARTNER_ID or --example" in both.err + neither.err
