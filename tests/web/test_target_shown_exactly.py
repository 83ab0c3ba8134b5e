"""An SLO's target is shown as written, however many nines: 0.999995 is 99.9995 %, not the
"100.000 %" the SLO page rounded it to (three decimals), and 0.999999999 is 99.9999999 % in
`covenant evaluate`'s table, not the "100 %" it rounded it to (six decimals). A target of
100 % is refused (`target-out-of-range`), so showing one misreads the file."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from typer.testing import CliRunner

from covenant.api.app import create_app
from covenant.cli.main import app as cli
from covenant.config import Settings, sqlite_url
from covenant.services.store import open_store
from covenant.services.tokens import create_token
from tests.web.pages import Browser

AT = datetime(2027, 6, 15, tzinfo=UTC)

SLOS = """\
apiVersion: openslo/v1
kind: Service
metadata: {name: api}
spec: {}
---
apiVersion: openslo/v1
kind: SLI
metadata: {name: api-requests}
spec:
  ratioMetric:
    counter: true
    good: {metricSource: {type: Prometheus, spec: {query: 'sum(good)'}}}
    total: {metricSource: {type: Prometheus, spec: {query: 'sum(total)'}}}
"""


def slo(name: str, target: str) -> str:
    return f"""---
apiVersion: openslo/v1
kind: SLO
metadata: {{name: {name}}}
spec:
  service: api
  indicatorRef: api-requests
  timeWindow: [{{duration: 30d, isRolling: true}}]
  budgetingMethod: Occurrences
  objectives: [{{target: {target}}}]
"""


def workspace(tmp_path: Path) -> Path:
    ws = tmp_path / "ws"
    ws.mkdir()
    text = SLOS + slo("five-and-a-half", "0.999995") + slo("nine-nines", "0.999999999")
    (ws / "slos.yaml").write_text(text, encoding="utf-8")
    return ws


def test_the_evaluate_table_shows_every_nine(tmp_path: Path) -> None:
    ws = workspace(tmp_path)
    result = CliRunner().invoke(
        cli, ["evaluate", "-w", str(ws), "--at", "2027-06-15T00:00:00Z"], env={"COLUMNS": "80"}
    )
    assert result.exit_code == 0, result.output
    rows = {line.split()[0]: line for line in result.stdout.splitlines() if line}
    assert "99.9995 %" in rows["five-and-a-half"]
    assert "99.9999999 %" in rows["nine-nines"]
    assert "100 %" not in result.stdout


def test_the_slo_page_shows_every_nine(tmp_path: Path) -> None:
    ws = workspace(tmp_path)
    settings = Settings(workspace=ws, database_url=sqlite_url(ws))
    engine = open_store(settings.database_url)
    token = create_token(
        engine,
        role="viewer",
        customer=None,
        expires_at=datetime(2028, 1, 1, tzinfo=UTC),
        at=AT,
        customers=(),
    ).text
    engine.dispose()
    browser = Browser(create_app(settings, clock=lambda: AT))
    browser.sign_in_token(token)
    for name, shown in (("five-and-a-half", "99.9995 %"), ("nine-nines", "99.9999999 %")):
        page = browser.get(f"/ui/slos/{name}")
        assert page.status_code == 200, page.text
        assert f"target {shown}" in page.text, name
        assert "target 100" not in page.text


def test_target_percent_by_hand() -> None:
    from fractions import Fraction  # noqa: PLC0415

    from covenant.render.evaluation import target_percent  # noqa: PLC0415

    assert target_percent(Fraction(999, 1000)) == "99.9 %"
    assert target_percent(Fraction(9995, 10000)) == "99.95 %"
    assert target_percent(Fraction(999999999, 10**9)) == "99.9999999 %"
    assert target_percent(Fraction(1, 10**9)) == "0.0000001 %"
    assert target_percent(Fraction(1, 2)) == "50 %"
    assert target_percent(Fraction(1, 8)) == "12.5 %"
    assert target_percent(Fraction(1)) == "100 %"
    assert target_percent(Fraction(-1, 4)) == "-25 %"
    assert target_percent(Fraction(2, 3)) == "66.666667 %"  # decimals that do not end
