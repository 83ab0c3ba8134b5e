"""Keyed batches of request events (``PUT /event-batches/{key}``): rows sent by a client,
ingested exactly once under the client's key by the event files' own reader and writer
(``services.ingest``), split from it as a use case of its own."""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine

from covenant.core.model import EventRule
from covenant.errors import IngestError, InputError
from covenant.services.ingest import IngestReport, ingest_one_file
from covenant.sources.eventfiles import DEFAULT_BLOCK_BYTES
from covenant.sources.jsonkeys import row_line
from covenant.store.audit import UNKNOWN_ACTOR
from covenant.store.lock_wait import StoreLockedError, refusal

MAX_BATCH_KEY = 200


def batch_sha256(key: str) -> str:
    """What a keyed batch is recorded under in ``ingest_batches`` (beside file digests)."""
    return hashlib.sha256(b"covenant-event-batch\0" + key.encode("utf-8")).hexdigest()


def ingest_event_batch(
    engine: Engine,
    *,
    key: str,
    rows: Sequence[Mapping[str, Any]],
    rules: Sequence[EventRule],
    step: int = 60,
    actor: str = UNKNOWN_ACTOR,
    now: datetime | None = None,
    strict: bool = False,
) -> IngestReport:
    """Ingest ``rows`` (JSONL event rows, docs/ingest.md) as one batch named ``key``, exactly
    once: the batch is recorded under ``key`` in the transaction that writes its counts, so a
    batch sent again with the same key (a retry after a lost answer) writes nothing and is
    reported with ``duplicate_of``. Row ``i`` is line ``i + 1`` in the problems' ``where``.
    A batch of which no row is stored raises ``NothingIngestedError`` (its rows' problems on
    it) and is not recorded: the corrected batch sent under ``key`` is applied. With
    ``strict`` (all or nothing) a batch with any rejected row raises ``RowsRejectedError``
    the same way: nothing of it stored or recorded, no audit row."""
    if not key or len(key) > MAX_BATCH_KEY:
        raise InputError(
            f"a batch key has 1 to {MAX_BATCH_KEY} characters", hint="send a shorter key"
        )
    if not rows:
        raise InputError("the batch has no events", hint="send at least one event row")
    with tempfile.TemporaryDirectory(prefix="covenant-batch-") as folder:
        path = Path(folder) / _BATCH_FILE
        path.write_bytes(b"".join(row_line(row) + b"\n" for row in rows))
        try:
            return ingest_one_file(
                engine,
                path=path,
                rules=rules,
                progress=None,
                step=step,
                block_bytes=DEFAULT_BLOCK_BYTES,
                batch_sha256=batch_sha256(key),
                batch_key=key,
                actor=actor,
                now=now,
                strict=strict,
            )
        except StoreLockedError as error:  # named by its key, as the client knows it
            raise refusal(
                engine.url.render_as_string(hide_password=True),
                error,
                waited_s=error.waited_s,
                locked=error.locked,
                subject=f"batch {key!r} was not ingested",
                again="send the batch again",
            ) from error.__cause__
        except IngestError as error:  # the temporary file is no name the client knows
            if type(error) is IngestError and error.message.startswith(f"{_BATCH_FILE}:"):
                error.message = f"batch {key!r}" + error.message[len(_BATCH_FILE) :]
                error.args = (error.message,)
            raise


_BATCH_FILE = "batch.jsonl"  # the keyed batch's rows, written for the JSONL reader
