"""The settings of the app's edge: which Host names it answers for, which proxies it believes, who
may frame its pages, and how the sitemap pages through the index. Validated at start-up."""
import pytest

from locator.api.urls import trusted_hosts
from locator.core.settings import ConfigError, load_settings


def test_the_shipped_edge_trusts_the_local_addresses_no_proxy_and_no_other_framer():
    settings = load_settings({})
    assert settings.api.trusted_hosts == ("127.0.0.1", "localhost")  # what `make run` serves on
    assert settings.api.trusted_proxies == 0  # no X-Forwarded-* header is believed
    assert settings.pages.frame_ancestors == ("'self'",)
    assert settings.pages.sitemap_page_size == 5000


def test_hosts_and_proxies_are_read_from_the_environment():
    settings = load_settings({"PARTNER_LOCATOR_API_TRUSTED_HOSTS": "partners.example.com, .Example.org",
                              "PARTNER_LOCATOR_API_TRUSTED_PROXIES": "2"})
    assert settings.api.trusted_hosts == ("partners.example.com", ".Example.org") and settings.api.trusted_proxies == 2


def test_the_public_urls_host_is_trusted_too():
    api = load_settings({"PARTNER_LOCATOR_API_PUBLIC_URL": "https://Partners.Example:8443/locator",
                         "PARTNER_LOCATOR_API_TRUSTED_HOSTS": "127.0.0.1, .Example.org, 127.0.0.1"}).api
    assert trusted_hosts(api) == ["127.0.0.1", ".example.org", "partners.example"]
    assert trusted_hosts(load_settings({}).api) == ["127.0.0.1", "localhost"]


@pytest.mark.parametrize(("variable", "value", "says"), [
    ("PARTNER_LOCATOR_API_TRUSTED_HOSTS", "", "at least one"),  # empty would let Flask trust every host
    ("PARTNER_LOCATOR_API_TRUSTED_HOSTS", " , ", "at least one"),
    ("PARTNER_LOCATOR_API_TRUSTED_HOSTS", "https://partners.example.com", "without scheme or port"),
    ("PARTNER_LOCATOR_API_TRUSTED_HOSTS", "localhost, partners.example.com:443", "'partners.example.com:443'"),
    ("PARTNER_LOCATOR_API_TRUSTED_HOSTS", "*", "'*'"),
    ("PARTNER_LOCATOR_API_TRUSTED_HOSTS", "partners example", "'partners example'"),
    ("PARTNER_LOCATOR_API_TRUSTED_PROXIES", "-1", "greater than or equal to 0 and less than or equal to 10\\."),
    ("PARTNER_LOCATOR_API_TRUSTED_PROXIES", "11", "greater than or equal to 0 and less than or equal to 10\\."),
    ("PARTNER_LOCATOR_API_TRUSTED_PROXIES", "one", "integer"),
    ("PARTNER_LOCATOR_PAGES_FRAME_ANCESTORS", "localhost:*", "'localhost:\\*'"),
    ("PARTNER_LOCATOR_PAGES_SITEMAP_PAGE_SIZE", "0", "greater than or equal to 1 and less than or equal to 10000"),
    ("PARTNER_LOCATOR_PAGES_SITEMAP_PAGE_SIZE", "10001", "greater than or equal to 1 and less than or equal to 10000"),
])
def test_a_bad_edge_setting_stops_the_start_naming_it_and_why(variable, value, says):
    with pytest.raises(ConfigError, match=f"{variable}: .*{says}"):
        load_settings({variable: value})


def test_local_framing_for_make_run_is_a_setting():
    settings = load_settings({"PARTNER_LOCATOR_PAGES_FRAME_ANCESTORS": "'self', http://localhost:*, http://127.0.0.1:*"})
    assert settings.pages.frame_ancestors == ("'self'", "http://localhost:*", "http://127.0.0.1:*")
