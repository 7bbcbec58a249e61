"""The one flattener of marshmallow's nested error messages, for every schema of the project."""
from __future__ import annotations

from typing import Iterator

# marshmallow's own levels (a schema-wide error, a Dict's key or value): they belong to their parent.
_NOT_A_FIELD = frozenset({"_schema", "key", "value"})
WHOLE = "-"  # the path of an error about the whole input rather than one field


def flatten_errors(messages, path: tuple[str, ...] = ()) -> Iterator[tuple[str, str]]:
    """``{"program": {"certifications": {0: {"type": ["bad"]}}}}`` -> ``("program.certifications.0.type", "bad")``.

    Messages of one field are joined with "; "; a schema-wide error has the path of its parent
    (``WHOLE`` at the top).
    """
    if isinstance(messages, dict):
        for key, sub in messages.items():
            yield from flatten_errors(sub, path if key in _NOT_A_FIELD else (*path, str(key)))
    else:
        texts = messages if isinstance(messages, list) else [messages]
        yield ".".join(path) or WHOLE, "; ".join(str(text) for text in texts)
