"""The search API: the Flask app (``app.create_app``, also ``locator.api.create_app``) and its parts.

The app and Flask load on first use of ``create_app``, not with the package: the command line
imports ``locator.api.server`` for its ``serve`` command, and so does every indexer worker process
(multiprocessing re-runs the main script, ``partner-locator``, in each), which needs no web stack.
"""
from __future__ import annotations


def __getattr__(name: str):
    if name in ("create_app", "MAX_BODY_BYTES"):
        from locator.api import app

        return getattr(app, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
