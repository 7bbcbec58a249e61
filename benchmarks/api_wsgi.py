"""The Partner Locator API as a plain WSGI module, for ``api_speed.py --granian`` only (issue 20).

``partner-locator serve`` runs the app under gunicorn with hooks granian has no equivalent of (the
metrics exporter, the JSON error pages of requests refused before Flask, worker exits); this module
serves the same app without them, to measure what the server alone changes:
``granian --interface wsgi --workers 2 --blocking-threads 4 api_wsgi:app`` from benchmarks/.
Settings and the index prefix come from the environment, as for ``serve``; api_speed.py also sets
``PROMETHEUS_MULTIPROC_DIR``, so that its metrics cost what serve's do.
"""
from __future__ import annotations

from locator.api import create_app
from locator.api.server import freeze_startup_objects
from locator.core.es import connection_for
from locator.core.settings import load_settings

_settings = load_settings()
app = create_app(_settings, connection=connection_for(_settings, "reader"))
freeze_startup_objects()  # as serve does in each worker
