"""A ticket or incident export sent to the server (``POST /api/v1/ingest/tickets``,
``/ingest/incidents``, the sources page's form) ingested as ``covenant ingest
tickets|incidents FILE`` ingests it: the body is streamed in pieces (``save_chunks``) to a
private temporary folder (``upload_folder``, deleted afterwards whatever happens) under the
file's name (its extension says the format, as the command's file name does), never held in
memory whole, and that file is handed to ``services.records`` with the same options —
``column``, ``time_zone``, ``time_format``, ``refuse_future``, ``strict`` — so it is read,
checked, refused and reported by the same code, in the same words. The answer is the
command's ``--format json`` (``record_report_json``), ``file`` being the name sent.
"""

from __future__ import annotations

import tempfile
from collections.abc import AsyncIterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from anyio.to_thread import run_sync
from sqlalchemy.engine import Engine

from covenant.definitions.workspace import Workspace
from covenant.errors import InputError
from covenant.services.records import (
    RecordIngestReport,
    RecordKind,
    ingest_incident_files,
    ingest_ticket_files,
)
from covenant.services.report_json import iso_or_none, problem_json
from covenant.sources.record_columns import RecordReading, reading
from covenant.sources.records import INCIDENT_COLUMNS, TICKET_COLUMNS

__all__ = [
    "CONTENT_TYPES",
    "MOST_NAME",
    "ingest_upload",
    "record_report_json",
    "save_chunks",
    "upload_folder",
    "upload_name",
    "upload_reading",
]

MOST_NAME = 255
# the body's Content-Type → the extension the file is read by, when no filename is sent
CONTENT_TYPES = {
    "text/csv": ".csv",
    "application/csv": ".csv",
    "application/json": ".json",
    "application/x-ndjson": ".jsonl",
    "application/ndjson": ".jsonl",
    "application/jsonl": ".jsonl",
    "application/x-jsonlines": ".jsonl",
    "application/jsonlines": ".jsonl",
}
_FORMATS = "filename=NAME.csv, .jsonl or .json (optionally .gz)"


def upload_name(kind: RecordKind, filename: str | None, content_type: str | None) -> str:
    """The name the body is read under: ``filename`` (a file's own name, no folder), else
    ``KIND`` with the extension of the body's ``Content-Type``; ``InputError`` when neither
    says the format."""
    if filename is not None:
        name = filename.strip()
        if not name or name in (".", "..") or any(c in name for c in "/\\\x00"):
            raise InputError(
                f"filename {filename!r} is not a file's name",
                hint="send the export's own name without a folder, e.g. filename=tickets.csv",
            )
        if len(name.encode()) > MOST_NAME:  # as a file system's names are bounded
            raise InputError(
                f"filename is {len(name.encode()):,} bytes long (UTF-8), over {MOST_NAME}",
                hint="send a shorter name, e.g. filename=tickets.csv",
            )
        return name
    media = (content_type or "").partition(";")[0].strip().lower()
    extension = CONTENT_TYPES.get(media)
    if extension is None:
        said = f"Content-Type {media!r}" if media else "no Content-Type"
        raise InputError(
            f"the file's format is not known: no filename and {said}",
            hint=f"send {_FORMATS}, or Content-Type text/csv, application/x-ndjson "
            "(JSON Lines) or application/json (an array)",
        )
    return f"{kind}{extension}"


def upload_reading(
    kind: RecordKind,
    *,
    columns: Sequence[str] = (),
    time_zone: str | None = None,
    time_format: str | None = None,
) -> RecordReading:
    """How the upload is read: the options checked before a byte of the body is (an
    ``InputError`` naming the one that is wrong), as the command checks its own."""
    fields = TICKET_COLUMNS if kind == "tickets" else INCIDENT_COLUMNS
    return reading(columns, fields=fields, zone=time_zone, time_format=time_format)


@contextmanager
def upload_folder() -> Iterator[Path]:
    """A private temporary folder (only this user may read it) for an upload's file, deleted
    with what it holds when the block ends, whatever happens."""
    with tempfile.TemporaryDirectory(prefix="covenant-upload-") as folder:
        yield Path(folder)


async def save_chunks(chunks: AsyncIterable[bytes], path: Path) -> int:
    """Write the body's pieces to ``path`` as they arrive (each written off the event loop),
    so no more than one piece is held; the bytes written. The body's size limit is the
    server's (``api.body_limit``): over it, the iteration raises ``BodyTooLargeError``."""
    written = 0
    with path.open("wb") as out:
        async for chunk in chunks:
            if chunk:
                await run_sync(out.write, chunk)
                written += len(chunk)
    return written


def ingest_upload(
    engine: Engine,
    *,
    kind: RecordKind,
    path: Path,
    how: RecordReading,
    workspace: Workspace | None,
    now: datetime,
    refuse_future: bool = False,
    strict: bool = False,
    actor: str,
) -> RecordIngestReport:
    """The uploaded file at ``path`` (named ``upload_name``: its extension says the format)
    ingested as the command ingests it, read as ``how`` says (``upload_reading``); a ticket
    file is warned about against ``workspace``, which incidents do not read, as the command
    does not. With ``strict`` a file with any rejected row is refused whole
    (``RowsRejectedError``: nothing stored or recorded)."""
    if kind == "incidents":
        (report,) = ingest_incident_files(
            engine,
            files=[path],
            now=now,
            refuse_future=refuse_future,
            reading=how,
            actor=actor,
            strict=strict,
        )
        return report
    (report,) = ingest_ticket_files(
        engine,
        files=[path],
        workspace=workspace,
        now=now,
        refuse_future=refuse_future,
        reading=how,
        actor=actor,
        strict=strict,
    )
    return report


def record_report_json(report: RecordIngestReport, *, file: str | None = None) -> dict[str, Any]:
    """The stable machine form of one record file's report (``covenant ingest tickets
    --format json``, one element of its ``files``); ``file``: the name to show (default:
    the path read)."""
    return {
        "file": str(report.path) if file is None else file,
        "kind": report.kind,
        "sha256": report.sha256,
        "duplicate": report.duplicate,
        "previously_ingested_at": iso_or_none(report.duplicate_of),
        "rows_read": report.rows_read,
        "rows_ingested": report.rows_ingested,
        "rows_rejected": report.rows_rejected,
        "inserted": report.inserted,
        "updated": report.updated,
        "unchanged": report.unchanged,
        "problems": [problem_json(p) for p in report.problems],
        "warnings": [problem_json(p) for p in report.warnings],
    }
