"""Parquet event files in row batches: only the event columns are read, names as dictionaries."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.parquet as pq

from covenant.errors import IngestError
from covenant.filekinds import not_parquet
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
        # no pre-buffering: it reads ahead on pyarrow's I/O threads (a local file gains
        # nothing), and no pyarrow thread is to outlive the read (see _batches)
        parquet = pq.ParquetFile(path, read_dictionary=wanted or None, pre_buffer=False)
    except (OSError, pa.ArrowException) as exc:
        raise IngestError(
            f"{name}: cannot read it as Parquet: {exc}",
            hint="check that the file is a complete Parquet file",
        ) from exc

    with parquet:  # closed however the read ends: refused, failed or left early
        yield from _batches(path, parquet, schema, columns, block_bytes)


def _batches(
    path: Path, parquet: pq.ParquetFile, schema: pa.Schema, columns: list[str], block_bytes: int
) -> Iterator[SourceTable]:
    name = path.name

    def locator(offset: int) -> LineMap:
        def locate(rows: npt.NDArray[np.int64]) -> list[str]:
            return [f"{name} row {int(r) + offset + 1}" for r in rows]

        return locate

    total = max(parquet.metadata.num_rows, 1)
    if not columns:  # nothing to read: an empty table with the file's names for the checks
        names = schema.names
        table = pa.table({n: pa.array([], pa.string()) for n in dict.fromkeys(names)})
        yield SourceTable(path=path, table=table, locate=locator(0))
        return
    rows = max(block_bytes // 64, 16)  # about 64 bytes of Arrow data per event row
    offset = 0
    yielded = False
    # one thread: pyarrow's threads would decode columns while the caller classifies (the
    # prefetch thread already overlaps the two), and a refused file's ingest must leave none
    # of them running when the process ends (a worker still alive at exit aborts it: exit
    # 134, "terminate called without an active exception")
    batches = parquet.iter_batches(batch_size=rows, columns=columns, use_threads=False)
    try:
        for batch in batches:
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
    finally:
        batches.close()
    if not yielded:
        empty = pa.table({c: pa.array([], schema.field(c).type) for c in columns})
        yield SourceTable(path=path, table=empty, locate=locator(0))


def _check_parquet(path: Path) -> None:
    """Refuse a file that is no Parquet at all by what it is (:func:`not_parquet`)."""
    with path.open("rb") as file:
        head = file.read(4096)
    kind = not_parquet(head, name=path.name)
    if kind is not None:
        raise IngestError(kind.sentence(path.name, instead="Parquet"), hint=kind.fix)
