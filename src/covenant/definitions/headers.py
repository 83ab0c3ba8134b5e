"""A header that a target's or a DataSource's fields set twice, as a problem at its field
(the check itself is ``core.http_headers.first_twice``)."""

from __future__ import annotations

from covenant.definitions.diagnostics import at
from covenant.definitions.yamlsource import PathKey, SourceDocument
from covenant.errors import Problem


def header_twice(
    doc: SourceDocument, here: PathKey, twice: tuple[str, str, str, str], *, code: str
) -> Problem:
    """The problem of a header set twice (``first_twice``'s answer), at the later field."""
    field, name, first_field, first_name = twice
    later, earlier = _said(field, name), _said(first_field, first_name)
    return at(
        doc,
        (*here, field, name) if field.startswith("headers") else (*here, field),
        code=code,
        message=f"{later} and {earlier} name the same header (header names are without case)",
        fix=f"give the header once: remove {later} or {earlier}",
    )


def _said(field: str, name: str) -> str:
    return f"{field}.{name}" if field.startswith("headers") else f"{field} ({name})"
