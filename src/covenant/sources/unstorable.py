"""Text no store keeps: a NUL character (PostgreSQL's text refuses it; SQLite would keep it)
and a lone UTF-16 surrogate (not a character: no UTF-8 encodes it), which a JSON string may
hold (``\\u0000``, ``\\ud800``). A record file's row with one is a bad row
(``record_fields.storable``); a JSON request body with one is refused naming its field
(``api.deps.unicode_body``) — in the same words."""

from __future__ import annotations

import re

__all__ = ["LONE_SURROGATE_ESCAPE", "escaped_unstorable", "unstorable", "unstorable_words"]

# what a JSON string may hold and no store keeps: NUL (PostgreSQL's text refuses it) and a
# lone UTF-16 surrogate (not a character: no UTF-8 encodes it)
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


# half of a UTF-16 surrogate pair escaped as JSON escapes it, without its other half
LONE_SURROGATE_ESCAPE = re.compile(
    rb"\\u[dD][89abAB][0-9a-fA-F]{2}(?!\\u[dD][c-fC-F][0-9a-fA-F]{2})"
    rb"|(?<!\\u[dD][89abAB][0-9a-fA-F]{2})\\u[dD][c-fC-F][0-9a-fA-F]{2}"
)


def escaped_unstorable(data: bytes) -> str | None:
    """The first escape in ``data`` of text no store keeps, as JSON (or a YAML double-quoted
    string) escapes it: a lone surrogate (``\\ud800``), else a NUL (``\\u0000``); or None."""
    if b"\\u" not in data:
        return None
    found = LONE_SURROGATE_ESCAPE.search(data)
    if found is not None:
        return found.group().decode()
    return "\\u0000" if b"\\u0000" in data else None


def unstorable(value: str) -> int | None:
    """The code point of the first character of ``value`` no store keeps (NUL, a lone
    surrogate), or None."""
    if value.isascii() and "\x00" not in value:
        return None
    found = _UNSTORABLE.search(value)
    return None if found is None else ord(found.group())


def unstorable_words(field: str, code: int) -> tuple[str, str]:
    """The message and the fix of ``field`` holding the unstorable character ``code``."""
    what = (
        "a NUL character (\\u0000)"
        if code == 0
        else f"a lone surrogate (\\u{code:04x}), which is not a character"
    )
    return f"{field} holds {what}", f"remove \\u{code:04x} from {field}"
