"""Building partner exports for tests: readable records, with RULES.md's field names."""
from __future__ import annotations

import json
from pathlib import Path

AS_OF = "2026-06-01"
VALID_UNTIL = "2027-12-31"
EXPIRED = "2026-05-31"


def cert(person_id: str, cert_type: str, valid_until: str = VALID_UNTIL) -> dict:
    return {"person_id": person_id, "type": cert_type, "valid_until": valid_until}


def program(revenue: str | float = 100000, *, certs=(), terms=True, onboarding="2024-01-10", sales="2026-02-01",
            plan=2026, ambassador=False) -> dict:
    return {"terms_accepted": terms, "revenue_eur": revenue, "onboarding_completed": onboarding,
            "sales_training_completed": sales, "business_plan_year": plan, "ambassador": ambassador,
            "certifications": list(certs)}


def premier_program(revenue=300000, people=("E1", "E2", "E3")) -> dict:
    mcde, mcit, mcie = people
    return program(revenue, certs=[cert(mcde, "MCDE"), cert(mcit, "MCIT"), cert(mcie, "MCIE")], ambassador=True)


def advanced_program(revenue=80000, people=("E1", "E2")) -> dict:
    return program(revenue, certs=[cert(people[0], "MCDE"), cert(people[1], "MCIT")])


def site(site_id: str, partner_id: str, country: str, city: str, *, location=(None, None), company=None,
         prog=None, **extra) -> dict:
    record = {
        "site_id": site_id,
        "partner_id": partner_id,
        "company": company or f"Company {partner_id}",
        "site_name": f"{city} office",
        "address": {"street": "Main Street 1", "postal_code": "1000", "city": city, "country": country},
        "contact": {"phone": "+45 11 22 33 44", "email": f"{site_id.lower()}@partner.example",
                    "website": "https://partner.example"},
        "languages": ["en"],
        "industries": ["retail"],
        "description": "Installs video systems.",
        "program": prog or program(),
    }
    if location[0] is not None:
        record["location"] = {"lat": location[0], "lon": location[1]}
    record.update(extra)
    return record


def write_export(path: Path, lines: list) -> Path:
    """Lines are dicts (serialised as JSON) or raw strings (written as they are: broken lines)."""
    with path.open("w", encoding="utf-8") as handle:
        for line in lines:
            handle.write((line if isinstance(line, str) else json.dumps(line, ensure_ascii=False)) + "\n")
    return path
