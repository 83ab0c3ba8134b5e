"""The pieces of an ingest report's machine form that the event and the record reports share
(``covenant ingest … --format json``, the API's answers): light, for the CLI's own import."""

from __future__ import annotations

from datetime import datetime

from covenant.errors import Problem


def iso_or_none(moment: datetime | None) -> str | None:
    """An instant of an ingest report as its JSON writes it (UTC with Z), or None."""
    return None if moment is None else moment.isoformat().replace("+00:00", "Z")


def problem_json(p: Problem) -> dict[str, str]:
    """A rejected row as ingest reports list it."""
    return {"where": p.where, "field": p.field, "code": p.code, "message": p.message, "fix": p.fix}
