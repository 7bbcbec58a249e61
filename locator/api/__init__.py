"""The search API: the Flask app factory."""
from __future__ import annotations

from pathlib import Path

from elasticsearch import Elasticsearch
from flask import Flask, send_from_directory
from flask_cors import CORS

from locator.api import access_log, errors
from locator.api.jsonio import OrjsonProvider, json_response
from locator.api.service import SearchService
from locator.api.spec import build_spec
from locator.api.views import api, health
from locator.gazetteer import Gazetteer
from locator.settings import Settings, load_settings

STATIC_DIR = Path(__file__).resolve().parent.parent.parent / "static"


def create_app(settings: Settings | None = None, es: Elasticsearch | None = None,
               gazetteer: Gazetteer | None = None) -> Flask:
    """Build the app; the client and gazetteer are made once here, never per request."""
    from locator.es import make_client

    settings = settings or load_settings()
    app = Flask(__name__, static_folder=str(STATIC_DIR), static_url_path="/static")
    app.json = OrjsonProvider(app)
    app.config["MAX_CONTENT_LENGTH"] = 16 * 1024  # the API is read-only: no request needs a body
    app.extensions["partner_locator"] = SearchService(
        es or make_client(settings, "reader"), gazetteer or Gazetteer.open(settings.cache_dir), settings)
    origins = [origin.strip() for origin in settings.api["cors_origins"].split(",") if origin.strip()]
    CORS(app, resources={r"/api/*": {"origins": origins, "methods": ["GET", "OPTIONS"]}},
         supports_credentials=False, expose_headers=["X-Request-ID", "ETag"], max_age=600)
    errors.register(app)
    access_log.init_app(app)
    app.register_blueprint(api)
    app.register_blueprint(health)
    spec = build_spec()

    @app.get("/api/v1/openapi.json")
    def openapi():
        return json_response(spec)

    @app.get("/api/v1/docs")
    def docs():
        return send_from_directory(STATIC_DIR, "docs.html")

    @app.get("/")
    def index():
        return send_from_directory(STATIC_DIR, "index.html")

    return app
