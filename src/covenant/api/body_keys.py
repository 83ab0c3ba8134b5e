"""A JSON request body that writes a key twice in one object is refused before any route
reads it (400 ``invalid-input``), naming the key, its JSON path and the fix: a JSON reader
keeps only the last value, so ``"end"`` written twice (the second ``null``) stored an open
incident. Two spellings of one name at the top level (``end``, ``End``) are refused too, as
the records reader reads them as one column (``sources.repeated_keys``).

Every route with a JSON body is checked here, once. A route whose body is a file its own code
reads (``raw_body``: a record export, whose rows writing a key twice are bad rows) is left
alone, as is one marked ``rows_as_lines`` (an event batch: it checks its body's own keys with
the same ``first_repeat``, on the parse it makes anyway, and a row writing a key twice is that
row's refusal, as a JSON Lines file's line is)."""

from __future__ import annotations

from fastapi import Request

from covenant.errors import InputError
from covenant.services.request_marks import is_raw_body, is_rows_as_lines
from covenant.sources.repeated_keys import Repeat, first_repeat

__all__ = ["refuse_repeat", "single_keys"]


async def single_keys(request: Request) -> None:
    """Refuse a JSON body that writes a key twice in one object (``refuse_repeat``)."""
    endpoint = getattr(request.scope.get("route"), "endpoint", None)
    if is_raw_body(endpoint) or is_rows_as_lines(endpoint):
        return
    data = await request.body()  # kept by the request: the route reads it again
    if not data or b":" not in data or data.lstrip()[:1] not in (b"{", b"["):
        return
    refuse_repeat(first_repeat(data))


def refuse_repeat(found: Repeat | None) -> None:
    """Raise ``invalid-input`` for ``found`` (nothing for None)."""
    if found is None:
        return
    if found.first == found.second:
        raise InputError(
            f"the request body writes the key {found.first!r} twice (at {found.path}): a JSON "
            "reader keeps only the last value, so it is not read",
            hint="write each key once, with the value meant",
        )
    plain = [k for k in (found.first, found.second) if k == k.strip().lower()]
    raise InputError(
        f"the request body writes the keys {found.first!r} and {found.second!r} (at "
        f"{found.path}), which name the same field: only one would be read",
        hint=f"write the key once, as {plain[0]!r}"
        if plain
        else "write the key once, spelled as GET /api/v1/openapi.json names the field",
    )
