"""`covenant alerts history` without --slo or --agreement (or with both) said "give one of --slo
NAME and --agreement NAME": it reads as "give both". It says which to give now, and that
both are too many."""

from __future__ import annotations

from pathlib import Path

import pytest

from covenant.cli.main import app
from tests.cli.starter import runner, starter_workspace


@pytest.mark.parametrize("given", [[], ["--slo", "checkout-availability", "--agreement", "x"]])
def test_alerts_history_says_to_give_an_slo_or_an_agreement(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, given: list[str]
) -> None:
    ws = starter_workspace(tmp_path, monkeypatch)
    result = runner.invoke(app, ["alerts", "history", "-w", str(ws), *given])
    assert result.exit_code == 2, result.output
    said = " ".join(result.stderr.replace("│", " ").split())
    assert "give --slo NAME or --agreement NAME, not both" in said, said
