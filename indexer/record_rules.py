"""The limits of docs/program-rules.md, The partner export, as values: shared by the record schema (``indexer.records``,
marshmallow, every message exact) and its fast path (``indexer.fast_records``, msgspec)."""
from __future__ import annotations

from decimal import Context, Decimal

import pycountry

COUNTRY_CODES = frozenset(country.alpha_2 for country in pycountry.countries)
LANGUAGE_CODES = frozenset(lang.alpha_2 for lang in pycountry.languages if hasattr(lang, "alpha_2"))

# Maximum characters of each text field (and the minimum of the required ones: 1, never blank).
MAX_CHARS = {"company": 200, "site_name": 200, "street": 200, "postal_code": 20, "city": 100, "region": 100,
             "phone": 40, "email": 254, "website": 2000, "industry": 50, "description": 2000, "person_id": 200}
WEBSITE_SCHEMES = frozenset({"http", "https"})

# Revenues are bounded so that group sums stay exact in a fixed precision (see indexer.tiers).
MAX_REVENUE = Decimal(10) ** 15
_REVENUE_QUANTUM = Decimal("1e-20")
_WIDE = Context(prec=100)  # wide enough to quantize any revenue <= 10^15 to 20 places exactly


def revenue_is_sane(value: Decimal) -> bool:
    """At most 10^15 with at most 20 decimal places."""
    return value <= MAX_REVENUE and value == value.quantize(_REVENUE_QUANTUM, context=_WIDE)
