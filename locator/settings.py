"""Configuration: defaults from ``config/defaults.toml``, overridden by environment variables.

Everything is validated once, at start-up, and a bad value stops the program with a message that
names the setting (``PARTNER_LOCATOR_LOCAL_NODE_PORT: must be between 1 and 65535``), never a
traceback from deep inside a later request.
"""
from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

from marshmallow import Schema, ValidationError, fields, validate

ENV_PREFIX = "PARTNER_LOCATOR_"
CONFIG_DIR = Path(os.environ.get("PARTNER_LOCATOR_CONFIG_DIR", Path(__file__).resolve().parent.parent / "config"))


class ConfigError(Exception):
    """A setting is missing or wrong; the message names it and says what is expected."""


class _ElasticsearchSection(Schema):
    index_prefix = fields.String(
        required=True,
        validate=validate.Regexp(r"^[a-z0-9][a-z0-9._-]{0,100}$", error="must be lower case letters, digits, '.', '_' or '-'"),
    )
    api_timeout_s = fields.Float(required=True, validate=validate.Range(min=0.05, max=60))
    indexer_timeout_s = fields.Float(required=True, validate=validate.Range(min=1, max=3600))
    max_retries = fields.Integer(required=True, validate=validate.Range(min=0, max=10))


class _LocalNodeSection(Schema):
    version = fields.String(required=True, validate=validate.Regexp(r"^\d+\.\d+\.\d+$", error="must look like 8.19.21"))
    port = fields.Integer(required=True, validate=validate.Range(min=1, max=65535))
    heap = fields.String(required=True, validate=validate.Regexp(r"^\d+[mMgG]$", error="must look like 512m or 1g"))
    start_timeout_s = fields.Integer(required=True, validate=validate.Range(min=10, max=3600))
    cache_dir = fields.String(required=True)
    state_dir = fields.String(required=True)


class _IndexerSection(Schema):
    workers = fields.Integer(required=True, validate=validate.Range(min=0, max=64))
    bulk_chunk_size = fields.Integer(required=True, validate=validate.Range(min=1, max=50_000))
    bulk_threads = fields.Integer(required=True, validate=validate.Range(min=1, max=16))
    lock_lease_s = fields.Integer(required=True, validate=validate.Range(min=10, max=3600))


class _GeocodingSection(Schema):
    backend = fields.String(required=True, validate=validate.OneOf(["gazetteer", "nominatim"]))
    user_agent = fields.String(required=True, validate=validate.Length(min=3))
    min_delay_s = fields.Float(required=True, validate=validate.Range(min=0))


def _rate_limit(value: str) -> None:
    if value:
        from limits import parse_many

        try:
            parse_many(value)
        except ValueError:
            raise ValidationError('must look like "600 per minute" (or "" for no limit)') from None


class _ApiSection(Schema):
    cors_origins = fields.String(required=True)
    cache_max_age_s = fields.Integer(required=True, validate=validate.Range(min=0, max=86400))
    markers_max_points = fields.Integer(required=True, validate=validate.Range(min=1, max=10_000))
    markers_max_clusters = fields.Integer(required=True, validate=validate.Range(min=1, max=65_535))
    track_total_hits = fields.Integer(required=True, validate=validate.Range(min=1, max=1_000_000))
    rate_limit = fields.String(required=True, validate=_rate_limit)


_SECTIONS: dict[str, type[Schema]] = {
    "api": _ApiSection,
    "elasticsearch": _ElasticsearchSection,
    "local_node": _LocalNodeSection,
    "indexer": _IndexerSection,
    "geocoding": _GeocodingSection,
}


@dataclass(frozen=True)
class Connection:
    """How to reach an external cluster (``ELASTICSEARCH_*``); ``urls`` empty means the local node."""

    urls: tuple[str, ...] = ()
    username: str | None = None
    password: str | None = None
    api_key: str | None = None
    ca_certs: str | None = None

    @property
    def external(self) -> bool:
        return bool(self.urls)


@dataclass(frozen=True)
class Settings:
    elasticsearch: dict
    local_node: dict
    indexer: dict
    geocoding: dict
    api: dict
    connection: Connection

    @property
    def index_prefix(self) -> str:
        return self.elasticsearch["index_prefix"]

    @property
    def cache_dir(self) -> Path:
        return Path(self.local_node["cache_dir"]) if self.local_node["cache_dir"] else _default_dir("cache")

    @property
    def state_dir(self) -> Path:
        return Path(self.local_node["state_dir"]) if self.local_node["state_dir"] else _default_dir("state")


def _default_dir(kind: str) -> Path:
    # Elasticsearch runs as an unprivileged account when we are root, and /root is 0700: system
    # paths keep the distribution and the node's data reachable for that account.
    if os.geteuid() == 0:
        return Path("/var/cache/partner-locator" if kind == "cache" else "/var/lib/partner-locator")
    home = Path.home()
    if kind == "cache":
        return Path(os.environ.get("XDG_CACHE_HOME", home / ".cache")) / "partner-locator"
    return Path(os.environ.get("XDG_STATE_HOME", home / ".local" / "state")) / "partner-locator"


def env_name(section: str, key: str) -> str:
    return f"{ENV_PREFIX}{section}_{key}".upper()


def _read_defaults(path: Path) -> dict:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        raise ConfigError(f"{path}: default configuration file is missing") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc})") from None


def _load_section(name: str, defaults: dict, environ: Mapping[str, str]) -> dict:
    raw = dict(defaults)
    origin = {key: f"{name}.{key} in config/defaults.toml" for key in raw}
    for key in _SECTIONS[name]().fields:
        variable = env_name(name, key)
        if variable in environ:
            raw[key] = environ[variable]
            origin[key] = variable
    try:
        return _SECTIONS[name]().load(raw)
    except ValidationError as exc:
        problems = "; ".join(
            f"{origin.get(key, f'{name}.{key}')}: {' '.join(map(str, msgs))}" for key, msgs in sorted(exc.messages.items())
        )
        raise ConfigError(f"bad configuration: {problems}") from None


def _connection(environ: Mapping[str, str]) -> Connection:
    urls = tuple(url.strip().rstrip("/") for url in environ.get("ELASTICSEARCH_URL", "").split(",") if url.strip())
    for url in urls:
        if not url.startswith(("http://", "https://")):
            raise ConfigError(f"ELASTICSEARCH_URL: {url!r} must start with http:// or https://")
    conn = Connection(
        urls=urls,
        username=environ.get("ELASTICSEARCH_USERNAME") or None,
        password=environ.get("ELASTICSEARCH_PASSWORD") or None,
        api_key=environ.get("ELASTICSEARCH_API_KEY") or None,
        ca_certs=environ.get("ELASTICSEARCH_CA_CERTS") or None,
    )
    if conn.username and conn.password is None:
        raise ConfigError("ELASTICSEARCH_PASSWORD: must be set when ELASTICSEARCH_USERNAME is")
    if conn.api_key and conn.username:
        raise ConfigError("ELASTICSEARCH_API_KEY: set either it or ELASTICSEARCH_USERNAME/PASSWORD, not both")
    if conn.ca_certs and not Path(conn.ca_certs).is_file():
        raise ConfigError(f"ELASTICSEARCH_CA_CERTS: {conn.ca_certs} is not a readable file")
    if (conn.username or conn.api_key) and not urls:
        raise ConfigError("ELASTICSEARCH_URL: must be set when credentials are given in ELASTICSEARCH_*")
    return conn


def load_settings(environ: Mapping[str, str] | None = None, defaults_path: Path | None = None) -> Settings:
    """Read defaults, apply ``PARTNER_LOCATOR_*`` and ``ELASTICSEARCH_*`` overrides, validate."""
    environ = os.environ if environ is None else environ
    defaults = _read_defaults(defaults_path or CONFIG_DIR / "defaults.toml")
    sections = {name: _load_section(name, defaults.get(name, {}), environ) for name in _SECTIONS}
    return Settings(connection=_connection(environ), **sections)
