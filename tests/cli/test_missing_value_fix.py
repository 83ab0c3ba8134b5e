"""A value an SLI needs that the row does not have: the fix is to fill it in, in any format.
It said "(only an empty cell counts as missing)" also of a JSON `null`, a missing JSON key and
a Parquet null — formats without cells, where that sentence read as if the null were not
missing at all (a CSV `NaN` is a `bad-value` row with its own message)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from covenant.cli.main import app
from tests.cli.starter import runner, starter_workspace

ROW = '"timestamp": "2026-10-01T00:00:00Z", "sli": "checkout-availability"'


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("null.jsonl", "{" + ROW + ', "status": null}\n{' + ROW + ', "status": 200}\n'),
        ("absent.jsonl", "{" + ROW + ', "latency_ms": 5}\n{' + ROW + ', "status": 200}\n'),
        (
            "empty.csv",
            "timestamp,sli,status\n2026-10-01T00:00:00Z,checkout-availability,\n"
            "2026-10-01T00:00:00Z,checkout-availability,200\n",
        ),
    ],
)
def test_a_missing_status_says_fill_it_in(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, text: str
) -> None:
    ws = starter_workspace(tmp_path, monkeypatch)
    (tmp_path / name).write_text(text)
    done = runner.invoke(app, ["ingest", "events", name, "-w", str(ws), "--format", "json"])
    assert done.exit_code == 0, done.output
    (problem,) = json.loads(done.stdout)["files"][0]["problems"]
    line = 2 if name.endswith(".csv") else 1  # the first row: after the CSV's header
    assert (problem["where"], problem["code"], problem["field"]) == (
        f"{name}:{line}",
        "missing-value",
        "status",
    )
    assert problem["fix"] == "fill in the HTTP status code"
