"""An event's HTTP status is a whole number written as digits (docs/ingest.md): `2e2` and
`200.5` are rejected rows naming the file:line, the status field, the value as written and the
fix — in a CSV file, and in a JSON Lines file whose other rows write 200 (which are stored).

Before, the status was read as any number: `2e2` and `200.0` were taken for 200. And a JSON
Lines file of mixed value types quoted its numbers in a problem as text (`good='5'`): they
are shown as the file wrote them (`good=5`).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

ROOT = Path(__file__).resolve().parents[2]
T = "2026-11-01T10:00:00Z"
SLI = "checkout-availability"


def covenant(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("COVENANT_")}
    env |= {"PYTHONPATH": f"{ROOT / 'src'}{os.pathsep}{ROOT}", "COLUMNS": "300"}
    env["COVENANT_NOW"] = "2026-11-02T00:00:00Z"
    return subprocess.run(
        [sys.executable, "-m", "covenant", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


CASES = {
    "csv 2e2": ("events.csv", f"timestamp,sli,status\n{T},{SLI},200\n{T},{SLI},2e2\n", "2e2"),
    "csv 200.5": (
        "events.csv",
        f"timestamp,sli,status\n{T},{SLI},200\n{T},{SLI},200.5\n",
        "200.5",
    ),
    "json 2e2": (
        "events.jsonl",
        f'{{"timestamp": "{T}", "sli": "{SLI}", "status": 200}}\n'
        f'{{"timestamp": "{T}", "sli": "{SLI}", "status": 2e2}}\n',
        "2e2",
    ),
    "json 2E+2": (
        "events.jsonl",
        f'{{"timestamp": "{T}", "sli": "{SLI}", "status": 200}}\n'
        f'{{"timestamp": "{T}", "sli": "{SLI}", "status": 2E+2}}\n',
        "2E+2",
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_a_status_not_written_as_digits_is_refused(tmp_path: Path, case: str) -> None:
    name, text, value = CASES[case]
    assert covenant("init", "ws", cwd=tmp_path).returncode == 0
    (tmp_path / name).write_text(text)
    line = text.count("\n")  # the last line is the bad row
    done = covenant("ingest", "events", name, "-w", "ws", "-f", "json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    (report,) = json.loads(done.stdout)["files"]
    assert (report["rows_read"], report["rows_ingested"], report["rows_rejected"]) == (2, 1, 1)
    (problem,) = report["problems"]
    assert problem["where"] == f"{name}:{line}"
    assert problem["field"] == "status"
    assert problem["message"] == f"{value} is not an HTTP status code"
    assert "written as digits (200, not 2e2)" in problem["fix"]


def test_a_json_number_in_a_column_of_mixed_types_is_shown_as_written(tmp_path: Path) -> None:
    assert covenant("init", "ws", cwd=tmp_path).returncode == 0
    (tmp_path / "mixed.jsonl").write_text(
        f'{{"timestamp": "{T}", "sli": "{SLI}", "good": 5, "total": 4}}\n'
        f'{{"timestamp": "{T}", "sli": "{SLI}", "good": "3", "total": 4}}\n'
    )
    done = covenant("ingest", "events", "mixed.jsonl", "-w", "ws", "-f", "json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    (report,) = json.loads(done.stdout)["files"]
    (problem,) = report["problems"]
    assert problem["where"] == "mixed.jsonl:1"
    assert problem["message"] == "good=5 is more than total=4"


def test_a_status_written_as_digits_is_read(tmp_path: Path) -> None:
    assert covenant("init", "ws", cwd=tmp_path).returncode == 0
    (tmp_path / "ok.csv").write_text(f"timestamp,sli,status\n{T},{SLI},200\n{T},{SLI}, 503 \n")
    done = covenant("ingest", "events", "ok.csv", "-w", "ws", cwd=tmp_path)
    assert done.returncode == 0, done.stderr


def test_a_parquet_column_of_floats_holds_whole_statuses(tmp_path: Path) -> None:
    """pandas writes integers with a missing value as floats: 200.0 and 503.0 are the
    statuses 200 and 503 (one good, one bad under the init workspace's `status < 500`), the
    missing one has no status, and 200.5 is refused as no status code."""
    assert covenant("init", "ws", cwd=tmp_path).returncode == 0
    at = pa.array([1_793_527_200] * 4, pa.timestamp("s", tz="UTC"))  # 2026-11-01T10:00Z
    table = pa.table(
        {
            "timestamp": at,
            "sli": [SLI] * 4,
            "status": pa.array([200.0, 503.0, None, 200.5], pa.float64()),
        }
    )
    pq.write_table(table, tmp_path / "events.parquet")
    done = covenant("ingest", "events", "events.parquet", "-w", "ws", "-f", "json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    (report,) = json.loads(done.stdout)["files"]
    assert report["rows_read"] == 4
    messages = [p["message"] for p in report["problems"]]
    assert "200.5 is not an HTTP status code" in messages
    assert not any(m.startswith(("200 ", "503 ", "200.0", "503.0")) for m in messages)


PANDAS = {  # pandas writes an integer column with a missing value as floats: 200.0
    "csv": ("events.csv", f"timestamp,sli,status\n{T},{SLI},200.0\n{T},{SLI},\n{T},{SLI},503.0\n"),
    "json": (
        "events.jsonl",
        f'{{"timestamp": "{T}", "sli": "{SLI}", "status": 200.0}}\n'
        f'{{"timestamp": "{T}", "sli": "{SLI}", "status": null}}\n'
        f'{{"timestamp": "{T}", "sli": "{SLI}", "status": 503.0}}\n',
    ),
}


@pytest.mark.parametrize("case", PANDAS)
def test_a_status_written_with_a_zero_fraction_is_a_status(tmp_path: Path, case: str) -> None:
    """200.0 and 503.0 are the statuses 200 and 503: neither is named in a problem (the row
    without a status is, whatever the reader says of it)."""
    name, text = PANDAS[case]
    assert covenant("init", "ws", cwd=tmp_path).returncode == 0
    (tmp_path / name).write_text(text)
    done = covenant("ingest", "events", name, "-w", "ws", "-f", "json", cwd=tmp_path)
    (report,) = json.loads(done.stdout)["files"]
    assert report["rows_read"] == 3
    empty = 3 if name.endswith(".csv") else 2  # the row without a status (a header first)
    assert all(p["where"] == f"{name}:{empty}" for p in report.get("problems", [])), report
