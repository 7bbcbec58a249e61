"""The search API's Flask app factory (also found as ``locator.api.create_app``)."""
from __future__ import annotations

import logging
import time
from typing import Callable

from elasticsearch import Elasticsearch
from flask import Flask, Request, request
from flask_cors import CORS
from werkzeug.exceptions import RequestEntityTooLarge, SecurityError
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import MapAdapter

from locator.api import access_log, budget, compression, errors, headers, i18n, metrics, preview
from locator.api.answer_tokens import AnswerTokens
from locator.api.event_recorder import start_recorder
from locator.api.events_view import RECORDER, events, warm_up
from locator.api.jsonio import OrjsonProvider, json_response
from locator.api.pages import pages
from locator.api.service import SearchService
from locator.api.sitemap import sitemap
from locator.api.sitepages import not_found_page, site_pages
from locator.api.spec import build_spec
from locator.api.urls import trusted_hosts
from locator.api.views import api, health
from locator.core.connection import Connection
from locator.core.errors import UserFacingError
from locator.core.es import connection_for, make_client
from locator.core.gazetteer import Gazetteer
from locator.core.mapping import sites_alias
from locator.core.resources import static_dir
from locator.core.settings import Settings

log = logging.getLogger("partner_locator.api")
MAX_BODY_BYTES = 16 * 1024
# Load balancers and orchestrators probe these by address (Host: 10.0.3.7:5000): they answer
# whatever the Host, and build no address from it.
ANY_HOST_PATHS = frozenset({"/livez", "/readyz"})


class LocatorFlask(Flask):
    """Flask with ``TRUSTED_HOSTS`` checked on every request except the health checks."""

    def create_url_adapter(self, request: Request | None) -> MapAdapter | None:
        if request is not None and request.path in ANY_HOST_PATHS:
            return self.url_map.bind_to_environ(request.environ, subdomain=self.url_map.default_subdomain or "")
        return super().create_url_adapter(request)


def create_app(settings: Settings, *, connection: Connection | None = None, es: Elasticsearch | None = None,
               gazetteer: Gazetteer | None = None, preview_es: Elasticsearch | None = None,
               events_es: Elasticsearch | None = None, clock: Callable[[], float] = time.time) -> Flask:
    """Build the app; the client (from ``connection``, as the reader, unless one is given) and the
    gazetteer are made once here, never per request. The partner preview routes use a second client,
    the ``preview`` user's (``preview_es``, else from the settings), and the analytics events' writer
    a third, the ``events`` user's (``events_es``, else from the settings)."""
    if es is None and connection is None:
        raise TypeError("create_app needs a connection (or a client)")
    static = static_dir()
    app = LocatorFlask(__name__, static_folder=str(static), static_url_path="/static")
    app.json = OrjsonProvider(app)
    app.config["MAX_CONTENT_LENGTH"] = MAX_BODY_BYTES
    # Absolute addresses (canonical links, the sitemap, page_url) are made from the request's host
    # when api.public_url is empty: only these hosts are answered at all (urls.py).
    app.config["TRUSTED_HOSTS"] = trusted_hosts(settings.api)

    @app.before_request
    def _refuse_untrusted_hosts():
        # Flask found the Host untrusted while matching the URL: answered first, before any other
        # hook or view (nothing counted, no page or address made from it).
        if isinstance(request.routing_exception, SecurityError):
            return errors.error_response(400, "untrusted_host", "this server does not answer for the host named in "
                                                                "the request (its Host header); see api.trusted_hosts")
        return None

    @app.before_request
    def _refuse_big_bodies():
        # Only the analytics beacon has a body (a few hundred bytes); Flask only checks the limit when reading one.
        if (request.content_length or 0) > MAX_BODY_BYTES:
            raise RequestEntityTooLarge(f"request bodies are limited to {MAX_BODY_BYTES} bytes")
    es = es or make_client(connection, settings.elasticsearch, "reader")
    gazetteer = gazetteer or Gazetteer.open(settings.cache_dir)
    # Analytics (issue 18): each answer's search_token and the events endpoint's writer, or neither.
    events_es = _events_client(settings, events_es)
    tokens = (AnswerTokens(settings.analytics.token_secret, es, sites_alias(settings.index_prefix), gazetteer, clock)
              if events_es is not None else None)
    search = SearchService(es, gazetteer, settings, tokens)
    app.extensions["partner_locator"] = search
    CORS(app, resources={r"/api/*": {"origins": list(settings.api.cors_origins), "methods": ["GET", "OPTIONS"]}},
         supports_credentials=False, expose_headers=["X-Request-ID", "ETag"], max_age=600)
    errors.register(app, html_not_found=lambda: not_found_page(i18n.current()))
    headers.init_app(app, settings.pages)
    compression.init_app(app)
    i18n.init_app(app)
    access_log.init_app(app, log_search_text=settings.api.log_search_text,
                        trust_incoming_ids=settings.api.trusted_proxies > 0)
    budget.init_app(app, settings.api.rate_limit)
    metrics.init_app(app)
    if events_es is not None:  # the clock is the tests' to fix
        app.extensions[RECORDER] = start_recorder(settings, events_es, clock, *metrics.event_counters(app))
        warm_up()
    app.register_blueprint(api)
    app.register_blueprint(events)
    app.register_blueprint(health)
    app.register_blueprint(pages)
    app.register_blueprint(site_pages)
    app.register_blueprint(sitemap)
    preview.init_app(app, settings, search.es, preview_es)
    spec = build_spec()

    @app.get("/api/v1/openapi.json")
    def openapi():
        return json_response(spec)

    if settings.api.trusted_proxies:
        # Behind N proxies (TLS ends there): the client's address, scheme and host are the ones the
        # last N proxies forwarded, never what a client wrote itself. The host is then checked as above.
        n = settings.api.trusted_proxies
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n, x_port=n)
    return app


def _events_client(settings: Settings, given: Elasticsearch | None) -> Elasticsearch | None:
    """The events user's client when analytics is on and possible; else None, said once at start."""
    analytics = settings.analytics
    why_off = ("[analytics] enabled is false" if not analytics.enabled
               else "no [analytics] token_secret (PARTNER_LOCATOR_ANALYTICS_TOKEN_SECRET)"
               if not analytics.token_secret else None)
    if why_off is None and given is None:
        try:
            given = make_client(connection_for(settings, "events"), settings.elasticsearch, "events")
        except UserFacingError as exc:
            why_off = str(exc)
    if why_off is not None:
        log.info("analytics off: %s; search is unaffected", why_off)
        return None
    return given
