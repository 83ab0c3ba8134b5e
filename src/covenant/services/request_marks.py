"""A mark a route of the API or of the web UI carries for the app-wide request checks
(``api.body_text.unicode_body``), here so both entry points can set it without importing each
other."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

__all__ = ["is_raw_body", "is_rows_as_lines", "raw_body", "rows_as_lines"]

F = TypeVar("F", bound=Callable[..., Any])
_RAW_BODY = "covenant_raw_body"
_ROWS_AS_LINES = "covenant_rows_as_lines"


def raw_body(endpoint: F) -> F:
    """Mark a route whose body is a file its own code reads (a record export): ``unicode_body``
    leaves it alone — there a NUL or a lone surrogate is the bad row of the record holding it,
    as in the command."""
    setattr(endpoint, _RAW_BODY, True)
    return endpoint


def is_raw_body(endpoint: object) -> bool:
    """Whether ``endpoint`` is marked ``raw_body``."""
    return bool(getattr(endpoint, _RAW_BODY, False))


def rows_as_lines(endpoint: F) -> F:
    """Mark a route whose JSON body holds rows read as a file's lines (an event batch):
    ``single_keys`` leaves it alone — the route checks its body's own keys on the parse it
    makes anyway, and a row that writes a key twice is that row's refusal, as in a file."""
    setattr(endpoint, _ROWS_AS_LINES, True)
    return endpoint


def is_rows_as_lines(endpoint: object) -> bool:
    """Whether ``endpoint`` is marked ``rows_as_lines``."""
    return bool(getattr(endpoint, _ROWS_AS_LINES, False))
