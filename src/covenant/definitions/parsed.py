"""A document of the workspace as read and validated: what every resolver takes.

Kept apart from ``documents`` (which validates) and from the kind modules (which define the
models), so a kind's resolver can name :class:`Parsed` without importing the validation code,
and the validation code can find the kind's model through ``kinds`` without importing the
resolver: nothing here imports either of them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from covenant.definitions.openslo import Document
    from covenant.definitions.yamlsource import SourceDocument


@dataclass(frozen=True, slots=True, kw_only=True)
class Definition:
    """A document of the workspace as written: what it is, where, and its raw mapping."""

    api_version: str
    kind: str
    name: str
    file: str
    line: int
    raw: Mapping[str, Any]


@dataclass(frozen=True, slots=True, kw_only=True)
class StandIn:
    """A document that failed validation, validated with its refused fields stood in for
    (``partial``): only for the checks of its valid parts, never built into the workspace."""

    source: SourceDocument
    """The document, its refused fields marked (``SourceDocument.broken_at``)."""
    model: Document
    fields: tuple[str, ...]
    """The refused fields as written (``spec.timeWindow[0].duration``): a problem at or under
    one of them is not said again."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Parsed:
    """A definition with its source positions and, when it validated, its model."""

    source: SourceDocument
    definition: Definition
    model: Document | None
    stand_in: StandIn | None = None
    """When it failed validation: its valid parts, for the checks that need other documents
    (an objective's op/value against the SLI it names)."""
