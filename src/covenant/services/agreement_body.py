"""An agreement write's request body: one mapping, JSON or YAML, numbers read exactly, every
string Unicode text (``services.agreement_writes`` changes the agreement with it)."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from covenant.definitions.yamlsource import read_text
from covenant.errors import DefinitionError, InputError

Document = dict[str, Any]


def read_body(text: str, *, what: str) -> Document:
    """One mapping from a request body, JSON or YAML, numbers read exactly (``Decimal``).

    JSON is read as JSON (a YAML reader would split an escaped surrogate pair such as
    ``"\\ud83d\\ude00"`` into two halves that are no text); anything else as YAML."""
    found: Any
    if text.lstrip().startswith(("{", "[")):
        try:
            found = json.loads(text, parse_float=Decimal)
        except ValueError as exc:
            raise InputError(
                f"the request body is not JSON: {exc}", hint="send one JSON (or YAML) object"
            ) from None
    else:
        documents, problems = read_text(text, file="<request>")
        if problems:
            raise DefinitionError(problems=problems, applying=True)
        found = documents[0].data if len(documents) == 1 else None
    if not isinstance(found, dict):
        raise InputError(
            f"the request body is not one {what}",
            hint="send one JSON (or YAML) object; see docs/api.md, 'Agreements'",
        )
    _require_text(found)
    return found


def _require_text(value: Any) -> None:
    """Refuse a string that is not Unicode text (half of a surrogate pair) or holds NUL."""
    if isinstance(value, dict):
        for key, item in value.items():
            _require_text(key)
            _require_text(item)
    elif isinstance(value, list):
        for item in value:
            _require_text(item)
    elif isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise InputError(
                "the request body holds a string that is not Unicode text (a lone surrogate)",
                hint="send text as UTF-8",
            ) from None
        if "\x00" in value:
            raise InputError("the request body holds a NUL character", hint="remove it")
