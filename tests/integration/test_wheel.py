"""Installed from its wheel, outside the checkout, the product runs: es start, index, serve, search.

The wheel is built from a clean copy of the source (a stale ``build/`` cannot leak old modules in)
and installed into a fresh venv in a temporary directory, from a wheelhouse in the project's cache
dir: the first run fills it from PyPI (the same versions as this environment), later runs download
nothing.
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
import zipfile
from pathlib import Path

import orjson
import pytest

ROOT = Path(__file__).resolve().parents[2]
AS_OF = "2026-06-01"
pytestmark = pytest.mark.slow


def _run(*command, cwd: Path | None = None, env: dict | None = None, timeout: int = 600) -> str:
    result = subprocess.run([str(part) for part in command], cwd=cwd, env=env, capture_output=True, text=True,
                            timeout=timeout)
    assert result.returncode == 0, f"{' '.join(map(str, command))} failed:\n{result.stdout[-2000:]}\n{result.stderr[-3000:]}"
    return result.stdout + result.stderr


def _pip(python, *args, **kwargs) -> str:
    return _run(python, "-m", "pip", "--disable-pip-version-check", *args, **kwargs)


def _clean_copy(target: Path) -> Path:
    ignored = shutil.ignore_patterns(".git", ".venv", "build", "dist", "*.egg-info", "var", "__pycache__",
                                     ".pytest_cache", ".hypothesis", "node_modules")
    shutil.copytree(ROOT, target, ignore=ignored)
    return target


def _constraints(path: Path) -> Path:
    """The versions of this environment, so the wheel's venv gets the same (and the same caches)."""
    frozen = _pip(sys.executable, "freeze", "--exclude-editable")
    path.write_text("\n".join(line for line in frozen.splitlines() if "==" in line) + "\n")
    return path


@pytest.fixture(scope="module")
def wheel(tmp_path_factory, base_settings) -> Path:
    house = base_settings.cache_dir / "wheelhouse"
    house.mkdir(parents=True, exist_ok=True)
    if not list(house.glob("setuptools-*.whl")):  # the build backend, once
        _pip(sys.executable, "download", "--only-binary", ":all:", "-d", house, "setuptools>=70.1")
    work = tmp_path_factory.mktemp("wheel")
    dist = work / "dist"
    _pip(sys.executable, "wheel", "--no-deps", "--no-index", "--find-links", house, "-w", dist,
         _clean_copy(work / "source"))
    (built,) = dist.glob("partner_locator-*.whl")
    return built


@pytest.fixture(scope="module")
def venv(wheel, tmp_path_factory, base_settings) -> Path:
    house = base_settings.cache_dir / "wheelhouse"
    home = tmp_path_factory.mktemp("installed")
    _run(sys.executable, "-m", "venv", home / "venv")
    python = home / "venv" / "bin" / "python"
    constraints = _constraints(home / "constraints.txt")
    offline = ("install", "--no-index", "--find-links", house, "-c", constraints, wheel)
    try:
        _pip(python, *offline)
    except AssertionError:  # the wheelhouse lacks a dependency: fetch it once, then install offline
        # Into a fresh directory, and only the dependencies go to the wheelhouse: a copy of the
        # product's own wheel there would be taken for this one (same name) the next time its
        # dependencies change.
        fetched = home / "fetched"
        _pip(python, "download", "-d", fetched, "-c", constraints, wheel)
        for path in fetched.iterdir():
            if not path.name.startswith("partner_locator-") and not (house / path.name).exists():
                shutil.copy(path, house / path.name)
        _pip(python, *offline)
    return home / "venv"


def _environment(venv: Path, settings, prefix: str) -> dict:
    env = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env.update(PATH=f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}",
               PARTNER_LOCATOR_ELASTICSEARCH_INDEX_PREFIX=prefix)
    return env


def test_the_wheel_holds_the_package_its_config_and_static_files_and_nothing_stale(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    modules = {name for name in names if name.endswith(".py")}
    source = {str(path.relative_to(ROOT)) for package in ("locator", "indexer") for path in (ROOT / package).rglob("*.py")}
    assert {name for name in modules if not name.startswith(("locator/_config/", "locator/_static/"))} == source
    assert {"locator/_config/defaults.toml", "locator/_config/program.toml",
            "locator/_config/roles/partner_locator_reader.json", "locator/api/templates/index.html",
            "locator/api/templates/card.html", "locator/_static/js/main.js",
            "locator/_static/vendor/leaflet/leaflet.js", "locator/_static/vendor/leaflet/LICENSE",
            "locator/api/templates/docs.html", "locator/api/translations/ja/LC_MESSAGES/messages.mo"} <= names
    catalogs = {name.split("/")[3] for name in names if name.startswith("locator/api/translations/") and name.endswith(".mo")}
    assert catalogs == {"de", "fr", "es", "ja"}
    assert not any(name.startswith(("static/", "config/", "tests/", "benchmarks/")) for name in names)


def test_installed_from_the_wheel_it_starts_indexes_and_serves_outside_the_checkout(venv, settings, tmp_path):
    prefix = f"{settings.index_prefix}-wheel"
    env = _environment(venv, settings, prefix)
    command = venv / "bin" / "partner-locator"
    where = _run(venv / "bin" / "python", "-c",
                 "import importlib.util, locator; print(locator.__file__);"
                 "print(importlib.util.find_spec('static'), importlib.util.find_spec('config'))", cwd=tmp_path, env=env)
    assert where.splitlines() == [str(venv / "lib" / f"python{sys.version_info.major}.{sys.version_info.minor}"
                                      / "site-packages" / "locator" / "__init__.py"), "None None"]
    if not settings.connection.external:  # the session's node is running: "already running" is the answer
        assert "Elasticsearch" in _run(command, "es", "start", cwd=tmp_path, env=env)
    _run(command, "sample", "--sites", "400", "--seed", "5", "--as-of", AS_OF, "-o", "export.jsonl", cwd=tmp_path, env=env)
    assert "live: " in _run(command, "index", "export.jsonl", "--as-of", AS_OF, "--max-error-rate", "0.5",
                            cwd=tmp_path, env=env)
    with _served(command, tmp_path, env) as base:
        page = _get(base + "/")
        assert b"Find a Milestone partner" in page
        assert "Milestone-Partner finden" in _get(base + "/?lang=de").decode()  # the catalogs came with the wheel
        assert len(_get(base + "/static/vendor/leaflet/leaflet.js")) > 100_000
        assert "/api/v1/partners" in orjson.loads(_get(base + "/api/v1/openapi.json"))["paths"]
        first = orjson.loads(_get(base + "/api/v1/partners?per_page=1"))
        assert first["total"] > 0
        address = first["results"][0]["address"]
        query = urllib.parse.urlencode({"near": f"{address['city']}, {address['country']}", "per_page": 50})
        near = orjson.loads(_get(f"{base}/api/v1/partners?{query}"))
        assert first["results"][0]["site_id"] in {result["site_id"] for result in near["results"]}


def _get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=10) as response:
        assert response.status == 200
        return response.read()


class _served:
    """``partner-locator serve`` on a free port, stopped (and waited for) on exit."""

    def __init__(self, command: Path, cwd: Path, env: dict):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.args = [str(command), "serve", "--port", str(self.port), "--workers", "1"]
        self.cwd, self.env = cwd, env

    def __enter__(self) -> str:
        self.process = subprocess.Popen(self.args, cwd=self.cwd, env=self.env, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.PIPE, text=True)
        base = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert self.process.poll() is None, f"serve exited: {self.process.stderr.read()[-2000:]}"
            try:
                _get(base + "/livez")
                return base
            except OSError:
                time.sleep(0.3)
        raise AssertionError("serve did not answer /livez within 60 s")

    def __exit__(self, *exc_info) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
