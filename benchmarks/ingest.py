"""Ingestion benchmark: covenant vs a pandas baseline on the same events, plus a store read.

    .venv/bin/python benchmarks/ingest.py              # 10 M events (files cached in .data/)
    .venv/bin/python benchmarks/ingest.py --events 1000000

Covenant's figure is end to end: read + classify + bucket + merge into a fresh SQLite store
in one transaction. The pandas baseline reads the same file and groups into the same
(series, minute) good/total counts (no store write). Both results are checked equal.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _gen
from covenant.core.model import EventRule
from covenant.services.ingest import ingest_counts, ingest_event_files, open_store
from covenant.store import buckets

STEP = 60


def rules() -> list[EventRule]:
    return [EventRule(series=f"{name}-availability", sli=name) for name in _gen.sli_names()]


def pandas_counts(path: Path) -> pd.DataFrame:
    """The baseline: read, parse, floor to the minute, group, count."""
    if path.suffix == ".csv":
        frame = pd.read_csv(path, dtype={"sli": "category", "status": "int16"})
        ts = pd.to_datetime(frame["timestamp"], utc=True, format="ISO8601")
    else:
        frame = pd.read_parquet(path)
        frame["sli"] = frame["sli"].astype("category")
        ts = frame["timestamp"]
    seconds = ts.astype("int64") // 10**9 if ts.dtype.unit == "ns" else ts.astype("int64")
    if ts.dtype.unit == "ms":
        seconds = seconds // 1000
    elif ts.dtype.unit == "us":
        seconds = seconds // 10**6
    frame["bucket"] = seconds - seconds % STEP
    frame["good"] = frame["status"] < 500
    grouped = frame.groupby(["sli", "bucket"], observed=True)["good"].agg(["sum", "count"])
    return grouped.rename(columns={"sum": "good", "count": "total"})


def store_counts(engine: object, start: int, end: int) -> pd.DataFrame:
    keys = [f"{name}-availability" for name in _gen.sli_names()]
    with engine.connect() as conn:  # type: ignore[attr-defined]
        matrix = buckets.read_matrix(conn, keys=keys, start=start, end=end, step=STEP)
    rows, cols = np.nonzero(matrix.total)
    return pd.DataFrame(
        {
            "sli": [keys[r].removesuffix("-availability") for r in rows],
            "bucket": matrix.start + cols * STEP,
            "good": matrix.good[rows, cols],
            "total": matrix.total[rows, cols],
        }
    ).set_index(["sli", "bucket"])


def time_covenant(path: Path) -> tuple[float, pd.DataFrame]:
    with tempfile.TemporaryDirectory() as folder:
        engine = open_store(f"sqlite:///{folder}/covenant.db")
        t0 = time.perf_counter()
        (report,) = ingest_event_files(engine, files=[path], rules=rules())
        elapsed = time.perf_counter() - t0
        assert report.rows_rejected == 0, report.problems[:3]
        start = _gen.START
        counts = store_counts(engine, start, start + 31 * _gen.DAY)
        engine.dispose()
    return elapsed, counts


def time_pandas(path: Path) -> tuple[float, pd.DataFrame]:
    t0 = time.perf_counter()
    counts = pandas_counts(path)
    return time.perf_counter() - t0, counts


def same(a: pd.DataFrame, b: pd.DataFrame) -> bool:
    left = a.reset_index().astype({"sli": str}).sort_values(["sli", "bucket"])
    right = b.reset_index().astype({"sli": str}).sort_values(["sli", "bucket"])
    cols = ["sli", "bucket", "good", "total"]
    return bool(
        (left[cols].to_numpy(dtype=object) == right[cols].to_numpy(dtype=object)).all()
        and len(left) == len(right)
    )


def bench_read(n_series: int, days: int) -> None:
    keys, series, starts, good, total = _gen.bucket_fleet(n_series, days=days)
    with tempfile.TemporaryDirectory() as folder:
        engine = open_store(f"sqlite:///{folder}/covenant.db")
        t0 = time.perf_counter()
        ingest_counts(
            engine, keys=keys, series=series, bucket_starts=starts, good=good, total=total
        )
        write = time.perf_counter() - t0
        size = Path(folder, "covenant.db").stat().st_size
        engine.dispose()
        engine = open_store(f"sqlite:///{folder}/covenant.db")
        start = _gen.START + 7 * STEP  # a rolling window: not day-aligned
        end = _gen.START + days * _gen.DAY
        timings = []
        for _ in range(3):
            t0 = time.perf_counter()
            with engine.connect() as conn:
                matrix = buckets.read_matrix(conn, keys=keys, start=start, end=end)
            timings.append(time.perf_counter() - t0)
            assert int(matrix.total.sum()) == int(total.reshape(n_series, -1)[:, 7:].sum())
            del matrix
        engine.dispose()
    cells = n_series * days * 1440
    print(
        f"store: {n_series} series × {days} d = {cells / 1e6:.1f} M buckets; "
        f"write {write:.2f} s, file {size / 1e6:.0f} MB"
    )
    print(
        "store: read_matrix "
        + ", ".join(f"{t:.3f} s" for t in timings)
        + " (first call pays page faults for the int64 output)"
    )


def machine() -> str:
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True, check=True).stdout
        model = next(
            line.split(":", 1)[1].strip()
            for line in out.splitlines()
            if line.startswith("Model name")
        )
    except (OSError, subprocess.CalledProcessError, StopIteration):
        model = platform.processor() or "unknown"
    return f"{model}, {os.cpu_count()} CPUs, Python {platform.python_version()}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument("--series", type=int, default=1000, help="series for the read benchmark")
    parser.add_argument("--skip-read", action="store_true")
    args = parser.parse_args()
    print(f"machine: {machine()}")
    t0 = time.perf_counter()
    csv_path, parquet_path = _gen.event_files(args.events)
    print(
        f"events: {args.events:,} ({csv_path.stat().st_size / 1e6:.0f} MB csv, "
        f"{parquet_path.stat().st_size / 1e6:.0f} MB parquet; ready in "
        f"{time.perf_counter() - t0:.1f} s)"
    )
    for path in (csv_path, parquet_path):
        kind = path.suffix.lstrip(".")
        ours, our_counts = time_covenant(path)
        theirs, their_counts = time_pandas(path)
        ok = same(our_counts, their_counts)
        print(
            f"{kind:8s} covenant {ours:6.2f} s {args.events / ours / 1e6:6.2f} M events/s | "
            f"pandas {theirs:6.2f} s {args.events / theirs / 1e6:6.2f} M events/s | "
            f"ratio {theirs / ours:4.2f}× | counts identical: {ok}"
        )
        if not ok:
            raise SystemExit("covenant and pandas disagree")
    if not args.skip_read:
        bench_read(args.series, 30)


if __name__ == "__main__":
    main()
