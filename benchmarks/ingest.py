"""Ingestion benchmark: covenant vs pandas, polars and DuckDB on the same events, plus a store read.

    .venv/bin/python benchmarks/ingest.py              # 10 M events (files cached in .data/)
    .venv/bin/python benchmarks/ingest.py --events 1000000 --repeat 5

Every side does the same job, timed end to end: read the file, count good/total events per
(sli, minute) and leave the counts durably on disk. Covenant: read + classify + bucket + merge
into a fresh SQLite store in one committed transaction, synced to disk (the WAL checkpoint it
leaves for later runs when the store is closed: timed apart, as "close"). Each baseline is
written as a skilled user of that library would: pandas with ``read_csv(engine="pyarrow")`` /
``read_parquet`` and one ``groupby``, polars lazily (``scan_csv``/``scan_parquet`` then
``group_by``), DuckDB in one SQL query; each writes its counts to a Parquet file with the
library's own writer and fsyncs the file and its folder (its "store"). The counts each
baseline wrote are read back after the clock stops and checked equal to what Covenant stored.
The sides run in turn, run by run, and each reports its best of ``--repeat`` runs. polars and
DuckDB are optional (the ``bench`` extra: ``pip install -e ".[dev,bench]"``); a missing one is
reported as such.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
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


def _seconds(ts: pd.Series) -> pd.Series:
    unit = ts.dtype.unit
    return ts.astype("int64") // {"s": 1, "ms": 10**3, "us": 10**6, "ns": 10**9}[unit]


def durable(path: Path) -> None:
    """fsync a written file and its folder: the bytes and the name survive a power cut."""
    for target, flags in ((path, os.O_RDONLY), (path.parent, os.O_RDONLY | os.O_DIRECTORY)):
        fd = os.open(target, flags)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def pandas_counts(path: Path, out: Path) -> None:
    """pandas: pyarrow's CSV parser, parse, floor to the minute, group, count, to Parquet."""
    if path.suffix == ".csv":
        frame = pd.read_csv(path, engine="pyarrow", dtype={"sli": "category", "status": "int16"})
        ts = pd.to_datetime(frame["timestamp"], utc=True, format="ISO8601")
    else:
        frame = pd.read_parquet(path, columns=["timestamp", "sli", "status"])
        frame["sli"] = frame["sli"].astype("category")
        ts = frame["timestamp"]
    seconds = _seconds(ts)
    frame["bucket"] = seconds - seconds % STEP
    frame["good"] = frame["status"] < 500
    grouped = frame.groupby(["sli", "bucket"], observed=True)["good"].agg(["sum", "count"])
    grouped.rename(columns={"sum": "good", "count": "total"}).to_parquet(out)
    durable(out)


def polars_counts(path: Path, out: Path) -> None:
    """polars: a lazy scan, the minute as integer epoch seconds, one group_by, to Parquet."""
    import polars as pl  # noqa: PLC0415 - optional

    if path.suffix == ".csv":
        lazy = pl.scan_csv(path, schema_overrides={"sli": pl.Categorical, "status": pl.Int16})
        ts = pl.col("timestamp").str.to_datetime("%Y-%m-%dT%H:%M:%S%.f%#z", time_unit="ms")
    else:
        lazy = pl.scan_parquet(path)
        ts = pl.col("timestamp")
    seconds = ts.dt.epoch("s")
    (
        lazy.select(
            pl.col("sli").cast(pl.String),
            (seconds - seconds % STEP).alias("bucket"),
            (pl.col("status") < 500).alias("good"),
        )
        .group_by("sli", "bucket")
        .agg(pl.col("good").sum().cast(pl.Int64), pl.len().cast(pl.Int64).alias("total"))
        .collect()
        .write_parquet(out)
    )
    durable(out)


def duckdb_counts(path: Path, out: Path) -> None:
    """DuckDB: one SQL aggregation straight over the file, copied to Parquet."""
    import duckdb  # noqa: PLC0415 - optional

    if path.suffix == ".csv":
        source = (
            f"read_csv('{path}', header = true, columns = {{'timestamp': 'TIMESTAMPTZ', "
            "'sli': 'VARCHAR', 'status': 'SMALLINT', 'latency_ms': 'DOUBLE'})"
        )
    else:
        source = f"read_parquet('{path}')"
    query = f"""
        SELECT sli, epoch_ms(timestamp) // 60000 * 60 AS bucket,
               count(*) FILTER (WHERE status < 500) AS good, count(*) AS total
        FROM {source} GROUP BY ALL
    """
    with duckdb.connect() as conn:
        conn.execute(f"COPY ({query}) TO '{out}' (FORMAT parquet)")
    durable(out)


def stored_counts(out: Path) -> pd.DataFrame:
    """What a baseline wrote, read back (after the clock stopped) for the comparison."""
    frame = pd.read_parquet(out)
    if "sli" not in frame.columns:  # pandas wrote its (sli, bucket) index
        frame = frame.reset_index()
    return frame[["sli", "bucket", "good", "total"]].set_index(["sli", "bucket"])


BASELINES = {"pandas": pandas_counts, "polars": polars_counts, "duckdb": duckdb_counts}


def available(name: str) -> bool:
    if name == "pandas":
        return True
    try:
        __import__(name)
    except ImportError:
        return False
    return True


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


def cpu_seconds() -> float:
    """User + system time of this process so far, all threads (the baselines' too)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


Timing = tuple[float, float, pd.DataFrame]  # wall seconds, CPU seconds, the counts stored
CLOSE_SECONDS: list[float] = []  # Covenant: closing the store after each timed ingest


def run_covenant(path: Path) -> Timing:
    """One end-to-end ingest into a fresh store: its times, and the counts it stored."""
    with tempfile.TemporaryDirectory(dir=_gen.DATA) as folder:
        engine = open_store(f"sqlite:///{folder}/covenant.db")
        c0, t0 = cpu_seconds(), time.perf_counter()
        (report,) = ingest_event_files(engine, files=[path], rules=rules())
        elapsed, cpu = time.perf_counter() - t0, cpu_seconds() - c0
        assert report.rows_rejected == 0, report.problems[:3]
        t1 = time.perf_counter()
        engine.dispose()  # closing the store runs the WAL checkpoint the commit left for later
        CLOSE_SECONDS.append(time.perf_counter() - t1)
        engine = open_store(f"sqlite:///{folder}/covenant.db")
        start = _gen.START
        counts = store_counts(engine, start, start + 31 * _gen.DAY)
        engine.dispose()
    return elapsed, cpu, counts


def run_baseline(name: str, path: Path) -> Timing:
    """One run of a baseline, writing into a fresh folder: its times, and the counts it wrote."""
    with tempfile.TemporaryDirectory(dir=_gen.DATA) as folder:
        out = Path(folder, "counts.parquet")
        c0, t0 = cpu_seconds(), time.perf_counter()
        BASELINES[name](path, out)
        elapsed, cpu = time.perf_counter() - t0, cpu_seconds() - c0
        counts = stored_counts(out)
    return elapsed, cpu, counts


def time_sides(path: Path, names: list[str], repeat: int) -> dict[str, Timing]:
    """Best of ``repeat`` runs of every side (wall and CPU time each at its best), the sides
    taking turns run by run."""
    best: dict[str, Timing] = {}
    for _ in range(repeat):
        for name in ["covenant", *names]:
            elapsed, cpu, counts = (
                run_covenant(path) if name == "covenant" else run_baseline(name, path)
            )
            wall0, cpu0, _ = best.get(name, (elapsed, cpu, counts))
            best[name] = (min(wall0, elapsed), min(cpu0, cpu), counts)
    return best


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
    parser.add_argument("--repeat", type=int, default=3, help="best of N, for every side")
    args = parser.parse_args()
    print(f"machine: {machine()}")
    t0 = time.perf_counter()
    csv_path, parquet_path = _gen.event_files(args.events)
    print(
        f"events: {args.events:,} ({csv_path.stat().st_size / 1e6:.0f} MB csv, "
        f"{parquet_path.stat().st_size / 1e6:.0f} MB parquet; ready in "
        f"{time.perf_counter() - t0:.1f} s)"
    )
    names = [name for name in BASELINES if available(name)]
    missing = [name for name in BASELINES if name not in names]
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    for path in (csv_path, parquet_path):
        kind = path.suffix.lstrip(".")
        CLOSE_SECONDS.clear()
        best = time_sides(path, names, args.repeat)
        ours, our_cpu, our_counts = best["covenant"]
        close = min(CLOSE_SECONDS)
        line = (
            f"{kind:8s} covenant {ours:6.3f} s (cpu {our_cpu:5.3f}; then close {close:5.3f} s) "
            f"{args.events / ours / 1e6:5.2f} M ev/s"
        )
        fastest = ("", float("inf"))
        for name in names:
            theirs, their_cpu, their_counts = best[name]
            if not same(our_counts, their_counts):
                raise SystemExit(f"covenant and {name} disagree on {path.name}")
            line += f" | {name} {theirs:6.3f} s (cpu {their_cpu:5.3f}) ({theirs / ours:4.2f}×)"
            if theirs < fastest[1]:
                fastest = (name, theirs)
        line += "".join(f" | {name}: not installed" for name in missing)
        print(line + " | counts identical")
        if fastest[0]:
            verdict = "at least as fast" if ours <= fastest[1] else "SLOWER"
            print(
                f"{'':8s} fastest baseline: {fastest[0]}; covenant is {verdict} "
                f"({fastest[1] / ours:4.2f}× its speed; ratios are baseline time / covenant time;"
                f" {fastest[1] / (ours + close):4.2f}× counting the close)"
            )
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    if not args.skip_read:
        bench_read(args.series, 30)


if __name__ == "__main__":
    main()
