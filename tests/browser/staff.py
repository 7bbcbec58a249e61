"""What the staff app's browser tests share: the app served over a prefix of its own, signing in
with a staff link, axe's findings of every impact, and the docs' pictures."""
from __future__ import annotations

import logging
import os
import struct
import time
from pathlib import Path

from locator.core.es import connect
from locator.staff import create_staff_app
from locator.staff.tokens import issue_link
from tests.browser.conftest import LiveServer, serve

SECRET = "staff-secret-for-the-browser-" + "z" * 12
DOCS = Path(__file__).resolve().parents[2] / "docs"
RUN_AXE = """async () => (await axe.run(document)).violations.map(violation => ({rule: violation.id,
    impact: violation.impact, where: violation.nodes.slice(0, 5).map(node => node.target.join(" "))}))"""


def serve_staff(settings, gazetteer, prefix: str) -> LiveServer:
    """The staff app over the indices of ``prefix``, as the staff user, on a port of its own."""
    staff_settings = settings.replace("elasticsearch", index_prefix=prefix).replace("staff", secret=SECRET)
    app = create_staff_app(staff_settings, es=connect(settings, "staff"), gazetteer=gazetteer)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # its request lines would carry the link's token
    return serve(app)


def sign_in(page, server: LiveServer, lang: str) -> None:
    """Follow a fresh staff link: the sign-in page moves on to the dashboard by itself, with the cookie."""
    page.goto(f"{server.url}/login?token={issue_link(SECRET, 1, int(time.time() * 1000))}&lang={lang}")
    page.wait_for_url(f"{server.url}/?lang={lang}")


def all_violations(page, axe_source: str) -> list[dict]:
    page.evaluate(axe_source)  # injected by the test, not the page: not subject to its policy
    return page.evaluate(RUN_AXE)


def picture(page, name: str, tmp_path: Path) -> tuple[int, int]:
    """The whole page as docs/NAME with PARTNER_LOCATOR_DOCS_SCREENSHOT=1 (else in the test's temporary
    directory: a test run leaves the checkout as it was); its width and height."""
    path = DOCS / name if os.environ.get("PARTNER_LOCATOR_DOCS_SCREENSHOT") == "1" else tmp_path / name
    page.screenshot(path=str(path), full_page=True)
    width, height = struct.unpack(">II", path.read_bytes()[16:24])  # the PNG header's size
    return width, height
