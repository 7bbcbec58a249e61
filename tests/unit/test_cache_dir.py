"""The unit tests open the gazetteer store where the settings say, the same one integration runs and the indexer use."""
from __future__ import annotations

from pathlib import Path

import pytest

from locator.core.settings import load_settings
from tests.unit.conftest import default_cache_dir


def test_the_unit_fixtures_cache_dir_is_the_settings_variable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PARTNER_LOCATOR_LOCAL_NODE_CACHE_DIR", str(tmp_path / "shared"))
    assert default_cache_dir() == tmp_path / "shared"


def test_the_unit_fixtures_cache_dir_follows_the_operators_config_file(tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PARTNER_LOCATOR_LOCAL_NODE_CACHE_DIR", raising=False)
    (tmp_path / "defaults.toml").write_text(f'[local_node]\ncache_dir = "{tmp_path / "from-config"}"\n')
    monkeypatch.setenv("PARTNER_LOCATOR_CONFIG_DIR", str(tmp_path))
    assert default_cache_dir() == tmp_path / "from-config"


def test_a_variable_the_settings_do_not_read_moves_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PARTNER_LOCATOR_CACHE_DIR", str(tmp_path / "ignored"))
    assert default_cache_dir() == load_settings().cache_dir != tmp_path / "ignored"


def test_the_session_fixture_is_that_dir(cache_dir: Path) -> None:
    assert cache_dir == load_settings().cache_dir
