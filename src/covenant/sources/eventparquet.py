"""Parquet event files in row batches: only the event columns are read, names as dictionaries."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.parquet as pq

from covenant.errors import IngestError
from covenant.filekinds import not_text, text_kind
from covenant.sources.eventblocks import (
    DICTIONARY_COLUMNS,
    EVENT_COLUMNS,
    LineMap,
    SourceTable,
)


def parquet_batches(path: Path, block_bytes: int) -> Iterator[SourceTable]:
    name = path.name
    try:
        _check_parquet(path)
        schema = pq.read_schema(path)
        names = schema.names
        for column in EVENT_COLUMNS:
            if names.count(column) > 1:
                raise IngestError(
                    f"{name}: the Parquet schema names the column {column!r} twice",
                    hint="write the file with one column of each name",
                )
        wanted = [
            c for c in DICTIONARY_COLUMNS if c in names and pa.types.is_string(schema.field(c).type)
        ]
        columns = [c for c in EVENT_COLUMNS if c in names]
        parquet = pq.ParquetFile(path, read_dictionary=wanted or None)
    except (OSError, pa.ArrowException) as exc:
        raise IngestError(
            f"{name}: cannot read it as Parquet: {exc}",
            hint="check that the file is a complete Parquet file",
        ) from exc

    def locator(offset: int) -> LineMap:
        def locate(rows: npt.NDArray[np.int64]) -> list[str]:
            return [f"{name} row {int(r) + offset + 1}" for r in rows]

        return locate

    total = max(parquet.metadata.num_rows, 1)
    if not columns:  # nothing to read: an empty table with the file's names for the checks
        table = pa.table({n: pa.array([], pa.string()) for n in dict.fromkeys(names)})
        yield SourceTable(path=path, table=table, locate=locator(0))
        return
    rows = max(block_bytes // 64, 16)  # about 64 bytes of Arrow data per event row
    offset = 0
    yielded = False
    try:
        for batch in parquet.iter_batches(batch_size=rows, columns=columns):
            table = pa.Table.from_batches([batch])
            yield SourceTable(
                path=path,
                table=table,
                locate=locator(offset),
                done=min((offset + table.num_rows) / total, 1.0),
            )
            offset += table.num_rows
            yielded = True
    except (OSError, pa.ArrowException) as exc:
        raise IngestError(
            f"{name}: cannot read it as Parquet (row {offset + 1} on): {exc}",
            hint="check that the file is a complete Parquet file",
        ) from exc
    if not yielded:
        empty = pa.table({c: pa.array([], schema.field(c).type) for c in columns})
        yield SourceTable(path=path, table=empty, locate=locator(0))


def _check_parquet(path: Path) -> None:
    """Refuse a file that is no Parquet at all (every Parquet file starts with ``PAR1``) by
    what it is: CSV or JSON text named ``.parquet`` is named for what it holds, not reported
    as a Parquet file without its footer."""
    name = path.name
    with path.open("rb") as file:
        head = file.read(4096)
    if head.startswith(b"PAR1"):
        return
    stem = name[: -len(".parquet")] if name.lower().endswith(".parquet") else name
    if not head:
        raise IngestError(
            f"{name}: the file is empty",
            hint="write the events into it (Parquet), or give them as CSV or JSON Lines",
        )
    kind = text_kind(head)
    said = {
        "CSV": ("looks like CSV text, not Parquet", f"name it {stem}.csv"),
        "JSON Lines": (
            "looks like JSON Lines text (one object per line), not Parquet",
            f"name it {stem}.jsonl",
        ),
        "JSON": (
            "looks like JSON text, not Parquet",
            f"write one event object per line and name it {stem}.jsonl",
        ),
        "text": ("is text, not Parquet", f"name it {stem}.csv or {stem}.jsonl, whichever it holds"),
    }
    if kind is not None:
        what, fix = said[kind]
        raise IngestError(
            f"{name}: the file {what}", hint=f"{fix} (a name ending in .parquet is read as Parquet)"
        )
    if head.startswith(b"\x1f\x8b"):
        raise IngestError(
            f"{name}: the file is gzip-compressed, not Parquet",
            hint=f"if it holds CSV or JSON Lines, name it {stem}.csv.gz or {stem}.jsonl.gz",
        )
    other = not_text(head, name=name, text="CSV or JSON Lines", tabular=True)
    if other is not None:
        raise IngestError(f"{name}: the file is {other.what}, not Parquet", hint=other.fix)
    raise IngestError(
        f"{name}: the file is not Parquet (a Parquet file starts with the bytes PAR1)",
        hint="give the events as a Parquet, CSV or JSON Lines file",
    )
