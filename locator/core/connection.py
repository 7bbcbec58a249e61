"""Where Elasticsearch is and who we are there: the ``Connection`` description, with no I/O.

Its own module because both sides need it and must not import each other: ``settings`` builds
connections from ``ELASTICSEARCH_*``, ``es`` turns them into clients (and reads the local node's
files). The credentials (``password``, ``api_key``) are left out of its repr, so printing a
connection, or the settings holding one, never shows them; a URL's ``user:password@`` is masked too.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field, fields

# Roles with a user of their own on an external cluster too (read by settings, named in es's
# messages): the preview routes, the analytics events' writer, and Milestone's staff.
OWN_USER_ROLES = ("preview", "events", "staff")


def role_variables(role: str) -> tuple[str, str, str]:
    """``ELASTICSEARCH_<ROLE>_USERNAME``, ``..._PASSWORD`` and ``..._API_KEY``: a role's own user."""
    stem = f"ELASTICSEARCH_{role.upper()}"
    return f"{stem}_USERNAME", f"{stem}_PASSWORD", f"{stem}_API_KEY"


PREVIEW_USERNAME, PREVIEW_PASSWORD, PREVIEW_API_KEY = role_variables("preview")

_USERINFO = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*://)?[^/?#]*@")


def masked_url(url: str) -> str:
    """``https://user:secret@host`` -> ``https://***@host`` (with or without a scheme): how a URL is
    shown in a repr or a message."""
    return _USERINFO.sub(lambda match: f"{match.group(1) or ''}***@", url)


@dataclass(frozen=True)
class Connection:
    """A cluster (one URL per node) and how to authenticate; no hosts means "the local node"."""

    hosts: tuple[str, ...] = ()
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    api_key: str | None = field(default=None, repr=False)
    ca_certs: str | None = None

    @property
    def external(self) -> bool:
        return bool(self.hosts)

    def __repr__(self) -> str:
        """The dataclass repr (fields with ``repr=False`` left out), the hosts' ``user:password@`` masked."""
        shown = {item.name: getattr(self, item.name) for item in fields(self) if item.repr}
        shown["hosts"] = tuple(masked_url(host) for host in self.hosts)
        return f"Connection({', '.join(f'{name}={value!r}' for name, value in shown.items())})"
