"""`covenant exposure` on an 80-column terminal: a long alert or note under the table wraps
under itself, indented as its first line, as every other table's notes do (tables.print_notes).
They used to wrap to the first column ("… becomes 25 % on the" / "27th"), so a continuation
read as a line of its own."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from covenant.cli.main import app

runner = CliRunner()
AT = "2026-11-27T09:30:00Z"  # Globex mid-outage: crossing alerts and long notes


@pytest.fixture
def shop(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in ("COVENANT_DATABASE_URL", "COVENANT_WORKSPACE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("COVENANT_NOW", AT)
    monkeypatch.chdir(tmp_path)
    done = runner.invoke(app, ["demo", "--days", "35", "--format", "json"])
    assert done.exit_code == 0, done.output
    return tmp_path / "covenant-demo" / "shop"


def test_alerts_and_notes_wrap_under_themselves(shop: Path) -> None:
    result = runner.invoke(app, ["exposure", "-w", str(shop)], env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert max(len(x) for x in lines) <= 80
    first_alert = next(i for i, x in enumerate(lines) if x.startswith("  alert: "))
    totals = next(i for i, x in enumerate(lines) if x.startswith("Globex Corporation: "))
    first_note = next(i for i, x in enumerate(lines) if x.startswith("  note — "))
    alerts, notes = lines[first_alert:totals], lines[first_note:]
    assert any(not x.startswith(("  alert: ", "  note — ")) for x in alerts + notes)  # wrapped
    assert all(x.startswith("  ") for x in alerts), alerts
    assert all(x.startswith("  ") for x in notes), notes
    assert all(x == x.rstrip() for x in alerts + notes)
