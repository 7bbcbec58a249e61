"""Configuration: defaults, environment overrides, and a clear message naming a bad setting."""
from pathlib import Path

import pytest

from locator.settings import ConfigError, load_settings


def test_defaults_load_without_environment():
    settings = load_settings({})
    assert settings.index_prefix == "partner-locator"
    assert settings.local_node["port"] == 9200
    assert not settings.connection.external


def test_environment_overrides_defaults_with_the_right_type():
    settings = load_settings({"PARTNER_LOCATOR_LOCAL_NODE_PORT": "9333", "PARTNER_LOCATOR_ELASTICSEARCH_API_TIMEOUT_S": "0.5"})
    assert settings.local_node["port"] == 9333
    assert settings.elasticsearch["api_timeout_s"] == 0.5


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
    assert conn.urls == ("https://a.example:9243", "https://b.example:9243")


@pytest.mark.parametrize(
    ("environ", "named"),
    [
        ({"ELASTICSEARCH_URL": "https://x.example", "ELASTICSEARCH_USERNAME": "u"}, "ELASTICSEARCH_PASSWORD"),
        ({"ELASTICSEARCH_URL": "https://x.example", "ELASTICSEARCH_API_KEY": "k", "ELASTICSEARCH_USERNAME": "u",
          "ELASTICSEARCH_PASSWORD": "p"}, "ELASTICSEARCH_API_KEY"),
        ({"ELASTICSEARCH_URL": "https://x.example", "ELASTICSEARCH_CA_CERTS": "/nonexistent/ca.pem"}, "ELASTICSEARCH_CA_CERTS"),
        ({"ELASTICSEARCH_API_KEY": "k"}, "ELASTICSEARCH_URL"),
    ],
)
def test_inconsistent_connection_settings_are_refused(environ, named):
    with pytest.raises(ConfigError, match=named):
        load_settings(environ)
