"""`covenant lint` where no agreement is defined (the wrong folder, a workspace of SLOs only)
used to answer "ok: 0 errors, 0 warnings" as if every commitment were backed. It says on
stderr that there was nothing to check, as `evaluate` does for a folder without an SLO."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from covenant.cli.main import app
from tests.cli.starter import starter_workspace

runner = CliRunner()


@pytest.mark.parametrize("where", ["empty", "ws"])
def test_lint_without_an_agreement_warns(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    starter_workspace(tmp_path, monkeypatch)  # ws: SLOs, no agreement
    (tmp_path / "empty").mkdir()
    for fmt in ("table", "json"):
        result = runner.invoke(app, ["lint", "-w", where, "--format", fmt], env={"COLUMNS": "300"})
        assert result.exit_code == 0, (result.stdout, result.stderr)
        err = " ".join(result.stderr.split())
        assert f"warning: no agreement is defined in {where}" in err, err


def test_lint_with_agreements_does_not_warn(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    shop = Path(__file__).resolve().parents[2] / "examples" / "shop"
    result = runner.invoke(app, ["lint", str(shop)])
    assert result.exit_code == 0, (result.stdout, result.stderr)
    assert "no agreement" not in result.stderr
