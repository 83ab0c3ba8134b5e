"""``--sloth-period`` as Sloth reads its ``--default-slo-period``.

Sloth parses the period with Prometheus' ``model.ParseDuration``: units ``y`` (365 days),
``w``, ``d``, ``h``, ``m``, ``s``, ``ms`` — no month or quarter, so ``sloth generate
--default-slo-period=1M`` fails ("invalid SLO period duration"). An OpenSLO file's rolling
``1M`` is read as 30 days (warning ``rolling-calendar-unit``), as the OpenSLO SDK reads it; the
option is refused with that reading as the fix, and a year, which Sloth reads as 365 days as
OpenSLO does, is taken as those days.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from covenant.cli.main import app

runner = CliRunner()


@pytest.mark.parametrize(
    ("period", "days", "unit"),
    [("1M", "30d", "month"), ("3M", "90d", "month"), ("1Q", "90d", "quarter")],
)
def test_a_month_or_quarter_is_refused_saying_the_days_to_write(
    corpus: Path, tmp_path: Path, period: str, days: str, unit: str
) -> None:
    source = str(corpus / "sloth/getting-started.yml")
    result = runner.invoke(
        app, ["import", "sloth", source, "--sloth-period", period, "--into", str(tmp_path)]
    )
    assert result.exit_code == 2
    output = " ".join(result.output.split())
    assert "invalid-import-option" in output
    assert f"--sloth-period {period!r} is in {unit}s, which Sloth does not read" in output
    assert f"write {days}" in output  # what a rolling {period} means in an OpenSLO file
    assert "rolling-calendar-unit" in output
    assert not tmp_path.joinpath("sloth-getting-started.yaml").exists()


def test_a_year_is_365_days_as_sloth_and_openslo_read_it(corpus: Path, tmp_path: Path) -> None:
    source = str(corpus / "sloth/getting-started.yml")
    result = runner.invoke(
        app, ["import", "sloth", source, "--sloth-period", "1y", "--into", str(tmp_path)]
    )
    assert result.exit_code == 0, result.output
    (written,) = tmp_path.glob("*.yaml")
    slos = [d for d in yaml.safe_load_all(written.read_text()) if d and d["kind"] == "SLO"]
    assert slos
    assert {s["spec"]["timeWindow"][0]["duration"] for s in slos} == {"365d"}


def test_an_alert_windows_catalog_of_a_month_is_refused_so_too(
    corpus: Path, tmp_path: Path
) -> None:
    catalog = (corpus / "sloth/windows/7d.yaml").read_text(encoding="utf-8")
    assert "sloPeriod: 7d" in catalog
    windows = tmp_path / "month.yaml"
    windows.write_text(catalog.replace("sloPeriod: 7d", "sloPeriod: 1M"), encoding="utf-8")
    source = str(corpus / "sloth/getting-started.yml")
    result = runner.invoke(app, ["import", "sloth", source, "--alert-windows", str(windows)])
    assert result.exit_code == 2
    output = " ".join(result.output.split())
    assert "spec.sloPeriod '1M' is in months, which Sloth does not read" in output
    assert "write 30d" in output
