"""The demo's Initech agreement measures downtime from incident records and states since when
they are complete (`recordsFrom`). It used to say 1 January 2026 whatever the clock, while the
demo generates only its last `--days` of records: a statement for any month before them (every
month of 2027 with the clock in 2028) was "final, 100.000 %, 0.00 USD" on no records at all.
The demo now writes the start of the records it generated there: a month before them is "no
data", the month they start in is partial, the last month is whole."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from covenant.cli.main import app
from covenant.resources import demo_shop
from covenant.services.demo import date_incident_records
from tests.conftest import ROOT

runner = CliRunner()
AT = "2027-07-15T10:00:00Z"  # 90 days of records start at 2027-04-16T10:00:00Z
WIDE = {"COLUMNS": "300"}


@pytest.fixture
def demo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in ("COVENANT_DATABASE_URL", "COVENANT_WORKSPACE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("COVENANT_NOW", AT)  # the clock months ahead, as a stranger's may be
    monkeypatch.chdir(tmp_path)
    done = runner.invoke(app, ["demo", "--days", "90", "--format", "json"])
    assert done.exit_code == 0, done.output
    return tmp_path / "covenant-demo" / "shop"


def statement(shop: Path, period: str) -> dict:  # type: ignore[type-arg]
    result = runner.invoke(
        app,
        ["report", "sla", "-w", str(shop), "-c", "initech", "-p", period, "-f", "json"],
    )
    assert result.exit_code == 0, (result.stdout, result.stderr)
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def test_the_written_agreement_states_when_the_generated_records_start(demo: Path) -> None:
    text = (demo / "contracts.yaml").read_text(encoding="utf-8")
    assert 'recordsFrom: "2027-04-16T10:00:00Z"' in text
    assert "2026-01-01}" not in text.split("initech-standard", 1)[1].split("---", 1)[0]
    # only that value changed: the shipped file is otherwise copied as it is
    shipped = (ROOT / "examples" / "shop" / "contracts.yaml").read_text(encoding="utf-8")
    assert text.replace('"2027-04-16T10:00:00Z"', "2026-01-01") == shipped


def test_a_month_before_the_records_is_no_data_not_100_percent(demo: Path) -> None:
    (before,) = statement(demo, "2027-03")["availability"]
    assert before["coverage"] == "none", before
    assert before["level"]["value"] is None, before
    assert before["no_data"], before
    assert before["credit"] is None, before
    (partial,) = statement(demo, "2027-04")["availability"]
    assert partial["coverage"] == "partial", partial
    (whole,) = statement(demo, "2027-06")["availability"]
    assert whole["coverage"] == "full", whole


def test_the_shipped_file_itself_is_never_rewritten() -> None:
    """`covenant demo examples --force` in a checkout writes onto the source: left as it is."""
    shipped = demo_shop() / "contracts.yaml"
    before = shipped.read_bytes()
    date_incident_records(demo_shop(), start=datetime(2027, 4, 16, 10, tzinfo=UTC))
    assert shipped.read_bytes() == before


def test_the_header_of_a_month_without_records_says_none_not_partial(demo: Path) -> None:
    """The table's header said "partial coverage: … do not cover all of it" of a month the
    records cover none of, above a row that says so."""
    result = runner.invoke(
        app, ["report", "sla", "-w", str(demo), "-c", "initech", "-p", "2027-03"], env=WIDE
    )
    assert result.exit_code == 0, (result.stdout, result.stderr)
    header = result.stdout.splitlines()[0]
    assert "no coverage: the stored records cover none of it" in header, header
    assert "partial" not in header, header
    partial = runner.invoke(
        app, ["report", "sla", "-w", str(demo), "-c", "initech", "-p", "2027-04"], env=WIDE
    )
    assert "partial coverage: the stored records do not cover all of it" in partial.stdout
