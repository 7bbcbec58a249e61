"""The local sample's secrets: made once for ``make run``, kept in the state dir, mode 0600.

Previews are off without ``PARTNER_LOCATOR_PREVIEW_SECRET``, search analytics without
``PARTNER_LOCATOR_ANALYTICS_TOKEN_SECRET`` and the staff app without ``PARTNER_LOCATOR_STAFF_SECRET``;
``serve`` never reads these files: only ``make run`` (and ``make staff``) export them
(``partner-locator es secret NAME``), so a newcomer sees previews, analytics and the staff app on
the sample while every other deployment still sets its own secrets. The files are never in the
checkout, and a secret is never printed to a terminal (the command refuses one).
"""
from __future__ import annotations

import os
import secrets
import stat
import tempfile
from pathlib import Path

from locator.core.errors import NodeError
from locator.core.settings import MIN_SECRET_LENGTH

# Each secret's setting (the variable make exports); its file is <state>/<name>-secret.
SETTINGS = {"preview": "PARTNER_LOCATOR_PREVIEW_SECRET", "analytics": "PARTNER_LOCATOR_ANALYTICS_TOKEN_SECRET",
            "staff": "PARTNER_LOCATOR_STAFF_SECRET"}


def local_secret(state: Path, name: str) -> str:
    """The secret in ``<state>/<name>-secret``, made the first time (two calls at once get the same one)."""
    path = Path(state) / f"{name}-secret"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        _create(path)
    return _read(path)


def _create(path: Path) -> None:
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}-")  # created 0600
    try:
        with os.fdopen(descriptor, "w") as handle:
            handle.write(secrets.token_urlsafe(48) + "\n")
        os.link(temporary, path)  # complete, and never over one that exists: the first one made stays
    except FileExistsError:
        pass
    finally:
        os.unlink(temporary)


def _read(path: Path) -> str:
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        raise NodeError(f"{path} can be read by other users (mode {mode:o}): `chmod 600` it, or delete it for a new secret")
    secret = path.read_text(encoding="utf-8").strip()
    if len(secret) < MIN_SECRET_LENGTH:
        raise NodeError(f"{path} holds no usable secret: delete it, and a new one is made")
    return secret
