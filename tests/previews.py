"""An export built for the partner preview's tests, and running the CLI on it in-process.

Partner P1 ("Nordlys Sikring ApS") is Premier in DK, Advanced in the US and Authorized in JP; one
of its DK lines is rejected (a bad e-mail address) and one of its lines has a country that does
not parse (it goes to the group "unknown"); two people's MCDE certifications expire within 90 days
of the evaluation day. Partner P2 is Premier in DK. A line without a partner id reaches only the
report. Revenue figures and person ids are planted everywhere, to be found nowhere.
"""
from __future__ import annotations

import io
import logging
import uuid
from contextlib import contextmanager, redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path

import pytest

from locator.cli import main
from tests.exports import AS_OF, advanced_program, cert, premier_program, program, site, write_export

SECRET = "preview-secret-for-tests-only-0123456789"
COMPANY = "Nordlys Sikring ApS"
SECRET_REVENUES = ("987654.32", "81234.56", "23456.78", "345678.9")
SECRET_PEOPLE = ("PERSON-SECRET-4711", "PERSON-SECRET-0815", "PERSON-SECRET-1234", "PERSON-SECRET-9999")
# What must never leave the indexer: the planted figures and ids, the export's own field names,
# and the thresholds of the regions involved (RULES.md section 3).
NEVER_SHOWN = (*SECRET_REVENUES, "987654", "81234", "23456", "345678", *SECRET_PEOPLE, "PERSON-SECRET",
               "revenue_eur", "person_id", "250000", "300000", "75000", "60000", "50000", "200000")
EXPIRING_SOON = ("2026-07-15", "2026-08-01")  # within 90 days of AS_OF (2026-06-01)


def preview_export(path: Path) -> Path:
    premier = premier_program(revenue=float(SECRET_REVENUES[0]), people=(SECRET_PEOPLE[0], "E2", "E3"))
    skagen = program(0, certs=[cert("E9", "MCDE", EXPIRING_SOON[0]), cert("E10", "MCDE", EXPIRING_SOON[1]),
                               cert("E2", "MCIT", "2026-06-20"),  # E2's latest MCIT (at DK-1) ends in 2027
                               cert(SECRET_PEOPLE[0], "MCDE", "2026-07-01")])  # ...and this person's latest MCDE too
    bad_email = site("DK-3", "P1", "DK", "Odense", location=(55.4, 10.38), company=COMPANY,
                     prog=program(float(SECRET_REVENUES[3]), certs=[cert(SECRET_PEOPLE[3], "MCIE")]))
    bad_email["contact"]["email"] = "not-an-address"
    no_partner = site("NP-1", "P1", "DK", "Aarhus", location=(56.1, 10.2))
    del no_partner["partner_id"]
    return write_export(path, [
        site("DK-1", "P1", "DK", "Aarhus", location=(56.1507, 10.2044), company=COMPANY, prog=premier),
        site("DK-2", "P1", "DK", "Skagen", location=(57.72, 10.58), company=COMPANY, prog=skagen),
        bad_email,
        site("US-1", "P1", "US", "Austin", location=(30.2672, -97.7431), company=COMPANY,
             prog=advanced_program(revenue=float(SECRET_REVENUES[1]), people=(SECRET_PEOPLE[1], "E5"))),
        site("JP-1", "P1", "JP", "Osaka", location=(34.6937, 135.5023), company=COMPANY,
             prog=program(float(SECRET_REVENUES[2]))),
        site("XX-1", "P1", "XX", "Nowhere", location=(1.0, 1.0), company=COMPANY),
        no_partner,
        site("P2-1", "P2", "DK", "Copenhagen", location=(55.6761, 12.5683), company="Other Co",
             prog=premier_program(people=(SECRET_PEOPLE[2], "F2", "F3"))),
    ])


@dataclass
class CliRun:
    code: int
    out: str
    err: str
    raw_out: bytes


def run_cli(prefix: str, *args: str, secret: str | None = SECRET) -> CliRun:
    """``partner-locator ARGS`` in this process, with its own index prefix, stdout and stderr."""
    out = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", write_through=True)
    err = io.StringIO()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PARTNER_LOCATOR_ELASTICSEARCH_INDEX_PREFIX", prefix)
        patch.setenv("PARTNER_LOCATOR_PREVIEW_SECRET", secret or "")
        with redirect_stdout(out), redirect_stderr(err):
            code = main(list(args))
    raw = out.buffer.getvalue()
    return CliRun(code, raw.decode("utf-8-sig"), err.getvalue(), raw)


class _Lines(logging.Handler):
    def __init__(self):
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []
        self._seen: set[int] = set()

    def emit(self, record: logging.LogRecord) -> None:
        if id(record) not in self._seen:  # a record reaching both loggers counts once
            self._seen.add(id(record))
            self.lines.append(self.format(record))


@contextmanager
def captured_logs(*names: str):
    """Every line the project's loggers write meanwhile (whether or not they propagate to the root)."""
    handler = _Lines()
    loggers = [logging.getLogger(name) for name in names or ("partner_locator", "partner_locator.access")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
    try:
        yield handler.lines
    finally:
        for logger, level in zip(loggers, levels):
            logger.removeHandler(handler)
            logger.setLevel(level)



def index_preview_export(settings, work: Path) -> tuple:
    """(prefix, the index run, its report text, its logs) of the preview export, under a prefix of its own."""
    prefix = f"{settings.index_prefix}-pv{uuid.uuid4().hex[:6]}"
    report = work / "report.jsonl"
    with captured_logs() as logs:
        run = run_cli(prefix, "index", str(preview_export(work / "export.jsonl")), "--as-of", AS_OF,
                      "--report", str(report), "--max-error-rate", "0.5")
    assert run.code == 0, run.err
    return prefix, run, report.read_text(), logs
