"""The pieces of an ingest report's machine form that the event and the record reports share
(``covenant ingest … --format json``, the API's answers): light, for the CLI's own import."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from covenant.errors import (
    CovenantError,
    DefinitionError,
    NothingIngestedError,
    Problem,
    explain_command,
)


def iso_or_none(moment: datetime | None) -> str | None:
    """An instant of an ingest report as its JSON writes it (UTC with Z), or None."""
    return None if moment is None else moment.isoformat().replace("+00:00", "Z")


def problem_json(p: Problem) -> dict[str, str]:
    """A rejected row as ingest reports list it."""
    return {"where": p.where, "field": p.field, "code": p.code, "message": p.message, "fix": p.fix}


def definition_problems(error: DefinitionError) -> list[dict[str, str]]:
    """An invalid definition's errors as the API's ``invalid-definition`` body lists them (and
    ``--format json`` refusals, the same document)."""
    return [
        {"code": p.code, "where": p.where, "field": p.field, "message": p.message, "fix": p.fix}
        for p in error.problems
        if p.severity == "error"
    ]


def refusal_json(error: CovenantError, *, file: str | None) -> dict[str, Any]:
    """A file's refusal as ``covenant ingest … --format json`` prints it under ``error``: the
    API's error body (``code``, ``message``, ``hint``) and the ``file``; a file refused for
    its rows (``nothing-ingested``, ``rows-rejected``) adds its counts and every rejected row
    kept (``problems``, as a report lists them) and the rows matching no SLI; an invalid
    workspace its problems (as the API's ``invalid-definition`` lists them)."""
    shown: dict[str, Any] = {
        "code": error.code,
        "message": error.message,
        "hint": error.hint or f"run: {explain_command(error.code)}",
        "file": file,
    }
    if isinstance(error, NothingIngestedError):
        shown |= {
            "rows_read": error.rows_read,
            "rows_rejected": error.rows_rejected,
            "problems": [problem_json(p) for p in error.refused],
            "rows_unmatched": error.rows_unmatched,
            "unmatched": dict(error.unmatched),
        }
    if isinstance(error, DefinitionError):
        shown["problems"] = [problem_json(p) for p in error.problems if p.severity == "error"]
    return shown
