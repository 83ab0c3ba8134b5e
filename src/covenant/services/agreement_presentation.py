"""How an agreement made over the API is presented: its display name and its statements' locale.

They are presentation, not terms (docs/agreements.md: changing them needs no amendment), so
they are not part of any version's content hash. An agreement defined in the workspace takes
them from its YAML (``metadata.displayName``, ``spec.locale``). One created over the API has
no YAML until ``covenant agreements pull``: its presentation is recorded in its hash-chained
history as a ``presentation-changed`` event (no version; ``details``: ``displayName``,
``locale``, ``via: api``), the last of which holds. Statements of an API-made agreement read it
(``with_recorded_agreements``), every write and ``pull`` put it into the agreement's document.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.engine import Connection

from covenant.definitions.contract_model import AgreementLabel
from covenant.errors import InputError
from covenant.store import audit
from covenant.store.agreement_history import HistoryEvent, append_event

EVENT = "presentation-changed"
FIELDS = ("displayName", "locale")
Presentation = dict[str, str]


def read_presentation(body: Mapping[str, Any]) -> Presentation:
    """``displayName`` and ``locale`` from a request body, when given (each a text of 1 to 255
    characters; the locale is checked with the agreement, as ``invalid-locale``)."""
    found: Presentation = {}
    for key in FIELDS:
        value = body.get(key)
        if value is None:
            continue
        if not isinstance(value, str) or not 1 <= len(value.strip()) <= 255:
            raise InputError(
                f"`{key}` must be a text of 1 to 255 characters",
                hint="displayName: what statements call the agreement; locale: e.g. de_DE",
            )
        found[key] = value.strip()
    return found


def recorded_presentation(
    history: Mapping[str, Sequence[HistoryEvent]],
) -> dict[str, Presentation]:
    """Each agreement's presentation as last recorded over the API (none: not in the map)."""
    found: dict[str, Presentation] = {}
    for name, events in history.items():
        for item in events:
            if item.version is None and item.event == EVENT:
                found[name] = {k: str(item.details[k]) for k in FIELDS if item.details.get(k)}
    return found


def presentation_of(doc: Mapping[str, Any]) -> Presentation:
    """The presentation an Agreement document states."""
    metadata = doc.get("metadata") or {}
    spec = doc.get("spec") or {}
    found: Presentation = {}
    if metadata.get("displayName"):
        found["displayName"] = str(metadata["displayName"])
    if spec.get("locale"):
        found["locale"] = str(spec["locale"])
    return found


def put_presentation(doc: dict[str, Any], presentation: Mapping[str, str]) -> None:
    """Write ``presentation`` into an Agreement document (its metadata and spec)."""
    if "displayName" in presentation:
        doc["metadata"] = {**doc.get("metadata", {}), "displayName": presentation["displayName"]}
    if "locale" in presentation and isinstance(doc.get("spec"), dict):
        doc["spec"]["locale"] = presentation["locale"]


def record_presentation(
    conn: Connection,
    *,
    agreement_id: int,
    name: str,
    before: Presentation,
    after: Presentation,
    at: datetime,
    actor: str | None,
) -> bool:
    """Record ``after`` when it differs from ``before`` (in the caller's transaction)."""
    if after == before:
        return False
    append_event(
        conn,
        agreement_id=agreement_id,
        agreement=name,
        version=None,
        event=EVENT,
        at=at,
        actor=actor,
        details={**after, "via": "api"},
    )
    audit.append(
        conn,
        actor=actor or "api",
        action=EVENT,
        entity_kind="agreement",
        entity_id=name,
        before=dict(before),
        after=dict(after),
        at=at,
    )
    return True


def labels_for(names: Sequence[str], recorded: Mapping[str, Presentation]) -> list[AgreementLabel]:
    """Statement labels for agreements the workspace does not define, from their history."""
    return [
        AgreementLabel(
            name=name,
            display_name=recorded[name].get("displayName", ""),
            locale=recorded[name].get("locale", ""),
        )
        for name in names
        if name in recorded
    ]
