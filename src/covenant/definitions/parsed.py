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
class Parsed:
    """A definition with its source positions and, when it validated, its model."""

    source: SourceDocument
    definition: Definition
    model: Document | None
