"""What every staff page works with, made once per app: the settings, the ``staff`` user's client,
the gazetteer (place labels) and the clock (the tests fix it: link expiry, the default period)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import Callable

from elasticsearch import Elasticsearch
from flask import current_app

from locator.core.gazetteer import Gazetteer
from locator.core.settings import Settings

EXTENSION = "partner_locator_staff"


@dataclass(frozen=True)
class StaffContext:
    settings: Settings
    es: Elasticsearch
    gazetteer: Gazetteer
    clock: Callable[[], float]  # seconds since the epoch, as time.time

    def now_ms(self) -> int:
        return int(self.clock() * 1000)

    def today(self) -> date:
        """Today in UTC: the events' days are UTC days."""
        return datetime.fromtimestamp(self.clock(), timezone.utc).date()


def staff_context() -> StaffContext:
    return current_app.extensions[EXTENSION]
