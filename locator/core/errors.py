"""Failures a user can act on: each is printed as one line naming what is wrong, never a traceback."""
from __future__ import annotations


class UserFacingError(Exception):
    """An expected failure (bad input, bad config, an unreachable node): one line, exit status 1."""


class ConfigError(UserFacingError):
    """A setting or configuration file is missing or wrong; the message names it and what is expected."""


class NodeError(UserFacingError):
    """The local node cannot be fetched, configured, started or reached; the message says what to do."""
