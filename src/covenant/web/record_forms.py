"""What the tickets and incidents pages' forms share: a field read as the API's write routes
read it (``POST /api/v1/tickets``, ``/incidents``, a ticket's ``pause`` and ``resume``), its
problems kept by field (``form_pages.FieldProblems``) worded as the API words them — the
length rules of its schema in pydantic's words, an instant as ``services.record_instant``
reads it. A refused form is the page again with every field as typed (docs/ui.md)."""

from __future__ import annotations

from datetime import datetime

from covenant.errors import CovenantError, InputError
from covenant.services.record_changes import NAME_MOST, length_problem
from covenant.web.form_pages import FieldProblems

INSTANT_MAX = 64


def text(
    fields: dict[str, str],
    name: str,
    problems: FieldProblems,
    *,
    most: int,
    required: bool = True,
) -> str:
    """The field ``name``, stripped; blank (when required) or too long is a problem worded as
    the API's schema words it (pydantic's ``string_too_short`` / ``string_too_long``)."""
    value = fields.get(name, "").strip()
    error = length_problem(value, name, most) if required or value else None
    if error is not None:
        problems.add(name, error)
    return value


def names(
    fields: dict[str, str],
    name: str,
    problems: FieldProblems,
    *,
    most: int,
    required: bool = False,
) -> list[str]:
    """A comma-separated field read as the API's list of names (each 1–255 characters)."""
    found = [part.strip() for part in fields.get(name, "").split(",") if part.strip()]
    if required and not found:
        problems.add(
            name, InputError(f"{name}: List should have at least 1 item after validation, not 0")
        )
    elif len(found) > most:
        problems.add(name, InputError(f"{name}: List should have at most {most} items"))
    for i, value in enumerate(found):
        error = length_problem(value, f"{name}.{i}", NAME_MOST)
        if error is not None:
            problems.add(name, error)
    return found


def instant(
    fields: dict[str, str],
    name: str,
    problems: FieldProblems,
    *,
    now: datetime,
    required: bool = True,
) -> datetime | None:
    """The field ``name`` read as the API reads a record's instant (``record_instant``): ISO-8601
    with Z or an offset, an epoch number, ``now`` or ``-7d``; blank is None unless required."""
    from covenant.services.record_instant import record_instant

    value = text(fields, name, problems, most=INSTANT_MAX, required=required)
    if not value or len(value) > INSTANT_MAX:
        return None
    try:
        return record_instant(value, now=now, name=name)
    except CovenantError as error:
        problems.add(error.field or name, error)
        return None
