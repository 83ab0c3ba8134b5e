"""Use cases on SLO corrections: expand them for an evaluation, audit them in the store.

Every evaluation applies every correction of the workspace (retroactively, whenever it was
written) and records each correction in the audit table the first time its content is seen: who
(``author``) and why (``reason``) from the YAML, when Covenant first saw it, the file:line, and
the content hash. A changed correction under the same name is recorded as a new revision; the
old one stays. See docs/corrections.md.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from covenant.core.corrections import CorrectionWindow
from covenant.core.timeutil import require_utc
from covenant.definitions.corrections import CorrectionRule, correction_windows
from covenant.errors import StoreError
from covenant.store import corrections as repo
from covenant.store.corrections import CorrectionRecord


def expand_corrections(
    rules: Sequence[CorrectionRule], *, start: datetime, end: datetime
) -> list[CorrectionWindow]:
    """Every occurrence of ``rules`` that overlaps ``[start, end)`` (RRULEs expanded)."""
    return correction_windows(
        rules, start=require_utc(start, what="start"), end=require_utc(end, what="end")
    )


def record_corrections(
    engine: Engine, *, rules: Sequence[CorrectionRule], seen_at: datetime
) -> dict[str, CorrectionRecord]:
    """Audit ``rules`` as seen at ``seen_at`` in one transaction; the record of each, by name."""
    seen_at = require_utc(seen_at, what="seen_at")
    records: dict[str, CorrectionRecord] = {}
    try:
        with engine.begin() as conn:
            for rule in rules:
                record, _ = repo.record_seen(
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
    except IntegrityError as exc:
        raise StoreError(
            "another evaluation recorded the same corrections at the same time",
            hint="run the evaluation again",
        ) from exc
    except SQLAlchemyError as exc:
        raise StoreError(
            f"cannot record corrections: {exc.__class__.__name__}", hint="check the store"
        ) from exc
    return records


def correction_history(engine: Engine, *, name: str | None = None) -> list[CorrectionRecord]:
    """Every audited revision (of ``name``, or of every correction), oldest revision first."""
    with engine.connect() as conn:
        return repo.correction_history(conn, name=name)


def revisions_by_hash(records: Mapping[str, CorrectionRecord]) -> dict[str, int]:
    """content hash → revision number, for labelling correction windows in results."""
    return {r.content_sha256: r.revision for r in records.values()}
