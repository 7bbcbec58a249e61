"""Browser tests: the real app (API + static frontend) on a free localhost port, driven by Debian's
Chromium through Playwright, as a user would use it.

Playwright's own browser download is never used (it fetches from outside the package registries):
Chromium comes from Debian (`.ci/ensure-browser`, called by `make test`) and is launched by path.
Every request to anything but the test servers on 127.0.0.1 is aborted, as map tiles are here
(no internet), so the tests also prove that the page works without its tile server. Every test
also fails on an uncaught error or a Content-Security-Policy violation in any of its pages.
"""
from __future__ import annotations

import logging
import os
import threading
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import pytest
from werkzeug.serving import make_server


CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
LOCAL_HOSTS = {"127.0.0.1", "localhost"}


def pytest_configure(config):
    config.addinivalue_line("markers", "browser: drives the frontend in headless Chromium (Playwright + /usr/bin/chromium)")


@dataclass
class LiveServer:
    url: str
    server: object
    thread: threading.Thread

    def stop(self) -> None:
        self.server.shutdown()
        self.thread.join(timeout=5)


def serve(app) -> LiveServer:
    """A WSGI app on a free port of 127.0.0.1, in a daemon thread."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name=f"browser-test-server-{server.server_port}", daemon=True)
    thread.start()
    return LiveServer(f"http://127.0.0.1:{server.server_port}", server, thread)


@pytest.fixture(scope="session")
def sync_api():
    if os.environ.get("CI"):
        import playwright.sync_api as module  # in CI a missing Playwright is a failure, not a skip
    else:
        module = pytest.importorskip("playwright.sync_api", reason="pip install playwright (the test extras)")
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"{CHROMIUM} is missing: run .ci/ensure-browser (Debian package chromium)")
    return module


@pytest.fixture(scope="module")
def expect(sync_api):
    return sync_api.expect


@pytest.fixture(scope="module")
def api(api_app):
    """GET an API path from the test's own app (no browser): the answer the page should show."""
    client = api_app.test_client()

    def get(path: str, **params) -> dict:
        response = client.get(path, query_string=params)
        assert response.status_code == 200, response.get_data(as_text=True)
        return response.get_json()

    return get


# The shipped pages.frame_ancestors is the locator itself only. The embed tests frame it from pages
# on other local ports, as `make run` allows (PARTNER_LOCATOR_PAGES_FRAME_ANCESTORS set to these).
LOCAL_EMBEDDERS = ("'self'", "http://localhost:*", "http://127.0.0.1:*")


@pytest.fixture(scope="session")
def api_app(listed_sample, gazetteer):
    """The app the browser tests serve: the suite's, framable by local pages."""
    from locator.api import create_app
    from locator.core.es import connect

    settings = listed_sample.settings.replace("pages", frame_ancestors=LOCAL_EMBEDDERS)
    return create_app(settings, es=connect(settings, "reader"), gazetteer=gazetteer)


@pytest.fixture(scope="session")
def live_server(api_app):
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one line per request is noise here
    server = serve(api_app)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def embedder_server(live_server):
    """Another origin (another port) with a page that embeds the search with the documented snippet."""
    from werkzeug.wrappers import Request, Response

    snippet = (f'<div data-partner-locator data-country="DK" data-tier="premier"></div>\n'
               f'<script src="{live_server.url}/static/embed.js" async></script>')

    @Request.application
    def app(request):
        if request.path != "/":
            return Response("not found", status=404)
        return Response(f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Milestone - find a partner</title></head>
<body style="margin:0;font-family:sans-serif"><h1 style="margin:16px">Find a partner in Denmark</h1>
{snippet}
<footer id="after" style="margin:16px">Milestone Systems</footer></body></html>""", mimetype="text/html")

    server = serve(app)
    yield server
    server.stop()


@pytest.fixture
def host_page():
    """Serves pages of another site (another origin): host_page(html) -> its URL; stopped after the test."""
    from werkzeug.wrappers import Request, Response

    servers = []

    def serve_html(html: str) -> str:
        @Request.application
        def app(request):
            return Response(html, mimetype="text/html") if request.path == "/" else Response("not found", status=404)

        servers.append(serve(app))
        return servers[-1].url + "/"

    yield serve_html
    for server in servers:
        server.stop()


def embedding_page(locator_url: str, attributes: str = "", css: str = "") -> str:
    """A host page embedding the locator with the documented snippet, optionally with its own CSS."""
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Partners</title>
<style>{css}</style></head><body><h1>Find a partner</h1>
<div data-partner-locator {attributes}></div>
<script src="{locator_url}/static/embed.js" async></script>
<footer id="after">Milestone Systems</footer></body></html>"""


@pytest.fixture(scope="session")
def browser(sync_api):
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@dataclass
class PageLog:
    errors: list = field(default_factory=list)        # uncaught exceptions in the page
    external: list = field(default_factory=list)      # requests that left the machine (all aborted)
    csp: list = field(default_factory=list)           # Content-Security-Policy violations, in any frame


# Every document of the context (frames included) reports its CSP violations to the test: run
# before the page's own scripts, whatever the page's policy (Playwright injects it, not the page).
REPORT_CSP_VIOLATIONS = """document.addEventListener("securitypolicyviolation", e => window.__reportCspViolation({
    page: location.href, directive: e.effectiveDirective, blocked: e.blockedURI, source: e.sourceFile,
    line: e.lineNumber, sample: e.sample}));"""


@pytest.fixture
def page_log():
    return PageLog()


@pytest.fixture
def context(browser, page_log):
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="en", timezone_id="UTC")
    context.set_default_timeout(8000)

    def only_local(route):
        host = urlsplit(route.request.url).hostname
        if route.request.url.startswith(("data:", "blob:")) or host in LOCAL_HOSTS:
            route.continue_()
        else:
            page_log.external.append(route.request.url)
            route.abort()

    context.route("**/*", only_local)
    context.expose_binding("__reportCspViolation", lambda source, violation: page_log.csp.append(violation))
    context.add_init_script(REPORT_CSP_VIOLATIONS)
    yield context
    context.close()


@pytest.fixture
def page(context, page_log):
    page = context.new_page()
    page.on("pageerror", lambda error: page_log.errors.append(str(error)))
    yield page
    assert page_log.errors == [], f"uncaught errors in the page: {page_log.errors}"
    assert page_log.csp == [], f"Content-Security-Policy violations: {page_log.csp}"
