"""Text in a request body that no store keeps: a JSON body escaping a lone UTF-16 surrogate
(``"\\ud800"``, no Unicode text) or a NUL (``"\\u0000"``, which PostgreSQL's text refuses) is
refused before any route reads it (``invalid-input``, never a 500), naming the field that holds
it as a record file's bad row does (``sources.unstorable``). A route whose body is a file its own
code reads (a record export, the import page's files: ``web.multipart``) is marked ``raw_body``
and left alone."""

from __future__ import annotations

import json

from fastapi import Request

from covenant.errors import InputError
from covenant.services.request_marks import is_raw_body
from covenant.sources.unstorable import LONE_SURROGATE_ESCAPE, unstorable, unstorable_words

__all__ = ["unicode_body"]


async def unicode_body(request: Request) -> None:
    """Refuse a JSON body that escapes half of a UTF-16 surrogate pair (``"\\ud800"``), which
    is no Unicode text, or a NUL (``"\\u0000"``), which PostgreSQL's text columns refuse: no
    store or encoder could take them (``invalid-input``, never a 500), naming the field that
    holds it (``history[0].status``) as a record file's bad row does."""
    if is_raw_body(getattr(request.scope.get("route"), "endpoint", None)):
        return
    data = await request.body()  # kept by the request: the route reads it again
    if not data or b"\\u" not in data:
        return
    found = LONE_SURROGATE_ESCAPE.search(data)
    if found is None and b"\\u0000" not in data:
        return
    try:
        parsed = json.loads(data)
    except ValueError:  # not JSON (nor UTF-8): said of the body as a whole
        parsed = _NOT_JSON
    if parsed is not _NOT_JSON:
        held = _unstorable_in(parsed, "")
        if held is None:  # only text that looked like an escape (``"\\\\u0000"``)
            return
        message, fix = unstorable_words(*held)
        raise InputError(message, hint=fix)
    if found is not None:
        raise InputError(
            f"the request body escapes a lone UTF-16 surrogate ({found.group().decode()}), "
            "which is not Unicode text",
            hint="send text as UTF-8; escape a character beyond U+FFFF as a surrogate pair",
        )
    raise InputError(
        "the request body holds a NUL character (\\u0000), which no text field takes",
        hint="remove it",
    )


_NOT_JSON = object()


def _unstorable_in(value: object, path: str) -> tuple[str, int] | None:
    """``(where, code point)`` of the first text no store keeps in a parsed JSON ``value``
    (``where``: ``customer``, ``services[1]``, ``history[0].status``; a key is named as
    such), or None."""
    if isinstance(value, str):
        code = unstorable(value)
        return None if code is None else (path or "the request body", code)
    if isinstance(value, list):
        for i, item in enumerate(value):
            if (held := _unstorable_in(item, f"{path}[{i}]")) is not None:
                return held
    elif isinstance(value, dict):
        for key, item in value.items():
            if (code := unstorable(key)) is not None:
                return f"a key of {path or 'the request body'}", code
            if (held := _unstorable_in(item, f"{path}.{key}" if path else key)) is not None:
                return held
    return None
