"""The program configuration (RULES.md section 3): shipped defaults, lookups, and named errors."""
from __future__ import annotations

import copy
import tomllib
from decimal import Decimal
from pathlib import Path

import pytest

from indexer.program import ProgramConfigError, load_program, parse_program
from locator.core.resources import shipped_config

SHIPPED = tomllib.loads(shipped_config("program.toml").read_text())

RULES_REGIONS = {  # RULES.md section 3, copied by hand: the shipped file must say exactly this
    "americas": ({"US", "CA", "MX", "BR", "AR", "CL", "CO", "PE"}, (10000, 75000, 300000)),
    "emea": ({"DK", "SE", "NO", "FI", "DE", "FR", "GB", "NL", "BE", "ES", "IT", "PL", "AE", "SA", "ZA"},
             (10000, 60000, 250000)),
    "apac": ({"AU", "NZ", "JP", "SG", "IN", "KR", "TW", "CN", "ID", "TH", "MY", "VN", "PH"}, (8000, 50000, 200000)),
    "default": (set(), (10000, 60000, 250000)),
}


def edited(change) -> dict:
    """A deep copy of the shipped configuration with ``change(data)`` applied."""
    data = copy.deepcopy(SHIPPED)
    change(data)
    return data


def error_of(data: dict) -> str:
    with pytest.raises(ProgramConfigError) as caught:
        parse_program(data)
    return str(caught.value)


# --- shipped defaults and lookups ---------------------------------------------------------------


def test_without_a_path_the_shipped_program_is_read(monkeypatch):
    monkeypatch.delenv("PARTNER_LOCATOR_CONFIG_DIR", raising=False)
    assert load_program() == parse_program(SHIPPED)


def test_an_operators_program_in_the_config_dir_comes_before_the_shipped_one(monkeypatch, tmp_path: Path):
    own = tmp_path / "program.toml"
    own.write_text(shipped_config("program.toml").read_text().replace("premier = 250000", "premier = 270000"))
    monkeypatch.setenv("PARTNER_LOCATOR_CONFIG_DIR", str(tmp_path))
    assert load_program().threshold("DK", "premier") == Decimal(270000)
    (tmp_path / "program.toml").unlink()  # a config dir without its own program.toml: the shipped one
    assert load_program().threshold("DK", "premier") == Decimal(250000)


def test_shipped_configuration_is_exactly_rules_section_3():
    program = load_program()
    assert program.currency == "EUR"
    assert set(program.regions) == set(RULES_REGIONS)
    for name, (countries, (authorized, advanced, premier)) in RULES_REGIONS.items():
        region = program.regions[name]
        assert region.name == name and region.countries == frozenset(countries)
        assert region.thresholds == {"authorized": authorized, "advanced": advanced, "premier": premier}
        assert all(isinstance(value, Decimal) for value in region.thresholds.values())
    assert program.cert_minimums == {
        "authorized": {"MCDE": 0, "MCIT": 0, "MCIE": 0},
        "advanced": {"MCDE": 1, "MCIT": 1, "MCIE": 0},
        "premier": {"MCDE": 1, "MCIT": 1, "MCIE": 1},
    }


@pytest.mark.parametrize(("country", "region", "tier", "threshold"), [
    ("DK", "emea", "advanced", 60000),
    ("ZA", "emea", "premier", 250000),
    ("US", "americas", "advanced", 75000),
    ("PE", "americas", "authorized", 10000),
    ("JP", "apac", "advanced", 50000),
    ("PH", "apac", "authorized", 8000),
    ("KE", "default", "premier", 250000),
    ("IS", "default", "advanced", 60000),
])
def test_threshold_comes_from_the_country_region_or_the_default(country, region, tier, threshold):
    program = load_program()
    assert program.region_of(country) == region
    assert program.threshold(country, tier) == Decimal(threshold)


def test_threshold_of_an_unknown_tier_is_an_error():
    with pytest.raises(ValueError, match="unknown tier 'none'"):
        load_program().threshold("DK", "none")


def test_float_thresholds_are_exact_decimals():
    program = parse_program(edited(lambda d: d["regions"]["emea"]["thresholds"].update(advanced=59999.99)))
    assert program.threshold("DK", "advanced") == Decimal("59999.99")


def test_absent_certification_types_and_tiers_mean_zero():
    program = parse_program(edited(lambda d: d["certifications"].update(advanced={"MCIT": 2}, authorized={"MCDE": 1})))
    assert program.cert_minimums["advanced"] == {"MCDE": 0, "MCIT": 2, "MCIE": 0}
    assert program.cert_minimums["authorized"] == {"MCDE": 1, "MCIT": 0, "MCIE": 0}


def test_a_region_may_be_added_and_equal_thresholds_are_allowed():
    nordics = {"countries": ["IS"], "thresholds": {"authorized": 5, "advanced": 5, "premier": 5}}
    program = parse_program(edited(lambda d: d["regions"].update(nordics=nordics)))
    assert program.region_of("IS") == "nordics" and program.threshold("IS", "premier") == 5


# --- configuration errors, each named -----------------------------------------------------------

NORDICS_DK = {"countries": ["DK", "IS"], "thresholds": {"authorized": 1, "advanced": 2, "premier": 3}}

ERRORS = [
    ("country in two regions", lambda d: d["regions"].update(nordics=NORDICS_DK),
     "country DK is in two regions: emea and nordics"),
    ("no default region", lambda d: d["regions"].pop("default"), "no [regions.default] region"),
    ("default lists countries", lambda d: d["regions"]["default"].update(countries=["KE"]),
     "region default must not list countries"),
    ("threshold order", lambda d: d["regions"]["apac"]["thresholds"].update(advanced=250000),
     "region apac: thresholds must satisfy authorized <= advanced <= premier"),
    ("threshold order low", lambda d: d["regions"]["emea"]["thresholds"].update(authorized=60000.01),
     "region emea: thresholds must satisfy authorized <= advanced <= premier"),
    ("unknown cert type", lambda d: d["certifications"]["advanced"].update(MCXX=1),
     "unknown certification type 'MCXX' in [certifications.advanced]; known: MCDE, MCIT, MCIE"),
    ("unknown tier in certifications", lambda d: d["certifications"].update(gold={"MCDE": 1}),
     "certifications.gold: unknown tier 'gold'; known: authorized, advanced, premier"),
    ("unknown tier in thresholds", lambda d: d["regions"]["apac"]["thresholds"].update(gold=1),
     "regions.apac.thresholds.gold: unknown tier 'gold'"),
    ("missing tier in thresholds", lambda d: d["regions"]["apac"]["thresholds"].pop("premier"),
     "regions.apac.thresholds: missing tier(s) premier"),
    ("negative threshold", lambda d: d["regions"]["emea"]["thresholds"].update(authorized=-1),
     "regions.emea.thresholds.authorized: must be a number >= 0"),
    ("text threshold", lambda d: d["regions"]["emea"]["thresholds"].update(premier="250000"),
     "regions.emea.thresholds.premier: must be a number >= 0"),
    ("boolean threshold", lambda d: d["regions"]["emea"]["thresholds"].update(premier=True),
     "regions.emea.thresholds.premier: must be a number >= 0"),
    ("infinite threshold", lambda d: d["regions"]["emea"]["thresholds"].update(premier=float("inf")),
     "regions.emea.thresholds.premier: must be a number >= 0"),
    ("negative cert minimum", lambda d: d["certifications"]["premier"].update(MCIE=-1),
     "certifications.premier.MCIE: must be a whole number >= 0"),
    ("fractional cert minimum", lambda d: d["certifications"]["premier"].update(MCIE=0.5),
     "certifications.premier.MCIE: must be a whole number >= 0"),
    ("missing premier minimums", lambda d: d["certifications"].pop("premier"), "no [certifications.premier] table"),
    ("missing certifications", lambda d: d.pop("certifications"), "certifications: is required"),
    ("missing regions", lambda d: d.pop("regions"), "regions: is required"),
    ("currency", lambda d: d.update(currency="USD"), 'currency: must be "EUR" since revenue_eur is in EUR'),
    ("missing currency", lambda d: d.pop("currency"), "currency: is required"),
    ("fake country", lambda d: d["regions"]["apac"]["countries"].append("XX"),
     "regions.apac.countries.13: not a valid ISO 3166-1 alpha-2 country code: 'XX'"),
    ("lower-case country", lambda d: d["regions"]["emea"]["countries"].append("is"), "upper case: 'IS'"),
    ("misspelt key", lambda d: d["regions"]["apac"].update(treshold=1), "regions.apac.treshold: unknown key"),
    ("misspelt top key", lambda d: d.update(curency="EUR"), "curency: unknown key"),
    ("region not a table", lambda d: d["regions"].update(apac=5), "regions.apac: must be a table"),
]


@pytest.mark.parametrize(("change", "message"), [case[1:] for case in ERRORS], ids=[case[0] for case in ERRORS])
def test_each_configuration_error_says_what_to_fix(change, message):
    assert message in error_of(edited(change))


def test_all_consistency_problems_are_reported_together():
    def two_problems(data):
        data["regions"].update(nordics=NORDICS_DK)
        data["regions"]["apac"]["thresholds"].update(premier=1)

    message = error_of(edited(two_problems))
    assert "country DK is in two regions" in message and "region apac: thresholds must satisfy" in message


# --- reading the file ---------------------------------------------------------------------------


def test_missing_file_is_named(tmp_path: Path):
    with pytest.raises(ProgramConfigError, match=r"nowhere\.toml: program configuration file not found"):
        load_program(tmp_path / "nowhere.toml")


@pytest.mark.parametrize(("content", "message"), [
    (b"currency = EUR\n", "not valid TOML"),
    (b"[regions.default\n", "not valid TOML"),
    (b"\xff\xfe\x00binary", "not a TOML file"),
])
def test_a_file_that_is_not_toml_is_named(tmp_path: Path, content: bytes, message: str):
    path = tmp_path / "program.toml"
    path.write_bytes(content)
    with pytest.raises(ProgramConfigError, match=f"program.toml: {message}"):
        load_program(path)


def test_a_directory_is_not_a_configuration(tmp_path: Path):
    with pytest.raises(ProgramConfigError, match="cannot read"):
        load_program(tmp_path)


def test_errors_in_a_file_name_the_file(tmp_path: Path):
    path = tmp_path / "custom.toml"
    path.write_text(shipped_config("program.toml").read_text().replace('"EUR"', '"DKK"'))
    with pytest.raises(ProgramConfigError, match=r"custom\.toml: currency: must be \"EUR\""):
        load_program(path)
