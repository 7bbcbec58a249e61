"""The screenshots in docs/screenshots/ (a script, not a test): the main views, desktop and phone,
English and another language (German and French: this machine has no Japanese fonts).

Serves ``make run``'s sample (5,000 sites, seed 1) under the paint benchmark's prefix
(``benchmarks/paint_bench.py``: indexed there, or here when missing) with ``partner-locator serve``
and photographs it in Debian's Chromium. Map tiles come from the internet, which this machine does
not reach: the maps show their markers on the plain background (as the tests see them).

Usage::

    .venv/bin/python benchmarks/screenshots.py [--reuse-index] [--keep-index]
"""
from __future__ import annotations

import argparse
import signal
import sys
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from paint_bench import (CHROMIUM, CHROMIUM_ARGS, admin_first_site_page, only_local, sample_arguments,  # noqa: E402
                         served_sample, terminate)

OUT = ROOT / "docs" / "screenshots"
DESKTOP = {"viewport": {"width": 1366, "height": 860}}
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}


def shots(site_path: str) -> list[tuple[str, str, dict, bool]]:
    """(file name, path, device, whole page)."""
    return [
        ("search-desktop-en.png", "/?text=Aarhus&lang=en", DESKTOP, False),
        ("search-desktop-de.png", "/?text=Aarhus&lang=de", DESKTOP, False),
        ("search-phone-de.png", "/?text=Aarhus&lang=de", PHONE, False),
        ("site-desktop-en.png", site_path + "?lang=en", DESKTOP, False),
        ("site-phone-fr.png", site_path + "?lang=fr", PHONE, True),
        ("docs-desktop-fr.png", "/api/v1/docs?lang=fr", DESKTOP, False),
    ]


def photograph(browser, url: str, device: dict, path: Path, full_page: bool) -> None:
    context = browser.new_context(locale="en", **device)
    context.route("**/*", only_local)
    page = context.new_page()
    page.goto(url, wait_until="networkidle")
    page.wait_for_function("() => !document.querySelector('#results') || "
                           "document.querySelector('#results').getAttribute('aria-busy') === 'false'")
    page.wait_for_timeout(300)  # Leaflet's fade-in of its markers
    page.screenshot(path=str(path), full_page=full_page)
    context.close()


def main(argv: list[str] | None = None) -> int:
    signal.signal(signal.SIGTERM, terminate)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sample_arguments(parser)
    args = parser.parse_args(argv)

    from playwright.sync_api import sync_playwright

    OUT.mkdir(parents=True, exist_ok=True)
    with served_sample(args) as (_, _, base):
        site_path = urlsplit(admin_first_site_page(base)).path
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            for name, path, device, full_page in shots(site_path):
                photograph(browser, base + path, device, OUT / name, full_page)
                print(f"docs/screenshots/{name}  <- {path}", flush=True)
            browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
