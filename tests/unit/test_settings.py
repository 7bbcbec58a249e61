"""Configuration: defaults, environment overrides, and a clear message naming a bad setting."""
from pathlib import Path

import pytest

from locator.core.settings import ConfigError, load_settings


def test_defaults_load_without_environment():
    settings = load_settings({})
    assert settings.index_prefix == "partner-locator"
    assert settings.local_node.port == 9200
    assert not settings.connection.external and settings.api.cors_origins == ("http://127.0.0.1:5000", "http://localhost:5000")


def test_environment_overrides_defaults_with_the_right_type():
    settings = load_settings({"PARTNER_LOCATOR_LOCAL_NODE_PORT": "9333", "PARTNER_LOCATOR_ELASTICSEARCH_API_TIMEOUT_S": "0.5"})
    assert settings.local_node.port == 9333
    assert settings.elasticsearch.api_timeout_s == 0.5


@pytest.mark.parametrize(
    ("variable", "value", "named"),
    [
        ("PARTNER_LOCATOR_LOCAL_NODE_PORT", "99999", "PARTNER_LOCATOR_LOCAL_NODE_PORT"),
        ("PARTNER_LOCATOR_LOCAL_NODE_PORT", "abc", "PARTNER_LOCATOR_LOCAL_NODE_PORT"),
        ("PARTNER_LOCATOR_LOCAL_NODE_HEAP", "lots", "PARTNER_LOCATOR_LOCAL_NODE_HEAP"),
        ("PARTNER_LOCATOR_ELASTICSEARCH_INDEX_PREFIX", "Has Spaces", "PARTNER_LOCATOR_ELASTICSEARCH_INDEX_PREFIX"),
        ("ELASTICSEARCH_URL", "localhost:9200", "ELASTICSEARCH_URL"),
        ("PARTNER_LOCATOR_API_RATE_LIMIT", "lots", "PARTNER_LOCATOR_API_RATE_LIMIT"),
        ("PARTNER_LOCATOR_GEOCODING_BACKEND", "google-maps-scraper", "PARTNER_LOCATOR_GEOCODING_BACKEND"),
        ("PARTNER_LOCATOR_INDEXER_WORKERS", "-1", "PARTNER_LOCATOR_INDEXER_WORKERS"),
        ("PARTNER_LOCATOR_PREVIEW_SECRET", "too-short-a-secret", "PARTNER_LOCATOR_PREVIEW_SECRET"),
        ("PARTNER_LOCATOR_PREVIEW_LINK_DAYS", "0", "PARTNER_LOCATOR_PREVIEW_LINK_DAYS"),
        ("PARTNER_LOCATOR_API_PUBLIC_URL", "locator.example", "PARTNER_LOCATOR_API_PUBLIC_URL"),
    ],
)
def test_a_bad_setting_is_named_in_the_error(variable, value, named):
    with pytest.raises(ConfigError, match=named):
        load_settings({variable: value})


def test_a_bad_default_file_is_named(tmp_path: Path):
    broken = tmp_path / "defaults.toml"
    broken.write_text("[elasticsearch\n")
    with pytest.raises(ConfigError, match="defaults.toml: not valid TOML"):
        load_settings({}, defaults_path=broken)


def test_several_urls_are_split_and_trimmed():
    conn = load_settings({"ELASTICSEARCH_URL": "https://a.example:9243/, https://b.example:9243"}).connection
    assert conn.hosts == ("https://a.example:9243", "https://b.example:9243")


@pytest.mark.parametrize(
    ("environ", "named"),
    [
        ({"ELASTICSEARCH_URL": "https://x.example", "ELASTICSEARCH_USERNAME": "u"}, "ELASTICSEARCH_PASSWORD"),
        ({"ELASTICSEARCH_URL": "https://x.example", "ELASTICSEARCH_API_KEY": "k", "ELASTICSEARCH_USERNAME": "u",
          "ELASTICSEARCH_PASSWORD": "p"}, "ELASTICSEARCH_API_KEY"),
        ({"ELASTICSEARCH_URL": "https://x.example", "ELASTICSEARCH_CA_CERTS": "/nonexistent/ca.pem"}, "ELASTICSEARCH_CA_CERTS"),
        ({"ELASTICSEARCH_API_KEY": "k"}, "ELASTICSEARCH_URL"),
        ({"ELASTICSEARCH_URL": "https://x.example", "ELASTICSEARCH_PREVIEW_USERNAME": "p"}, "ELASTICSEARCH_PREVIEW_PASSWORD"),
        ({"ELASTICSEARCH_URL": "https://x.example", "ELASTICSEARCH_PREVIEW_USERNAME": "p", "ELASTICSEARCH_PREVIEW_PASSWORD": "q",
          "ELASTICSEARCH_PREVIEW_API_KEY": "k"}, "ELASTICSEARCH_PREVIEW_API_KEY"),
    ],
)
def test_inconsistent_connection_settings_are_refused(environ, named):
    with pytest.raises(ConfigError, match=named):
        load_settings(environ)


def test_an_operators_defaults_file_overrides_the_shipped_one_key_by_key(tmp_path: Path):
    (tmp_path / "defaults.toml").write_text('[local_node]\nport = 9400\n[api]\ncors_origins = "https://www.milestonesys.com"\n')
    settings = load_settings({"PARTNER_LOCATOR_CONFIG_DIR": str(tmp_path)})
    assert settings.local_node.port == 9400 and settings.api.cors_origins == ("https://www.milestonesys.com",)
    assert settings.local_node.heap == "512m" and settings.index_prefix == "partner-locator"  # the rest: shipped
    # The environment still wins over both files.
    assert load_settings({"PARTNER_LOCATOR_CONFIG_DIR": str(tmp_path), "PARTNER_LOCATOR_LOCAL_NODE_PORT": "9500"}
                         ).local_node.port == 9500


def test_a_bad_value_in_the_operators_file_names_that_file_and_key(tmp_path: Path):
    (tmp_path / "defaults.toml").write_text("[indexer]\nworkers = -3\nbulk_treads = 2\n")
    with pytest.raises(ConfigError) as caught:
        load_settings({"PARTNER_LOCATOR_CONFIG_DIR": str(tmp_path)})
    message = str(caught.value)
    assert f"indexer.workers in {tmp_path / 'defaults.toml'}" in message
    assert "indexer.bulk_treads" in message and "Unknown field" in message  # a misspelt key is not ignored


def test_a_config_dir_that_does_not_exist_is_named(tmp_path: Path):
    with pytest.raises(ConfigError, match="PARTNER_LOCATOR_CONFIG_DIR: .*missing.* is not a directory"):
        load_settings({"PARTNER_LOCATOR_CONFIG_DIR": str(tmp_path / "missing")})


def test_the_preview_secret_is_off_by_default_checked_and_never_shown():
    assert load_settings({}).preview.secret == "" and load_settings({}).preview.link_days == 30
    secret = "correct horse battery staple, forty chars!"
    settings = load_settings({"PARTNER_LOCATOR_PREVIEW_SECRET": secret})
    assert settings.preview.secret == secret and secret not in repr(settings)
    with pytest.raises(ConfigError) as short:
        load_settings({"PARTNER_LOCATOR_PREVIEW_SECRET": "s3cret-but-short"})
    assert "at least 32 characters" in str(short.value) and "s3cret" not in str(short.value)


def test_the_public_url_is_taken_from_each_request_unless_set():
    assert load_settings({}).api.public_url == ""
    assert load_settings({"PARTNER_LOCATOR_API_PUBLIC_URL": "https://locator.example"}).api.public_url == "https://locator.example"


def test_the_preview_user_of_an_external_cluster_has_its_own_credentials():
    external = {"ELASTICSEARCH_URL": "https://x.example", "ELASTICSEARCH_USERNAME": "reader", "ELASTICSEARCH_PASSWORD": "r"}
    assert load_settings(external).preview_connection is None
    preview = load_settings({**external, "ELASTICSEARCH_PREVIEW_USERNAME": "preview", "ELASTICSEARCH_PREVIEW_PASSWORD": "p"})
    assert (preview.preview_connection.hosts, preview.preview_connection.username) == (("https://x.example",), "preview")
    keyed = load_settings({**external, "ELASTICSEARCH_PREVIEW_API_KEY": "k"}).preview_connection
    assert (keyed.api_key, keyed.username, keyed.password) == ("k", None, None)


@pytest.mark.parametrize(("variable", "value"), [
    ("PARTNER_LOCATOR_PAGES_FRAME_ANCESTORS", "'self'; script-src *"),  # no way to smuggle a directive in
    ("PARTNER_LOCATOR_PAGES_FRAME_ANCESTORS", "'unsafe-inline'"),
    ("PARTNER_LOCATOR_PAGES_FRAME_ANCESTORS", ""),
    ("PARTNER_LOCATOR_API_PUBLIC_URL", "partners.example"),
    ("PARTNER_LOCATOR_PAGES_TILE_URL", "http://tiles.example/{z}/{x}/{y}.png"),
    ("PARTNER_LOCATOR_PAGES_SITEMAP_MAX_URLS", "50001"),
])
def test_a_bad_page_setting_is_named(variable, value):
    with pytest.raises(ConfigError, match=variable):
        load_settings({variable: value})


def test_the_embedders_are_a_list_of_origins():
    settings = load_settings({"PARTNER_LOCATOR_PAGES_FRAME_ANCESTORS": "https://www.milestonesys.com, https://*.example.com:8443",
                              "PARTNER_LOCATOR_API_PUBLIC_URL": "https://partners.example/locator"})
    assert settings.pages.frame_ancestors == ("https://www.milestonesys.com", "https://*.example.com:8443")
    assert settings.api.public_url == "https://partners.example/locator"


# Every secret the settings take, each a value that appears nowhere else (so a leak cannot hide).
_SECRETS = {"ELASTICSEARCH_PASSWORD": "main-password-7Qx2", "ELASTICSEARCH_API_KEY": "main-api-key-Vb81",
            "ELASTICSEARCH_PREVIEW_PASSWORD": "preview-password-Kd04", "ELASTICSEARCH_PREVIEW_API_KEY": "preview-api-key-Zr93",
            "PARTNER_LOCATOR_PREVIEW_SECRET": "preview-signing-secret-Wm57-0123456789abcdef",
            "PARTNER_LOCATOR_ANALYTICS_TOKEN_SECRET": "token-signing-secret-Pz31-0123456789abcdef",
            "PARTNER_LOCATOR_STAFF_SECRET": "staff-signing-secret-Jq72-0123456789abcdef",
            "ELASTICSEARCH_EVENTS_PASSWORD": "events-password-Lm45", "ELASTICSEARCH_EVENTS_API_KEY": "events-api-key-Tg19",
            "ELASTICSEARCH_STAFF_PASSWORD": "staff-password-Yc83", "ELASTICSEARCH_STAFF_API_KEY": "staff-api-key-Nw27",
            "url": "url-password-Hs66"}
_URL = f"https://locator:{_SECRETS['url']}@es1.example:9243,https://es2.example:9243"
# An API key and a user exclude each other, so two environments between them set every secret.
_EVERY_SECRET = [
    {"ELASTICSEARCH_URL": _URL, "ELASTICSEARCH_USERNAME": "reader", "ELASTICSEARCH_STAFF_USERNAME": "staff",
     **{name: _SECRETS[name] for name in (
        "ELASTICSEARCH_PASSWORD", "ELASTICSEARCH_PREVIEW_API_KEY", "PARTNER_LOCATOR_PREVIEW_SECRET",
        "PARTNER_LOCATOR_ANALYTICS_TOKEN_SECRET", "PARTNER_LOCATOR_STAFF_SECRET", "ELASTICSEARCH_EVENTS_API_KEY",
        "ELASTICSEARCH_STAFF_PASSWORD")}},
    {"ELASTICSEARCH_URL": _URL, "ELASTICSEARCH_PREVIEW_USERNAME": "preview", "ELASTICSEARCH_EVENTS_USERNAME": "events",
     **{name: _SECRETS[name] for name in (
        "ELASTICSEARCH_API_KEY", "ELASTICSEARCH_PREVIEW_PASSWORD", "PARTNER_LOCATOR_PREVIEW_SECRET",
        "PARTNER_LOCATOR_ANALYTICS_TOKEN_SECRET", "PARTNER_LOCATOR_STAFF_SECRET", "ELASTICSEARCH_EVENTS_PASSWORD",
        "ELASTICSEARCH_STAFF_API_KEY")}},
]
# One bad value at a time on top of those: every kind of ConfigError the settings raise.
_BAD = [{"PARTNER_LOCATOR_LOCAL_NODE_PORT": "99999"}, {"PARTNER_LOCATOR_API_RATE_LIMIT": "lots"},
        {"PARTNER_LOCATOR_PREVIEW_LINK_DAYS": "0"}, {"PARTNER_LOCATOR_PAGES_FRAME_ANCESTORS": "'unsafe-inline'"},
        {"ELASTICSEARCH_URL": f"locator:{_SECRETS['url']}@es1.example:9243"},  # no scheme: the URL is quoted
        {"ELASTICSEARCH_CA_CERTS": "/nonexistent/ca.pem"},
        {"ELASTICSEARCH_USERNAME": "u", "ELASTICSEARCH_API_KEY": _SECRETS["ELASTICSEARCH_API_KEY"],
         "ELASTICSEARCH_PASSWORD": _SECRETS["ELASTICSEARCH_PASSWORD"]},
        {"ELASTICSEARCH_PREVIEW_USERNAME": "p", "ELASTICSEARCH_PREVIEW_API_KEY": _SECRETS["ELASTICSEARCH_PREVIEW_API_KEY"],
         "ELASTICSEARCH_PREVIEW_PASSWORD": _SECRETS["ELASTICSEARCH_PREVIEW_PASSWORD"]},
        {"PARTNER_LOCATOR_PREVIEW_SECRET": "short-preview-secret-Wm57"},
        {"PARTNER_LOCATOR_ANALYTICS_TOKEN_SECRET": "short-token-secret-Pz31"},
        {"PARTNER_LOCATOR_STAFF_SECRET": "short-staff-secret-Jq72"},
        {"ELASTICSEARCH_EVENTS_USERNAME": "e", "ELASTICSEARCH_EVENTS_API_KEY": _SECRETS["ELASTICSEARCH_EVENTS_API_KEY"],
         "ELASTICSEARCH_EVENTS_PASSWORD": _SECRETS["ELASTICSEARCH_EVENTS_PASSWORD"]},
        {"PARTNER_LOCATOR_ANALYTICS_MIN_COUNT": "0"}]


def _leaked(text: str) -> list[str]:
    shorts = {"short": "short-preview-secret-Wm57", "short token": "short-token-secret-Pz31",
              "short staff": "short-staff-secret-Jq72"}
    return sorted(name for name, value in {**_SECRETS, **shorts}.items() if value in text)


@pytest.mark.parametrize("environ", _EVERY_SECRET, ids=["password+preview-key", "key+preview-password"])
def test_no_secret_shows_in_the_settings_repr_or_str(environ):
    settings = load_settings(environ)
    assert settings.connection.password or settings.connection.api_key  # they are there...
    assert settings.preview_connection is not None and settings.preview.secret and settings.analytics.token_secret
    assert set(settings.role_connections) == {"preview", "events", "staff"} and settings.staff.secret
    for shown in (repr(settings), str(settings), repr(settings.connection),
                  *(repr(connection) for connection in settings.role_connections.values())):
        assert not _leaked(shown)  # ...and never shown
    assert "es1.example:9243" in repr(settings) and "es2.example:9243" in repr(settings)  # what is not secret still is


@pytest.mark.parametrize("environ", _EVERY_SECRET, ids=["password+preview-key", "key+preview-password"])
@pytest.mark.parametrize("bad", _BAD, ids=lambda bad: "+".join(bad))
def test_no_secret_shows_in_a_configuration_error(environ, bad):
    with pytest.raises(ConfigError) as caught:
        load_settings({**environ, **bad})
    assert not _leaked(str(caught.value)), str(caught.value)
