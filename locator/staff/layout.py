"""What every signed-in staff page shares around its own content (staff_base.html's header): the
links between the pages and to the same page in another language, both keeping what the page was
asked for. Runs in a request."""
from __future__ import annotations

from flask import request, url_for
from flask_babel import gettext as _

from locator.api import display
from locator.api.i18n import Ui
from locator.core.languages import UI_LANGUAGES


def with_language(query: dict) -> dict:
    """``query`` plus the ``lang`` this page was asked in: links keep the language."""
    return query | ({"lang": request.args["lang"]} if request.args.get("lang") else {})


def language_links(endpoint: str, query: dict, ui: Ui) -> list[tuple[str, str, str]]:
    """(code, name in its own language, link) for each UI language: this page, with ``query``, in it."""
    names = display.catalog(ui)["ui_languages"]
    return [(code, names[code], url_for(endpoint, **(query | {"lang": code}))) for code in UI_LANGUAGES]


def page_links() -> list[tuple[str, str, bool]]:
    """(name, link, whether it is this page) of every staff page, in the header of each."""
    pages = (("dashboard.index", _("Searches")), ("coverage.index", _("Coverage gaps")))
    return [(name, url_for(endpoint, **with_language({})), request.endpoint == endpoint) for endpoint, name in pages]
