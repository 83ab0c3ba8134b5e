"""The bucket write journal: read as arrays, forgotten by ``seq`` — runs of consecutive
``seq`` by range, and a row not read (inside a gap, or after the last) stays."""

from __future__ import annotations

from sqlalchemy.engine import Engine

from covenant.store.bucket_journal import forget_writes, note_writes, read_journal, read_writes
from covenant.store.buckets import ensure_series
from covenant.store.db import write_transaction


def test_forget_only_the_rows_read(engine: Engine) -> None:
    with write_transaction(engine) as conn:
        ids = ensure_series(conn, keys=[f"s{i}" for i in range(7)], step=60)
        for i in range(7):  # one row per write: seqs in order
            note_writes(conn, series_ids=[ids[f"s{i}"]], lo=[600 * i], hi=[600 * i + 60])
    with engine.connect() as conn:
        seqs, series, lows = read_journal(conn)
        rows = read_writes(conn)
    assert seqs.tolist() == [w.seq for w in rows]
    assert series.tolist() == [ids[f"s{i}"] for i in range(7)]
    assert lows.tolist() == [600 * i for i in range(7)]
    read = [s for n, s in enumerate(seqs.tolist()) if n not in (3, 6)]  # a gap, and the last
    with write_transaction(engine) as conn:
        assert forget_writes(conn, read) == 5
    with engine.connect() as conn:
        left = read_writes(conn)
    assert [w.seq for w in left] == [seqs[3], seqs[6]]
    assert [w.lo for w in left] == [1800, 3600]
    with write_transaction(engine) as conn:
        assert forget_writes(conn, []) == 0
