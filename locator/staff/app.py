"""The staff app's Flask factory: trusted hosts, the staff-only guard, strict headers, five languages.

Every response is private and short-lived: a Content-Security-Policy without ``unsafe-inline`` or
``unsafe-eval`` (the page's one script is a file; data travels in ``application/json`` blocks),
never framed (``frame-ancestors 'none'``, ``X-Frame-Options: DENY``), never a referrer (a staff
link is a password), never stored (``Cache-Control: no-store``), never indexed.
"""
from __future__ import annotations

import logging
import time
from typing import Callable

import elasticsearch
from elasticsearch import Elasticsearch
from flask import Flask, Response, render_template, request, send_from_directory
from werkzeug.exceptions import NotFound, SecurityError

from locator.api import headers, i18n
from locator.core.errors import UserFacingError
from locator.core.es import connection_for, make_client
from locator.core.es_failures import failure_of
from locator.core.gazetteer import Gazetteer
from locator.core.resources import static_dir
from locator.core.settings import Settings
from locator.staff.access import access, require_staff
from locator.staff.context import EXTENSION, StaffContext
from locator.staff.coverage_page import coverage
from locator.staff.dashboard import dashboard
from locator.staff.layout import page_links
from locator.staff.tokens import STAFF_OFF

log = logging.getLogger("partner_locator.staff")
# What the staff page takes from the public app's static files: the map library and the icon.
SHARED_STATIC = ("favicon.svg", "vendor/leaflet/")
PRIVATE_HEADERS = {
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "X-Robots-Tag": "noindex, nofollow",
    "Cache-Control": "no-store",
    "Permissions-Policy": "geolocation=(), camera=(), microphone=(), payment=(), usb=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def content_security_policy(settings: Settings) -> str:
    """The public pages' policy (images from the map's tile server too), framed by nobody, fetching nothing."""
    policy = headers.directives(settings.pages, embeddable=False)
    return headers.render({**policy, "connect-src": "'none'", "form-action": "'self'", "frame-ancestors": "'none'"})


def create_staff_app(settings: Settings, es: Elasticsearch | None = None, gazetteer: Gazetteer | None = None,
                     clock: Callable[[], float] = time.time) -> Flask:
    """The app, with the ``staff`` user's client (``es``, else from the settings) and the gazetteer
    made once here. UserFacingError when the staff app is off (no ``[staff] secret``)."""
    if not settings.staff.secret:
        raise UserFacingError(STAFF_OFF)
    app = Flask(__name__)  # templates/ and static/ beside this module
    # The staff app makes no address from the Host, but answers only the names it is reached by:
    # a page under a name an attacker controls (DNS rebinding to 127.0.0.1) is refused.
    app.config["TRUSTED_HOSTS"] = [host.lower() for host in settings.staff.trusted_hosts]
    es = es or make_client(connection_for(settings, "staff"), settings.elasticsearch, "staff")
    app.extensions[EXTENSION] = StaffContext(settings, es, gazetteer or Gazetteer.open(settings.cache_dir), clock)
    i18n.init_app(app)
    app.context_processor(lambda: {"ui": i18n.current(), "staff_pages": page_links})
    policy = content_security_policy(settings)

    @app.before_request
    def _refuse_untrusted_hosts():
        if isinstance(request.routing_exception, SecurityError):
            return Response("this server does not answer for that host name ([staff] trusted_hosts)\n", 400,
                            mimetype="text/plain")
        return None

    app.before_request(require_staff)

    @app.after_request
    def _private(response: Response) -> Response:
        response.headers.update(PRIVATE_HEADERS)
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Content-Security-Policy"] = policy
        return response

    @app.get("/shared/<path:filename>")
    def shared(filename: str):
        if filename != SHARED_STATIC[0] and not filename.startswith(SHARED_STATIC[1]):
            raise NotFound()
        return send_from_directory(static_dir(), filename)

    @app.errorhandler(elasticsearch.ApiError)
    @app.errorhandler(elasticsearch.TransportError)
    def _cluster_failed(exc: Exception):
        failure = failure_of(exc)
        log.log(failure.level, "staff app: %s", failure.cause)  # the cause only: never the request's query
        passing = failure.passing
        html = render_template("staff_message.html", reason="unavailable" if passing else "failed")
        return html, 503 if passing else 500

    app.register_blueprint(access)
    app.register_blueprint(dashboard)
    app.register_blueprint(coverage)
    return app
