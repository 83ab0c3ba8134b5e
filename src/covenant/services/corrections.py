"""Use cases on SLO corrections: expand them for an evaluation, audit them in the store.

Every evaluation applies every correction of the workspace (retroactively, whenever it was
written) and records each correction in the audit table the first time its content is seen: who
(``author``) and why (``reason``) from the YAML, when Covenant first saw it, the file:line, and
the content hash. A changed correction under the same name is recorded as a new revision; the
old one stays. A new revision is also recorded in the audit log (entity ``correction``: the
content before and after, the YAML's reason), in the same transaction. See docs/corrections.md.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime

from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from covenant.core.corrections import CorrectionWindow
from covenant.core.timeutil import require_utc
from covenant.definitions.corrections import CorrectionRule, correction_windows
from covenant.errors import StoreError
from covenant.services.store import store_failure
from covenant.store import audit
from covenant.store import corrections as repo
from covenant.store.corrections import CorrectionRecord
from covenant.store.db import write_transaction


def expand_corrections(
    rules: Sequence[CorrectionRule], *, start: datetime, end: datetime
) -> list[CorrectionWindow]:
    """Every occurrence of ``rules`` that overlaps ``[start, end)`` (RRULEs expanded)."""
    return correction_windows(
        rules, start=require_utc(start, what="start"), end=require_utc(end, what="end")
    )


def record_corrections(
    engine: Engine,
    *,
    rules: Sequence[CorrectionRule],
    seen_at: datetime,
    actor: str = "evaluate",
) -> dict[str, CorrectionRecord]:
    """Audit ``rules`` as seen at ``seen_at`` in one transaction; the record of each, by name.
    ``actor``: what applied them first (the YAML's author is in the recorded content)."""
    seen_at = require_utc(seen_at, what="seen_at")
    records: dict[str, CorrectionRecord] = {}
    try:
        with write_transaction(engine) as conn:
            for rule in rules:
                record, new = repo.record_seen(
                    conn,
                    name=rule.name,
                    content=rule.content(),
                    content_sha256=rule.sha256,
                    author=rule.author,
                    reason=rule.reason,
                    created_at=rule.created_at,
                    origin=rule.origin,
                    at=seen_at,
                )
                records[rule.name] = record
                if new:
                    _audit_revision(conn, record, actor=actor)
    except IntegrityError as exc:
        raise StoreError(
            "another evaluation recorded the same corrections at the same time",
            hint="run the evaluation again",
        ) from exc
    except SQLAlchemyError as exc:
        raise store_failure("record corrections", exc) from exc
    return records


def _document(record: CorrectionRecord) -> dict[str, object]:
    return {
        "revision": record.revision,
        "content": json.loads(record.content),
        "content_sha256": record.content_sha256,
        "author": record.author,
        "reason": record.reason,
        "origin": record.origin,
    }


def _audit_revision(conn: Connection, record: CorrectionRecord, *, actor: str) -> None:
    before = None
    if record.revision > 1:
        older = repo.correction_history(conn, name=record.name)
        previous = next((r for r in older if r.revision == record.revision - 1), None)
        before = None if previous is None else _document(previous)
    audit.append(
        conn,
        actor=actor,
        action="created" if record.revision == 1 else "changed",
        entity_kind="correction",
        entity_id=record.name,
        before=before,
        after=_document(record),
        at=record.first_seen,
        reason=record.reason or None,
    )


def correction_history(engine: Engine, *, name: str | None = None) -> list[CorrectionRecord]:
    """Every audited revision (of ``name``, or of every correction), oldest revision first."""
    with engine.connect() as conn:
        return repo.correction_history(conn, name=name)


def revisions_by_hash(records: Mapping[str, CorrectionRecord]) -> dict[str, int]:
    """content hash → revision number, for labelling correction windows in results."""
    return {r.content_sha256: r.revision for r in records.values()}
