"""`covenant validate` takes the workspace as every other command does: `-w DIR`,
`$COVENANT_WORKSPACE`, or the current folder when no path is given."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from covenant.cli.main import app

BROKEN = """\
apiVersion: openslo/v1
kind: Service
metadata:
  name: Not A Valid Name
spec: {}
"""
CODE = "invalid-workspace-option"
FINE = """\
apiVersion: openslo/v1
kind: Service
metadata:
  name: checkout
spec:
  description: the shop's checkout
"""


def codes(output: str) -> list[tuple[str, str]]:
    return [(p["code"], Path(p["where"].split(":")[0]).name) for p in json.loads(output)]


def test_validate_takes_w_the_environment_or_the_current_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken, fine = tmp_path / "broken", tmp_path / "fine"
    broken.mkdir()
    fine.mkdir()
    (broken / "services.yaml").write_text(BROKEN)
    (fine / "services.yaml").write_text(FINE)
    runner = CliRunner()
    monkeypatch.delenv("COVENANT_WORKSPACE", raising=False)
    by_path = runner.invoke(app, ["validate", str(broken), "--format", "json"])
    assert by_path.exit_code == 1
    found = codes(by_path.output)
    assert found
    assert all(where == "services.yaml" for _, where in found)
    by_w = runner.invoke(app, ["validate", "-w", str(broken), "--format", "json"])
    assert (by_w.exit_code, codes(by_w.output)) == (1, found)
    assert runner.invoke(app, ["validate", "-w", str(fine)]).exit_code == 0
    # paths given win over -w
    both = runner.invoke(app, ["validate", str(fine), "-w", str(broken)])
    assert both.exit_code == 0, both.output
    monkeypatch.setenv("COVENANT_WORKSPACE", str(broken))
    by_env = runner.invoke(app, ["validate", "--format", "json"])
    assert (by_env.exit_code, codes(by_env.output)) == (1, found)
    monkeypatch.delenv("COVENANT_WORKSPACE")
    monkeypatch.chdir(fine)
    here = runner.invoke(app, ["validate"])
    assert here.exit_code == 0, here.output
    assert "valid: 0 errors, 0 warnings" in here.output
    # a file is not a workspace folder: a usage error naming the option
    wrong = runner.invoke(app, ["validate", "-w", str(fine / "services.yaml")])
    assert wrong.exit_code == 2
    assert f"error: -w {fine / 'services.yaml'} is a file, not a folder" in wrong.stderr
    missing = runner.invoke(app, ["validate", "-w", str(tmp_path / "missing")])
    assert missing.exit_code == 2
    assert f"error: -w {tmp_path / 'missing'} does not exist" in missing.stderr


@pytest.mark.parametrize("command", ["validate", "lint"])
def test_a_missing_workspace_names_where_it_came_from_and_the_fix(
    command: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """validate and lint say the same of the same mistake: the option or variable that gave
    the folder, what is wrong with it and what to give instead; a PATH given wins over a
    broken $COVENANT_WORKSPACE."""
    fine = tmp_path / "fine"
    fine.mkdir()
    (fine / "services.yaml").write_text(FINE)
    runner = CliRunner()
    monkeypatch.chdir(tmp_path)  # short relative paths: the messages fit on a line
    monkeypatch.setenv("COVENANT_WORKSPACE", "missing")
    by_env = runner.invoke(app, [command])
    assert by_env.exit_code == 2
    assert (
        "error: COVENANT_WORKSPACE=missing does not exist — COVENANT_WORKSPACE names the "
        "workspace folder (the one that holds your definition files and .covenant/): check the "
        "path, or give definition files as PATH, or start a workspace there with `covenant init "
        "missing`\n"
    ) in by_env.stderr
    monkeypatch.setenv("COVENANT_WORKSPACE", "fine/services.yaml")
    assert runner.invoke(app, [command, "fine"]).exit_code == 0
    as_file = runner.invoke(app, [command])
    assert as_file.exit_code == 2
    assert (
        "error: COVENANT_WORKSPACE=fine/services.yaml is a file, not a folder — "
        "COVENANT_WORKSPACE names the workspace folder (the one that holds your definition "
        "files and .covenant/), not a file in it: COVENANT_WORKSPACE=fine (or give the file as "
        f"PATH: covenant {command} fine/services.yaml)\n"
    ) in as_file.stderr
    monkeypatch.delenv("COVENANT_WORKSPACE")
    by_w = runner.invoke(app, [command, "-w", "gone"])
    assert by_w.exit_code == 2
    assert "error: -w gone does not exist — -w takes the workspace folder" in by_w.stderr
    assert f"run: covenant explain {CODE}" in by_w.stderr
    by_path = runner.invoke(app, [command, "gone"])
    assert by_path.exit_code == 2
    assert "Invalid value for PATH:" in by_path.output
