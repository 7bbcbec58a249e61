"""Typed settings: the shipped defaults, the operator's ``defaults.toml``, then environment variables.

Each section is a frozen dataclass; its fields declare their own checks, and the marshmallow
schema that loads it is derived from them, so a setting is declared once. Everything is validated
once, at start-up, and a bad value stops the program with a message that names the setting
(``PARTNER_LOCATOR_LOCAL_NODE_PORT: must be between 1 and 65535``), never a traceback from deep
inside a later request.
"""
from __future__ import annotations

import dataclasses
import os
import re
import tomllib
from dataclasses import dataclass
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any, Mapping

from marshmallow import Schema, ValidationError, fields, validate

from locator.core.connection import OWN_USER_ROLES, Connection, masked_url, role_variables
from locator.core.errors import ConfigError
from locator.core.resources import CONFIG_DIR_VARIABLE, operator_config_dir, shipped_config
from locator.core.validation import flatten_errors

ENV_PREFIX = "PARTNER_LOCATOR_"
LOCAL_PUBLIC_URL = "http://127.0.0.1:5000"  # make run's address: preview links' base when api.public_url is ""
DEFAULTS_FILE = "defaults.toml"
MIN_SECRET_LENGTH = 32
MAX_LINK_DAYS = 365


def _check(rule=None, *, secret: bool = False) -> Any:
    """A dataclass field carrying its validator: the section's schema is derived from these.
    A secret is left out of the settings' repr, so printing them never shows it."""
    return dataclasses.field(metadata={"validate": rule}, repr=not secret)


def _rate_limit(value: str) -> None:
    if value:
        from limits import parse_many

        try:
            parse_many(value)
        except ValueError:
            raise ValidationError('must look like "600 per minute" (or "" for no limit)') from None


class _CommaSeparated(fields.Field):
    """ "a, b,,c" -> ("a", "b", "c"): how lists are written in environment variables."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, str):
            raise ValidationError("must be a comma-separated string")
        return tuple(part.strip() for part in value.split(",") if part.strip())


@dataclass(frozen=True)
class ElasticsearchSettings:
    # Every index, alias and lock the project creates starts with this; the shipped roles cover it.
    index_prefix: str = _check(validate.Regexp(r"^[a-z0-9][a-z0-9._-]{0,100}$",
                                               error="must be lower case letters, digits, '.', '_' or '-'"))
    api_timeout_s: float = _check(validate.Range(min=0.05, max=60))
    indexer_timeout_s: float = _check(validate.Range(min=1, max=3600))
    max_retries: int = _check(validate.Range(min=0, max=10))


@dataclass(frozen=True)
class LocalNodeSettings:
    version: str = _check(validate.Regexp(r"^\d+\.\d+\.\d+$", error="must look like 8.19.21"))
    port: int = _check(validate.Range(min=1, max=65535))
    nodes: int = _check(validate.Range(min=1, max=9))
    transport_port: int = _check(validate.Range(min=1, max=65535))
    heap: str = _check(validate.Regexp(r"^\d+[mMgG]$", error="must look like 512m or 1g"))
    start_timeout_s: int = _check(validate.Range(min=10, max=3600))
    cache_dir: str = _check()  # "" = the default for the account (see Settings.cache_dir)
    state_dir: str = _check()


@dataclass(frozen=True)
class IndexerSettings:
    workers: int = _check(validate.Range(min=0, max=64))
    bulk_chunk_size: int = _check(validate.Range(min=1, max=50_000))
    bulk_threads: int = _check(validate.Range(min=1, max=16))
    lock_lease_s: int = _check(validate.Range(min=10, max=3600))
    primary_shards: int = _check(validate.Range(min=1, max=1024))
    auto_expand_replicas: str = _check(validate.Regexp(r"^\d+-(\d+|all)$", error='must look like "0-1" or "0-all"'))


@dataclass(frozen=True)
class GeocodingSettings:
    backend: str = _check(validate.OneOf(["gazetteer", "nominatim"]))
    user_agent: str = _check(validate.Length(min=3))
    min_delay_s: float = _check(validate.Range(min=0))


def _public_url(value: str) -> None:
    if value and not re.match(r"^https?://[^\s/?#]+(/[^\s?#]*)?$", value):
        raise ValidationError('must be an http(s) URL such as "https://locator.example" (or "": from each request)')


# A host the app answers for (Flask's TRUSTED_HOSTS): a name or an IPv4 address, without scheme or
# port ("partners.example.com", "127.0.0.1"); a leading dot trusts every subdomain (".example.com").
_HOST_NAME = re.compile(r"^\.?[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*$", re.IGNORECASE)


def _host_names(values: tuple[str, ...]) -> None:
    bad = [value for value in values if not _HOST_NAME.match(value)]
    if bad or not values:
        raise ValidationError(f"each entry must be a host name or IPv4 address without scheme or port, such as "
                              f"partners.example.com or .example.com (every subdomain), and at least one is needed "
                              f"(not {', '.join(repr(value) for value in bad) or 'nothing'})")


@dataclass(frozen=True)
class ApiSettings:
    cors_origins: tuple[str, ...] = _check()
    cache_max_age_s: int = _check(validate.Range(min=0, max=86400))
    markers_max_points: int = _check(validate.Range(min=1, max=10_000))
    markers_max_clusters: int = _check(validate.Range(min=1, max=65_535))
    track_total_hits: int = _check(validate.Range(min=1, max=1_000_000))
    rate_limit: str = _check(_rate_limit)
    metrics_host: str = _check(validate.Length(min=1))
    metrics_port: int = _check(validate.Range(min=0, max=65535))
    # Where visitors reach the app: canonical links, the sitemap, preview links; "" = from each request.
    public_url: str = _check(_public_url)
    # The Host header values the app answers for (public_url's host too); any other is a 400.
    trusted_hosts: tuple[str, ...] = _check(_host_names)
    # Proxies in front of the app whose X-Forwarded-For/-Proto/-Host/-Port are believed; 0 = none.
    trusted_proxies: int = _check(validate.Range(min=0, max=10))
    # The access log keeps free text as its length only; true logs it verbatim (debugging only).
    log_search_text: bool = _check()


def _secret_or_nothing(off: str):
    """A signing secret: long enough, or empty (``off`` says what is off then)."""
    def check(value: str) -> None:
        if value and len(value) < MIN_SECRET_LENGTH:  # the message never quotes the value
            raise ValidationError(f"must be at least {MIN_SECRET_LENGTH} characters long (or empty: {off})")
    return check


@dataclass(frozen=True)
class PreviewSettings:
    # Signs partners' preview links; "" means previews are off (the routes and preview-link say so).
    secret: str = _check(_secret_or_nothing("no previews"), secret=True)
    link_days: int = _check(validate.Range(min=1, max=MAX_LINK_DAYS))


@dataclass(frozen=True)
class AnalyticsSettings:
    """What customers look for (docs/privacy.md): tokens in answers, events from the pages, reports."""
    enabled: bool = _check()
    # Signs every search answer's search_token; "" means no tokens: analytics off.
    token_secret: str = _check(_secret_or_nothing("no search tokens, analytics off"), secret=True)
    # A report row counting fewer searches than this folds into "other" (totals excepted).
    min_count: int = _check(validate.Range(min=1, max=1000))
    # Whole months of events kept; older ones are deleted by `analytics prune`.
    retention_months: int = _check(validate.Range(min=1, max=120))
    # The events writer: a bulk every flush_interval_s or batch_size events; at most buffer_capacity
    # wait per worker (the oldest are dropped beyond, and counted).
    flush_interval_s: float = _check(validate.Range(min=0.1, max=60))
    batch_size: int = _check(validate.Range(min=1, max=10_000))
    buffer_capacity: int = _check(validate.Range(min=1, max=1_000_000))


@dataclass(frozen=True)
class StaffSettings:
    """The staff app (`partner-locator staff`): never on the public port nor the metrics bind."""
    # Signs staff links (`partner-locator staff-link`) and the app's session cookie; "" = no staff app.
    secret: str = _check(_secret_or_nothing("no staff app"), secret=True)
    host: str = _check(validate.Length(min=1))
    port: int = _check(validate.Range(min=1, max=65535))
    link_days: int = _check(validate.Range(min=1, max=30))
    trusted_hosts: tuple[str, ...] = _check(_host_names)


# A CSP source an embedding page may come from: 'self', 'none', or scheme://host[:port] (wildcards
# allowed where CSP allows them: "https://*.example.com", "http://localhost:*").
_FRAME_SOURCE = re.compile(r"^(?:'self'|'none'|https?://(?:\*\.)?[A-Za-z0-9.-]+(?::(?:\d{1,5}|\*))?)$")


def _frame_sources(values: tuple[str, ...]) -> None:
    bad = [value for value in values if not _FRAME_SOURCE.match(value)]
    if bad or not values:
        raise ValidationError(f"each entry must be 'self', 'none' or an origin such as https://www.example.com "
                              f"(not {', '.join(repr(value) for value in bad) or 'nothing'})")




def _tile_url(value: str) -> None:
    if value and not re.match(r"^https://[A-Za-z0-9.{}-]+(:\d+)?/\S*\{z\}\S*$", value):
        raise ValidationError('must be an https URL template with {z}, {x} and {y} (or "": no map background)')


@dataclass(frozen=True)
class PagesSettings:
    """The HTML pages: who may frame them, the map background, caching."""
    frame_ancestors: tuple[str, ...] = _check(_frame_sources)
    tile_url: str = _check(_tile_url)
    tile_max_zoom: int = _check(validate.Range(min=1, max=22))
    cache_max_age_s: int = _check(validate.Range(min=0, max=86400))
    sitemap_max_urls: int = _check(validate.Range(min=1, max=50_000))
    # Sites per Elasticsearch round trip while streaming the sitemap (search_after allows 10,000).
    sitemap_page_size: int = _check(validate.Range(min=1, max=10_000))


_SECTIONS = {"elasticsearch": ElasticsearchSettings, "local_node": LocalNodeSettings, "indexer": IndexerSettings,
             "geocoding": GeocodingSettings, "api": ApiSettings, "preview": PreviewSettings, "pages": PagesSettings,
             "analytics": AnalyticsSettings, "staff": StaffSettings}
_FIELD_OF_TYPE = {"str": fields.String, "int": fields.Integer, "float": fields.Float, "bool": fields.Boolean,
                  "tuple[str, ...]": _CommaSeparated}


def _schema(section: type) -> Schema:
    declared = {field.name: _FIELD_OF_TYPE[field.type](required=True, validate=field.metadata["validate"])
                for field in dataclasses.fields(section)}
    return Schema.from_dict(declared, name=section.__name__)()


_SCHEMAS = {name: _schema(section) for name, section in _SECTIONS.items()}


@dataclass(frozen=True)
class Settings:
    elasticsearch: ElasticsearchSettings
    local_node: LocalNodeSettings
    indexer: IndexerSettings
    geocoding: GeocodingSettings
    api: ApiSettings
    preview: PreviewSettings
    analytics: AnalyticsSettings
    staff: StaffSettings
    pages: PagesSettings
    connection: Connection  # ELASTICSEARCH_*: an external cluster, or none (the local node)
    # ELASTICSEARCH_<ROLE>_* (preview, events, staff): those roles' own users on an external
    # cluster, when given (each role's absence is handled where it is used)
    role_connections: Mapping[str, Connection] = dataclasses.field(default_factory=dict, hash=False)

    @property
    def preview_connection(self) -> Connection | None:
        return self.role_connections.get("preview")

    @property
    def index_prefix(self) -> str:
        return self.elasticsearch.index_prefix

    @property
    def cache_dir(self) -> Path:
        return Path(self.local_node.cache_dir) if self.local_node.cache_dir else _default_dir("cache")

    @property
    def state_dir(self) -> Path:
        return Path(self.local_node.state_dir) if self.local_node.state_dir else _default_dir("state")

    def replace(self, section: str, **changes) -> Settings:
        """A copy with some keys of one section changed (tests and tools: another prefix, port...)."""
        return dataclasses.replace(self, **{section: dataclasses.replace(getattr(self, section), **changes)})


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


def _read_toml(source: Traversable, shown: str) -> dict:
    try:
        return tomllib.loads(source.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{shown}: configuration file is missing") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{shown}: cannot be read ({exc})") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{shown}: not valid TOML ({exc})") from None


def _layers(environ: Mapping[str, str], defaults_path: Path | None) -> list[tuple[dict, str]]:
    """(TOML document, how to name it in messages): the shipped defaults, then the operator's file."""
    if defaults_path is not None:
        return [(_read_toml(defaults_path, str(defaults_path)), str(defaults_path))]
    layers = [(_read_toml(shipped_config(DEFAULTS_FILE), DEFAULTS_FILE), f"the shipped {DEFAULTS_FILE}")]
    directory = operator_config_dir(environ)
    if directory is not None and (directory / DEFAULTS_FILE).is_file():
        path = directory / DEFAULTS_FILE
        layers.append((_read_toml(path, str(path)), f"{path} ({CONFIG_DIR_VARIABLE})"))
    return layers


def _load_section(name: str, layers: list[tuple[dict, str]], environ: Mapping[str, str]):
    raw, origin = {}, {}
    for document, shown in layers:  # later layers override earlier ones, key by key
        for key, value in (document.get(name) or {}).items():
            raw[key], origin[key] = value, f"{name}.{key} in {shown}"
    for key in _SCHEMAS[name].fields:
        variable = env_name(name, key)
        if variable in environ:
            raw[key], origin[key] = environ[variable], variable
    try:
        return _SECTIONS[name](**_SCHEMAS[name].load(raw))
    except ValidationError as exc:
        problems = "; ".join(f"{origin.get(path.split('.')[0], f'{name}.{path}')}: {why}"
                             for path, why in sorted(flatten_errors(exc.messages)))
        raise ConfigError(f"bad configuration: {problems}") from None


def _connection(environ: Mapping[str, str]) -> Connection:
    urls = tuple(url.strip().rstrip("/") for url in environ.get("ELASTICSEARCH_URL", "").split(",") if url.strip())
    for url in urls:
        if not url.startswith(("http://", "https://")):
            raise ConfigError(f"ELASTICSEARCH_URL: {masked_url(url)!r} must start with http:// or https://")
    conn = Connection(
        hosts=urls,
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


def _role_connection(environ: Mapping[str, str], main: Connection, role: str) -> Connection | None:
    """``role``'s own user on the same external cluster, when its credentials are given."""
    username_variable, password_variable, api_key_variable = role_variables(role)
    api_key, username = environ.get(api_key_variable) or None, environ.get(username_variable) or None
    if not main.external or not (api_key or username):
        return None
    if api_key and username:
        raise ConfigError(f"{api_key_variable}: set either it or {username_variable}/PASSWORD, not both")
    password = environ.get(password_variable)
    if username and password is None:
        raise ConfigError(f"{password_variable}: must be set when {username_variable} is")
    return dataclasses.replace(main, username=username, password=password if username else None, api_key=api_key)


def load_settings(environ: Mapping[str, str] | None = None, defaults_path: Path | None = None) -> Settings:
    """Read the defaults, apply ``PARTNER_LOCATOR_*`` and ``ELASTICSEARCH_*`` overrides, validate.

    ``defaults_path`` replaces every defaults file (tests); normally the shipped ``defaults.toml``
    is read, then the operator's one in ``PARTNER_LOCATOR_CONFIG_DIR`` when it has one.
    """
    environ = os.environ if environ is None else environ
    layers = _layers(environ, defaults_path)
    sections = {name: _load_section(name, layers, environ) for name in _SECTIONS}
    connection = _connection(environ)
    own = {role: _role_connection(environ, connection, role) for role in OWN_USER_ROLES}
    return Settings(connection=connection, role_connections={role: found for role, found in own.items() if found},
                    **sections)
