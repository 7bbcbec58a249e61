"""The files the project ships, found through importlib.resources, and the operator's own config dir.

The wheel installs ``config/`` as ``locator._config`` and ``static/`` as ``locator._static``
(setup.cfg ``package_dir``), so nothing here depends on a source checkout. An operator points
``PARTNER_LOCATOR_CONFIG_DIR`` at a directory of their own files (``defaults.toml``,
``program.toml``, ``roles/*.json``); each file found there is used, the shipped one otherwise.
"""
from __future__ import annotations

import os
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Mapping

from locator.core.errors import ConfigError

CONFIG_DIR_VARIABLE = "PARTNER_LOCATOR_CONFIG_DIR"


def shipped_config(name: str) -> Traversable:
    """A configuration file as shipped with the package, e.g. ``shipped_config("roles/x.json")``."""
    return files("locator._config").joinpath(*name.split("/"))


def operator_config_dir(environ: Mapping[str, str] | None = None) -> Path | None:
    """The operator's config dir, when ``PARTNER_LOCATOR_CONFIG_DIR`` names one (it must exist)."""
    environ = os.environ if environ is None else environ
    value = environ.get(CONFIG_DIR_VARIABLE, "").strip()
    if not value:
        return None
    directory = Path(value)
    if not directory.is_dir():
        raise ConfigError(f"{CONFIG_DIR_VARIABLE}: {directory} is not a directory")
    return directory


def config_file(name: str, environ: Mapping[str, str] | None = None) -> Traversable:
    """The operator's copy of a configuration file when there is one, else the shipped file."""
    directory = operator_config_dir(environ)
    if directory is not None and (directory / name).is_file():
        return directory / name
    return shipped_config(name)


def static_dir() -> Path:
    """The frontend's files, as a real directory (Flask serves them from the file system)."""
    directory = files("locator._static")
    if not isinstance(directory, Path):  # e.g. imported from a zip: not a supported installation
        raise ConfigError("the frontend's files are not on the file system: install the wheel with pip")
    return directory
