"""`covenant ingest` never imports pandas (pyarrow would, about a second, when it is installed).

Not a timing test: a real `covenant` process (``covenant.cli.main.main``) ingests CSV, JSONL
(with a bad line) and Parquet files and reports which modules it loaded. The same ingest
through the Typer app without that entry point shows that pyarrow does load pandas, so the
check can fail.
"""

from __future__ import annotations

import csv
import importlib.util
import json
import shutil
from pathlib import Path

import pyarrow.csv as pa_csv
import pyarrow.parquet as pq
import pytest

from tests.conftest import ROOT
from tests.probe import run_python

ENTRY = """
import json, sys
from covenant.cli.main import main
sys.argv = ["covenant", *json.loads(sys.argv[1])]
try:
    main()
except SystemExit as exc:
    code = exc.code
else:
    code = 0
loaded = {name: name in sys.modules for name in ("pandas", "pyarrow")}
print(json.dumps({"code": code, **loaded}))
"""

APP = """
import json, sys
from typer.testing import CliRunner
from covenant.cli.main import app
result = CliRunner().invoke(app, json.loads(sys.argv[1]))
print(json.dumps({"code": result.exit_code, "pandas": "pandas" in sys.modules}))
"""


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    target = tmp_path / "shop"
    shutil.copytree(ROOT / "examples" / "shop", target)
    sample = target / "events-sample.csv"
    table = pa_csv.read_csv(sample)
    pq.write_table(table, target / "events.parquet")
    with sample.open(encoding="utf-8", newline="") as handle:
        lines = [json.dumps(row) for row in csv.DictReader(handle)]
    lines.insert(3, '{"timestamp": "2026-10-01T09:00:00Z", "service": ')  # a broken line
    (target / "events.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return target


def run(script: str, args: list[str], cwd: Path) -> dict[str, object]:
    result: dict[str, object] = run_python(script, json.dumps(args), cwd=cwd, timeout=300)
    return result


def test_ingest_loads_no_pandas(workspace: Path) -> None:
    files = ["events-sample.csv", "events.jsonl", "events.parquet"]
    found = run(
        ENTRY, ["ingest", "events", *files, "--workspace", ".", "--format", "json"], workspace
    )
    assert found == {"code": 0, "pandas": False, "pyarrow": True}


@pytest.mark.skipif(importlib.util.find_spec("pandas") is None, reason="pandas is not installed")
def test_without_the_entry_point_pyarrow_loads_pandas(workspace: Path) -> None:
    found = run(APP, ["ingest", "events", "events.parquet", "--workspace", "."], workspace)
    assert found == {"code": 0, "pandas": True}
