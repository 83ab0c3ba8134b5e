"""Read event files (CSV, JSONL, Parquet; ``.gz`` welcome) as a stream of Arrow batches.

A file is read in blocks of about ``block_bytes`` (whole records; Parquet in row batches), so
memory stays bounded whatever the file's size. Each block is parsed by pyarrow's
multi-threaded parsers; a bad row costs a line number worked out from the block's bytes.
The readers live beside this module: ``eventblocks`` (the batch type, text blocks, bytes
pyarrow must not see), ``eventcsv``, ``eventjson`` and ``eventparquet``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path
from threading import Event

import pyarrow as pa

from covenant.errors import IngestError
from covenant.filekinds import EVENT_TEXT, by_content
from covenant.sources.eventblocks import (  # re-exported: the readers' shared names
    DEFAULT_BLOCK_BYTES,
    DICTIONARY_COLUMNS,
    EVENT_COLUMNS,
    InvalidRow,
    LineMap,
    SourceTable,
    gzip_unreadable,
)
from covenant.sources.eventcsv import csv_batches, csv_records, exposition_file, find_records
from covenant.sources.eventjson import MAX_JSON_DEPTH, jsonl_batches
from covenant.sources.eventparquet import parquet_batches

__all__ = [
    "DEFAULT_BLOCK_BYTES",
    "DICTIONARY_COLUMNS",
    "EVENT_COLUMNS",
    "MAX_JSON_DEPTH",
    "HashStoppedError",
    "InvalidRow",
    "LineMap",
    "SourceTable",
    "csv_records",
    "file_format",
    "file_sha256",
    "find_records",
    "first_bytes",
    "read_batches",
]


def file_format(path: Path) -> tuple[str, bool]:
    """``(format, gzipped)`` from the file name: csv, jsonl (also .ndjson, .json) or parquet."""
    name = path.name.lower()
    gz = name.endswith(".gz")
    if gz:
        name = name[:-3]
    for suffix, kind in (
        (".csv", "csv"),
        (".jsonl", "jsonl"),
        (".ndjson", "jsonl"),
        (".json", "jsonl"),
        (".parquet", "parquet"),
        (".pq", "parquet"),
    ):
        if name.endswith(suffix):
            if kind == "parquet" and gz:
                break
            return kind, gz
    if name.endswith((".om", ".prom", ".openmetrics")):
        raise exposition_file(path.name)
    usual = "name event files *.csv, *.csv.gz, *.jsonl, *.jsonl.gz or *.parquet"
    said = by_content(first_bytes(path), name=path.name, text=EVENT_TEXT, json=".jsonl")
    if said is not None:
        raise IngestError(said[0], hint=said[1])
    raise IngestError(f"{path.name}: cannot tell the file format from its name", hint=usual)


def first_bytes(path: Path, size: int = 4096) -> bytes:
    """The first ``size`` bytes of the file (none when it cannot be read: the reader's own
    checks say why, where they run)."""
    try:
        with path.open("rb") as handle:
            return handle.read(size)
    except OSError:
        return b""


class HashStoppedError(Exception):
    """:func:`file_sha256` was stopped: its caller no longer waits for it."""


def file_sha256(path: Path, *, stop: Event | None = None) -> str:
    """The sha256 of the file's bytes (as stored, compressed or not), read in 1 MiB pieces.

    ``stop``: set by a caller that no longer waits for the hash (a Ctrl-C, an error while the
    rows were read): the hash ends at its next piece with :class:`HashStoppedError`, so a thread
    hashing a file of many GB is not waited for until its end."""
    digest = hashlib.sha256()
    buffer = bytearray(1 << 20)
    view = memoryview(buffer)
    try:
        with path.open("rb") as handle:
            while size := handle.readinto(buffer):
                if stop is not None and stop.is_set():
                    raise HashStoppedError(str(path))
                digest.update(view[:size])
    except OSError as exc:
        raise IngestError(
            f"{path}: cannot read the file ({exc.strerror or exc})",
            hint="check the path and that you may read it",
        ) from exc
    return digest.hexdigest()


def read_batches(path: Path, *, block_bytes: int = DEFAULT_BLOCK_BYTES) -> Iterator[SourceTable]:
    """The file's rows, batch by batch; ``IngestError`` (with the fix) when it cannot be read.

    At least one batch is yielded (maybe empty) so that the columns can be checked.
    """
    kind, gz = file_format(path)
    if not path.is_file():
        raise missing_file(path)
    if block_bytes < 1:
        raise IngestError(f"block size {block_bytes} must be at least 1 byte")
    try:
        if kind == "csv":
            yield from csv_batches(path, gz, block_bytes)
        elif kind == "jsonl":
            yield from jsonl_batches(path, gz, block_bytes)
        else:
            yield from parquet_batches(path, block_bytes)
    except OSError as exc:
        if gz:
            raise gzip_unreadable(path, exc) from exc
        raise IngestError(
            f"{path}: cannot read the file ({exc.strerror or exc})",
            hint="check the path, that you may read it, and that a .gz file is complete",
        ) from exc
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError) as exc:
        raise IngestError(
            f"{path.name}: cannot parse the file as {kind}: {exc}",
            hint=f"check that it is valid {kind} with a header of column names",
        ) from exc


def missing_file(path: Path) -> IngestError:
    """The error for a data file that is not a regular file: missing, or a folder, a broken
    link, a pipe or a device (a pipe is never read: it would block)."""
    if not path.exists() and not path.is_symlink():
        return IngestError(f"{path}: no such file", hint="check the path")
    if path.is_dir():
        return IngestError(f"{path} is a folder, not a file", hint="name the files in it")
    if path.is_symlink() and not path.exists():
        return IngestError(
            f"{path} is a symbolic link to a file that does not exist", hint="fix the link"
        )
    return IngestError(
        f"{path} is not a regular file (a pipe, socket or device)",
        hint="save the data to a file and ingest that file",
    )
