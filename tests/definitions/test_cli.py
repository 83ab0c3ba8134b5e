"""The CLI: validate, export openslo and init through typer's CliRunner (exit codes 0/1/2)."""

from __future__ import annotations

import json
import os
from pathlib import Path

from typer.testing import CliRunner

from covenant.cli.main import app
from covenant.definitions.workspace import analyse
from covenant.services.workspace import workspace_fingerprint
from tests.definitions.test_validation import COVENANT

runner = CliRunner()


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "defs.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_validate_clean_exits_0(tmp_path: Path) -> None:
    result = runner.invoke(app, ["validate", str(_write(tmp_path, COVENANT))])
    assert result.exit_code == 0, result.output
    assert "valid: 0 errors" in result.output


def test_validate_errors_exit_1_with_file_line_field(tmp_path: Path) -> None:
    path = _write(tmp_path, COVENANT.replace("target: 0.999", "target: 99.9"))
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 1
    assert f"{path}:21 spec.objectives[0].target: " in result.output
    assert "[target-out-of-range]" in result.output
    assert "invalid: 1 error," in result.output


def test_validate_json(tmp_path: Path) -> None:
    path = _write(tmp_path, COVENANT.replace("noDataPolicy: bad", "noDataPolicy: maybe"))
    result = runner.invoke(app, ["validate", "--format", "json", str(path)])
    assert result.exit_code == 1
    said = json.loads(result.output)
    (problem,) = [p for p in said if p["severity"] == "error"]
    # the SLO's service names no Service: said with the error, not on the next run
    assert [p["code"] for p in said if p["severity"] == "warning"] == ["unresolved-reference"]
    assert problem["code"] == "invalid-value"
    assert problem["field"] == "spec.noDataPolicy"
    assert problem["where"] == f"{path}:22"
    assert problem["severity"] == "error"


def test_validate_warns_of_a_folder_without_definition_files(tmp_path: Path) -> None:
    """The wrong folder (or one whose only YAML is hidden state) is not silently "valid"."""
    empty = tmp_path / "my workspace"
    (empty / ".covenant").mkdir(parents=True)
    (empty / ".covenant" / "state.yaml").write_text("a: 1\n", encoding="utf-8")
    (empty / "notes.txt").write_text("not a definition\n", encoding="utf-8")
    result = runner.invoke(app, ["validate", "--format", "json", str(empty)])
    assert result.exit_code == 0, result.output  # a warning, not an error
    (problem,) = json.loads(result.output)
    assert problem["code"] == "no-definition-files"
    assert problem["severity"] == "warning"
    assert problem["where"] == str(empty)
    assert "covenant init" in problem["fix"]
    text = runner.invoke(app, ["validate", str(empty)])
    assert "valid: 0 errors, 1 warning" in text.output
    defined = _write(tmp_path, COVENANT).parent  # a folder with a definition file: no warning
    found = json.loads(runner.invoke(app, ["validate", "--format", "json", str(defined)]).output)
    assert "no-definition-files" not in {p["code"] for p in found}


def test_validate_usage_errors_exit_2(tmp_path: Path) -> None:
    assert runner.invoke(app, ["validate", str(tmp_path / "missing")]).exit_code == 2
    assert runner.invoke(app, ["validate", "--format", "xml", str(tmp_path)]).exit_code == 2
    # no path: the workspace (-w, $COVENANT_WORKSPACE or the current folder), which must exist
    # (tests/cli/test_validate_workspace.py)
    assert runner.invoke(app, ["validate", "-w", str(tmp_path / "missing")]).exit_code == 2


def test_export_openslo_to_file(tmp_path: Path) -> None:
    _write(tmp_path, COVENANT)
    out = tmp_path / "out" / "openslo.yaml"
    out.parent.mkdir()
    result = runner.invoke(app, ["export", "openslo", "-w", str(tmp_path), "-o", str(out)])
    assert result.exit_code == 0, result.output
    workspace, problems = analyse([out])
    assert workspace is not None, problems
    assert len(workspace.objectives) == 1


def test_export_invalid_workspace_exits_1(tmp_path: Path) -> None:
    path = _write(tmp_path, "apiVersion: openslo/v1\nkind: Nope\n")
    result = runner.invoke(app, ["export", "openslo", str(path)])
    assert result.exit_code == 1


def test_init_scaffolds_a_clean_workspace_and_refuses_to_overwrite(tmp_path: Path) -> None:
    target = tmp_path / "ws"
    result = runner.invoke(app, ["init", str(target)])
    assert result.exit_code == 0, result.output
    assert {p.name for p in target.rglob("*") if p.is_file()} == {
        "README.md",
        "slos.yaml",
        "sample.csv",
    }
    workspace, problems = analyse([target])
    assert workspace is not None
    assert problems == []
    assert {o.slo for o in workspace.objectives} == {"checkout-availability", "checkout-latency"}
    header, *rows = (target / "events" / "sample.csv").read_text().splitlines()
    assert header == "timestamp,sli,status,latency_ms"
    assert rows
    assert all(row.split(",")[0].endswith("Z") for row in rows)
    assert runner.invoke(app, ["validate", str(target)]).exit_code == 0
    again = runner.invoke(app, ["init", str(target)])
    assert again.exit_code == 1
    assert "already exist" in again.output


def test_a_definition_file_that_is_not_a_file_is_an_error(tmp_path: Path) -> None:
    # regression: a *.yaml that was a broken symbolic link, a link loop or a named pipe was
    # skipped without a word: its SLOs were missing and `validate` said "valid"
    _write(tmp_path, COVENANT)
    before = workspace_fingerprint(tmp_path)
    (tmp_path / "shared.yaml").symlink_to(tmp_path / "gone" / "slos.yaml")
    assert workspace_fingerprint(tmp_path) != before  # a server reloads, and says what is wrong
    (tmp_path / "loop.yml").symlink_to("loop.yml")
    os.mkfifo(tmp_path / "pipe.yaml")
    (tmp_path / "notes.txt").symlink_to(tmp_path / "gone.txt")  # not a definition file: ignored
    result = runner.invoke(app, ["validate", "--format", "json", str(tmp_path)])
    assert result.exit_code == 1, result.output
    problems = json.loads(result.output)
    found = {Path(p["where"]).name: p for p in problems if p["code"] != "unresolved-reference"}
    assert set(found) == {"shared.yaml", "loop.yml", "pipe.yaml"}
    assert {p["code"] for p in found.values()} == {"unreadable-file"}
    assert {p["severity"] for p in found.values()} == {"error"}
    assert "symbolic link to" in found["shared.yaml"]["message"]
    assert "does not exist" in found["shared.yaml"]["message"]
    assert "not a regular file" in found["pipe.yaml"]["message"]
    named = runner.invoke(app, ["validate", str(tmp_path / "pipe.yaml")])
    assert named.exit_code == 1  # named on its own: the same error, not "does not exist"
    assert "[unreadable-file]" in named.output
