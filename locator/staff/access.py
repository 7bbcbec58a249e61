"""Who may see the staff pages: the holder of a staff link, then of the session cookie it gives.

``GET /login?token=`` checks the link (``tokens.py``) and answers with the cookie: HttpOnly (no
script reads it), SameSite=Strict (no other site's page or form sends it), Path=/, Secure when the
request came over https, expiring when the link does. It answers with a small page that moves on to
the dashboard by itself (a meta refresh) rather than with a 302: a SameSite=Strict cookie is not
sent on a redirect that is part of a navigation another site started (a link clicked in web mail
or a chat), so the dashboard would refuse the very first request after signing in; a refresh is a
new navigation started by this page, and carries it. Every other page without a valid session is
the 401 page saying to ask for a staff link. Nothing here logs a request's query: the token is a
password.
"""
from __future__ import annotations

from flask import Blueprint, Response, make_response, render_template, request, url_for

from locator.staff.context import staff_context
from locator.staff.tokens import StaffClaims, read_link, read_session, session_value

access = Blueprint("access", __name__)
COOKIE = "partner_locator_staff"
# Reachable without a session: signing in and out, and what the refusal page itself needs.
OPEN_ENDPOINTS = frozenset({"access.login", "access.logout", "static", "shared"})


def session() -> StaffClaims | None:
    context = staff_context()
    return read_session(context.settings.staff.secret, request.cookies.get(COOKIE), context.now_ms())


def require_staff() -> tuple[str, int] | None:
    """A before_request hook of the app: every page but the open ones needs a valid session."""
    if request.endpoint in OPEN_ENDPOINTS or session() is not None:
        return None
    return refused("needed")


def refused(reason: str) -> tuple[str, int]:
    return render_template("staff_message.html", reason=reason), 401


@access.get("/login")
def login():
    context = staff_context()
    claims = read_link(context.settings.staff.secret, request.args.get("token"), context.now_ms())
    if claims is None:
        return refused("bad_link")
    lang = {"lang": request.args["lang"]} if request.args.get("lang") else {}
    response = make_response(render_template("staff_message.html", reason="signed_in",
                                             next_url=url_for("dashboard.index", **lang)))
    response.set_cookie(COOKIE, session_value(context.settings.staff.secret, claims), expires=claims.expires_ms / 1000,
                        path="/", secure=request.is_secure, httponly=True, samesite="Strict")
    return response


@access.post("/logout")
def logout() -> Response:
    response = make_response(render_template("staff_message.html", reason="signed_out"))
    response.delete_cookie(COOKIE, path="/", secure=request.is_secure, httponly=True, samesite="Strict")
    return response
