"""The requirement names kept in English (the coverage report's upgrade candidates) read back and said
in another language; a name the words did not write stays as it is."""
from __future__ import annotations

import pytest

from locator.api import display
from locator.api.i18n import ui_for
from locator.core import requirement_words


@pytest.mark.parametrize(("requirement", "year"), [
    ("terms", 2026), ("revenue", 2026), ("onboarding", 2026), ("sales_training", 2026), ("certified_MCDE", 2026),
    ("certified_MCIE", 2026), ("business_plan", 2026), ("business_plan", "the current year"), ("ambassador", 2026)])
def test_every_name_reads_back_into_each_language(requirement, year):
    english = requirement_words.name(requirement, "Advanced", year)
    for language in ("en", "de", "ja"):
        ui = ui_for(language)
        said = requirement_words.reworded(english, ui.gettext, lambda tier: display.tier_label(tier, ui))
        assert said == requirement_words.name(requirement, display.tier_label("advanced", ui), year, ui.gettext)
    assert requirement_words.reworded(english, ui_for("de").gettext, str) != english  # said in German indeed


def test_a_name_it_did_not_write_stays_as_it_is():
    assert requirement_words.reworded("a rule added later", ui_for("de").gettext, str) == "a rule added later"
