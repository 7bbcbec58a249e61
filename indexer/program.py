"""The program configuration (docs/program-rules.md, Program configuration): revenue thresholds per region, cert minimums.

Thresholds "vary by region" and are not published, so they live in a TOML file that the indexer
reads once at start-up. Any mistake stops the indexer with a ``ProgramConfigError`` whose message
says what to fix; a half-valid configuration would silently list the wrong partners.
"""
from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

from indexer.records import validate_country
from locator.core.contract import CERT_TYPES, RANKED_TIERS
from locator.core.resources import config_file
from locator.core.validation import WHOLE, flatten_errors

DEFAULT_REGION = "default"
PROGRAM_FILE = "program.toml"  # in PARTNER_LOCATOR_CONFIG_DIR when the operator has one, else shipped
_KNOWN_TIERS = ", ".join(RANKED_TIERS)
_KNOWN_CERTS = ", ".join(CERT_TYPES)


class ProgramConfigError(Exception):
    """The program configuration is unusable; the message says what to fix."""


@dataclass(frozen=True)
class Region:
    name: str
    countries: frozenset[str]
    thresholds: dict[str, Decimal]  # tier -> minimum yearly revenue in EUR


@dataclass(frozen=True)
class ProgramConfig:
    currency: str
    cert_minimums: dict[str, dict[str, int]]  # tier -> {cert type -> minimum distinct people}
    regions: dict[str, Region]
    _region_by_country: dict[str, str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        index = {country: region.name for region in self.regions.values() for country in region.countries}
        object.__setattr__(self, "_region_by_country", index)

    def region_of(self, country: str) -> str:
        """The region named for ``country``, else the default region."""
        return self._region_by_country.get(country, DEFAULT_REGION)

    def threshold(self, country: str, tier: str) -> Decimal:
        """The revenue threshold of ``tier`` for a group in ``country``."""
        if tier not in RANKED_TIERS:
            raise ValueError(f"unknown tier {tier!r}; known: {_KNOWN_TIERS}")
        return self.regions[self.region_of(country)].thresholds[tier]


# --- schema -------------------------------------------------------------------------------------


def _amount(value) -> Decimal:
    """A TOML int or float >= 0 as an exact Decimal (a float via its shortest repr: 59999.99 stays)."""
    if type(value) not in (int, float) or (type(value) is float and not math.isfinite(value)) or value < 0:
        raise ValidationError("must be a number >= 0")
    return Decimal(repr(value)) if type(value) is float else Decimal(value)


def _minimum(value) -> int:
    if type(value) is not int or value < 0:
        raise ValidationError("must be a whole number >= 0")
    return value


_REQUIRED = {"required": "is required", "invalid": "must be a table"}
_TIER_NAME = validate.OneOf(RANKED_TIERS, error=f"unknown tier {{input!r}}; known: {_KNOWN_TIERS}")


class _Strict(Schema):
    """A misspelt key must not be silently ignored in a configuration file."""

    error_messages = {"unknown": "unknown key (check its spelling)", "type": "must be a table"}

    class Meta:
        unknown = RAISE


class _Region(_Strict):
    countries = fields.List(
        fields.String(validate=validate_country, error_messages={"invalid": "must be a string"}),
        load_default=list, error_messages={"invalid": "must be a list of country codes"},
    )
    thresholds = fields.Dict(
        keys=fields.String(validate=_TIER_NAME),
        values=fields.Function(deserialize=_amount),
        required=True, error_messages=_REQUIRED,
    )

    @validates_schema(skip_on_field_errors=True)
    def _every_tier(self, data, **kwargs):
        missing = [tier for tier in RANKED_TIERS if tier not in data["thresholds"]]
        if missing:
            raise ValidationError(f"missing tier(s) {', '.join(missing)}", field_name="thresholds")


class _Program(_Strict):
    currency = fields.String(
        required=True, error_messages=_REQUIRED,
        validate=validate.Equal("EUR", error='must be "EUR" since revenue_eur is in EUR, not {input!r}'),
    )
    certifications = fields.Dict(
        keys=fields.String(validate=_TIER_NAME),
        values=fields.Dict(
            keys=fields.String(), values=fields.Function(deserialize=_minimum), error_messages=_REQUIRED
        ),
        required=True, error_messages=_REQUIRED,
    )
    regions = fields.Dict(
        keys=fields.String(), values=fields.Nested(_Region), required=True, error_messages=_REQUIRED
    )

    @validates_schema(skip_on_field_errors=True)
    def _consistent(self, data, **kwargs):
        problems = _certification_problems(data["certifications"]) + _region_problems(data["regions"])
        if problems:
            raise ValidationError(problems)


def _certification_problems(tables: dict) -> list[str]:
    problems = [
        f"no [certifications.{tier}] table (minimum distinct certified people per type; 0 for none)"
        for tier in ("advanced", "premier") if tier not in tables
    ]
    for tier, minimums in tables.items():
        problems += [
            f"unknown certification type {cert!r} in [certifications.{tier}]; known: {_KNOWN_CERTS}"
            for cert in minimums if cert not in CERT_TYPES
        ]
    return problems


def _region_problems(regions: dict) -> list[str]:
    problems = []
    if DEFAULT_REGION not in regions:
        problems.append(f"no [regions.{DEFAULT_REGION}] region (it covers every country not named elsewhere)")
    elif regions[DEFAULT_REGION]["countries"]:
        problems.append(f"region {DEFAULT_REGION} must not list countries: it covers every country not named elsewhere")
    first_region: dict[str, str] = {}
    for name, region in regions.items():
        for country in dict.fromkeys(region["countries"]):
            if country in first_region:
                problems.append(f"country {country} is in two regions: {first_region[country]} and {name}")
            first_region.setdefault(country, name)
        levels = [region["thresholds"][tier] for tier in RANKED_TIERS]
        if levels != sorted(levels):
            problems.append(f"region {name}: thresholds must satisfy authorized <= advanced <= premier")
    return problems


_SCHEMA = _Program()


# --- loading ------------------------------------------------------------------------------------


def parse_program(data: dict) -> ProgramConfig:
    """Validate an already-parsed TOML document and build the configuration."""
    try:
        loaded = _SCHEMA.load(data)
    except ValidationError as exc:
        problems = [why if path == WHOLE else f"{path}: {why}" for path, why in flatten_errors(exc.messages)]
        raise ProgramConfigError("; ".join(problems)) from None
    regions = {
        name: Region(name, frozenset(region["countries"]), dict(region["thresholds"]))
        for name, region in loaded["regions"].items()
    }
    minimums = {
        tier: {cert: loaded["certifications"].get(tier, {}).get(cert, 0) for cert in CERT_TYPES}
        for tier in RANKED_TIERS
    }
    return ProgramConfig(currency=loaded["currency"], cert_minimums=minimums, regions=regions)


def load_program(path: Path | None = None) -> ProgramConfig:
    """Read and validate the program TOML: ``path``, else the operator's ``program.toml`` in
    ``PARTNER_LOCATOR_CONFIG_DIR``, else the one shipped with the package."""
    path = Path(path) if path is not None else config_file(PROGRAM_FILE)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ProgramConfigError(f"{path}: program configuration file not found") from None
    except UnicodeDecodeError:
        raise ProgramConfigError(f"{path}: not a TOML file (not UTF-8 text)") from None
    except OSError as exc:
        raise ProgramConfigError(f"{path}: cannot read: {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ProgramConfigError(f"{path}: not valid TOML: {exc}") from None
    try:
        return parse_program(data)
    except ProgramConfigError as exc:
        raise ProgramConfigError(f"{path}: {exc}") from None
