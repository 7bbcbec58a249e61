"""The staff app (``partner-locator staff``): analytics for Milestone's program staff, on a bind of
its own (never the public port nor the metrics bind), as the ``staff`` Elasticsearch user, behind
signed, expiring staff links (docs/staff-app.md). Blueprints: ``access`` (links, the session, the
refusal page), ``dashboard`` (the analytics report) and ``coverage`` (coverage gaps); later pages
are blueprints of their own.

Flask loads on first use of ``create_staff_app``, not with the package: the command line imports
``locator.staff.commands``, and so does every indexer worker process (see ``locator.api``).
"""
from __future__ import annotations


def __getattr__(name: str):
    if name == "create_staff_app":
        from locator.staff import app

        return app.create_staff_app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
