"""Deterministic generators shared by the benchmarks (files are cached in benchmarks/.data/)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

DATA = Path(__file__).resolve().parent / ".data"
START = 1_767_225_600  # 2026-01-01T00:00:00Z
DAY = 86_400


def sli_names(n: int = 50) -> list[str]:
    return [f"svc{i:02d}" for i in range(n)]


def event_table(n_events: int, *, n_sli: int = 50, days: int = 30, seed: int = 7) -> pa.Table:
    """``n_events`` request events in random (shuffled) time order over ``days`` days.

    Columns: timestamp (ms, UTC), sli (uneven traffic: a few busy SLIs), status (mostly 200,
    some 404, ~0.3 % 5xx with bursts), latency_ms (log-normal).
    """
    rng = np.random.default_rng(seed)
    weights = rng.pareto(1.2, n_sli) + 0.05
    sli = rng.choice(n_sli, size=n_events, p=weights / weights.sum()).astype(np.int32)
    ts = START * 1000 + rng.integers(0, days * DAY * 1000, size=n_events, dtype=np.int64)
    status = np.full(n_events, 200, dtype=np.int16)
    roll = rng.random(n_events)
    status[roll < 0.02] = 404
    status[roll < 0.003] = 503
    burst = (ts // 1000 % DAY) // 3600 == 13  # a daily bad hour
    status[burst & (roll < 0.01)] = 500
    latency = np.round(rng.lognormal(4.5, 0.8, n_events), 1)
    names = pa.array(sli_names(n_sli))
    return pa.table(
        {
            "timestamp": pa.array(ts, type=pa.timestamp("ms", "UTC")),
            "sli": pa.DictionaryArray.from_arrays(pa.array(sli), names).cast(pa.string()),
            "status": pa.array(status, type=pa.int16()),
            "latency_ms": pa.array(latency),
        }
    )


def event_files(n_events: int, *, seed: int = 7) -> tuple[Path, Path]:
    """``(csv, parquet)`` files of the same events, generated once and cached."""
    DATA.mkdir(parents=True, exist_ok=True)
    csv_path = DATA / f"events-{n_events}-{seed}.csv"
    parquet_path = DATA / f"events-{n_events}-{seed}.parquet"
    if csv_path.exists() and parquet_path.exists():
        return csv_path, parquet_path
    table = event_table(n_events, seed=seed)
    pq.write_table(table, parquet_path.with_suffix(".tmp"), compression="zstd")
    parquet_path.with_suffix(".tmp").replace(parquet_path)
    iso = pc.binary_join_element_wise(
        pc.strftime(table.column("timestamp"), format="%Y-%m-%dT%H:%M:%S"), "Z", ""
    )
    text = table.set_column(0, "timestamp", iso)
    tmp = csv_path.with_suffix(".tmpcsv")
    with tmp.open("wb") as sink:
        sink.write((",".join(text.column_names) + "\n").encode())
        pa_csv.write_csv(
            text,
            sink,
            write_options=pa_csv.WriteOptions(include_header=False, quoting_style="none"),
        )
    tmp.replace(csv_path)
    return csv_path, parquet_path


def bucket_fleet(
    n_series: int, *, days: int = 30, step: int = 60, seed: int = 11
) -> tuple[list[str], np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Dense counts for ``n_series`` series: keys, series index, starts, good, total."""
    rng = np.random.default_rng(seed)
    n = days * DAY // step
    keys = [f"fleet{i:04d}-availability" for i in range(n_series)]
    rate = rng.uniform(1, 400, size=(n_series, 1))
    total = rng.poisson(rate, size=(n_series, n)).astype(np.int64)
    good = total - rng.binomial(total, 0.001)
    series = np.repeat(np.arange(n_series, dtype=np.int64), n)
    starts = np.tile(START + step * np.arange(n, dtype=np.int64), n_series)
    return keys, series, starts, good.reshape(-1), total.reshape(-1)
