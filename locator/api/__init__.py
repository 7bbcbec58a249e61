"""The search API: the Flask app (``app.create_app``, also ``locator.api.create_app``) and its parts.

The app and Flask load on first use of ``create_app``, not with the package: ``serve``'s module
(``locator.api.server``) is imported before gunicorn starts, and the app is built in each worker.
(The command line imports no command's module until that command runs: every indexer worker process
re-runs the main script, ``partner-locator``, and needs none of them; ``locator/cli.py``.)
"""
from __future__ import annotations


def __getattr__(name: str):
    if name in ("create_app", "MAX_BODY_BYTES"):
        from locator.api import app

        return getattr(app, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
