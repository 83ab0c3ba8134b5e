"""An invalid workspace says "nothing was applied" only where something would have been.

Every definition error ended "fix each problem listed; nothing was applied", also for the
commands that only read (validate, evaluate, rules, dashboards, export…), which apply nothing
either way: the hint now says to fix the problems, and only a command that applies a change
(agreements sync, ingest, slo record, an import) adds that nothing was applied — which stays
true there: the store holds nothing after it.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text
from typer.testing import CliRunner

from covenant.cli.main import app

runner = CliRunner()
FIX = "error: 1 problem(s) in the workspace — fix each problem listed"
APPLIED = "; nothing was applied"


@pytest.fixture
def broken(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A starter workspace whose first objective's target is 2 (one error), no store yet."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("COVENANT_WORKSPACE", raising=False)
    monkeypatch.delenv("COVENANT_DATABASE_URL", raising=False)
    assert runner.invoke(app, ["init", "ws"]).exit_code == 0
    slos = tmp_path / "ws" / "slos.yaml"
    written = slos.read_text(encoding="utf-8")
    assert "target: 0.99" in written
    slos.write_text(written.replace("target: 0.99", "target: 2", 1), encoding="utf-8")
    return tmp_path / "ws"


def _stored_rows(workspace: Path) -> int:
    """Rows in the workspace's store (0 when there is none)."""
    store = workspace / ".covenant" / "covenant.db"
    if not store.exists():
        return 0
    engine = create_engine(f"sqlite:///{store}")
    try:
        with engine.connect() as connection:
            return sum(
                connection.execute(text(f'SELECT count(*) FROM "{table}"')).scalar_one()
                for table in inspect(connection).get_table_names()
                if table != "alembic_version"
            )
    finally:
        engine.dispose()


@pytest.mark.parametrize(
    "command",
    [
        ["evaluate"],
        ["rules", "prometheus"],
        ["dashboards", "grafana"],
        ["export", "openslo"],
        ["exposure"],
        ["backtest", "alerts", "checkout-availability"],
    ],
    ids=lambda c: " ".join(c[:2]),
)
def test_a_read_only_command_does_not_say_nothing_was_applied(
    broken: Path, command: list[str]
) -> None:
    result = runner.invoke(app, [*command, "-w", "ws"])
    assert result.exit_code == 1, result.output
    assert f"{FIX}\n" in result.stderr, result.stderr
    assert "applied" not in result.output


@pytest.mark.parametrize(
    "command",
    [
        ["agreements", "sync"],
        ["ingest", "events", "ws/events/sample.csv"],
        ["slo", "record"],
    ],
    ids=lambda c: " ".join(c[:2]),
)
def test_a_command_that_applies_says_nothing_was(broken: Path, command: list[str]) -> None:
    result = runner.invoke(app, [*command, "-w", "ws"])
    assert result.exit_code == 1, result.output
    assert f"{FIX}{APPLIED}\n" in result.stderr, result.stderr
    assert _stored_rows(broken) == 0  # and it is true: nothing is stored
