"""``covenant lint`` end to end: workspaces written as YAML, findings, JSON and exit codes."""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

import pytest
import typer
from rich.console import Console
from typer.testing import CliRunner

from covenant.cli import lint_cmds
from covenant.cli.main import app as main_app
from covenant.definitions.workspace import analyse_text
from covenant.resources import errors_md
from covenant.services.lint import lint_workspace, parse_margin

runner = CliRunner()


def _app() -> typer.Typer:
    """The lint command on its own app (the coordinator registers it in cli/main.py)."""
    app = typer.Typer()

    @app.callback()
    def _root() -> None:
        """covenant (test app)"""

    lint_cmds.register(app)
    return app


APP = _app()

SLO = """\
apiVersion: openslo/v1
kind: SLI
metadata: {{name: api-availability}}
spec:
  ratioMetric:
    counter: true
    good: {{metricSource: {{type: prometheus, spec: {{query: good}}}}}}
    total: {{metricSource: {{type: prometheus, spec: {{query: total}}}}}}
---
apiVersion: openslo/v1
kind: SLO
metadata: {{name: api-slo}}
spec:
  service: api
  indicatorRef: api-availability
  timeWindow:
{window}
  budgetingMethod: Occurrences
  objectives:
    - targetPercent: {target}
"""

MONTH_BERLIN = """\
    - duration: 1M
      isRolling: false
      calendar: {startTime: "2026-01-01 00:00:00", timeZone: Europe/Berlin}"""
ROLLING_28D = """\
    - duration: 28d
      isRolling: true"""

AGREEMENT = """\
---
apiVersion: covenant/v1
kind: Customer
metadata: {{name: acme}}
spec: {{currency: EUR}}
---
apiVersion: covenant/v1
kind: Agreement
metadata:
  name: acme-sla
{annotations}spec:
  customer: acme
  versions:
    - version: 1
      status: {status}
      effectiveFrom: 2026-01-01
      fees: {{api: "1000.00"}}
      period: {{unit: month, timeZone: Europe/Berlin}}
      signatories:
        - {{name: Jane Roe, role: CTO, signedAt: 2025-12-15}}
      availability:
        - name: api-uptime
          services: [api]
          level: {level}
          measurement: {{source: incidents}}
          backedBy: [api-slo]
{support}"""

SUPPORT = """\
      support:
        - name: tickets
          targets:
            P1: {firstResponse: 30m, resolution: 1d}
          backedBy: [api-slo]
"""


def workspace_text(
    *,
    target: str = "99.95",
    level: str = "99.9",
    window: str = MONTH_BERLIN,
    status: str = "active",
    margin: str | None = None,
    support: str = "",
) -> str:
    annotations = (
        f'  annotations:\n    covenant.dev/required-margin: "{margin}"\n' if margin else ""
    )
    return SLO.format(window=window, target=target) + AGREEMENT.format(
        annotations=annotations, status=status, level=level, support=support
    )


def line_of(text: str, needle: str) -> int:
    """1-based line of the first line containing ``needle``."""
    return next(n for n, line in enumerate(text.splitlines(), 1) if needle in line)


def write(tmp_path: Path, text: str) -> Path:
    folder = tmp_path / "ws"
    folder.mkdir()
    (folder / "defs.yaml").write_text(text, encoding="utf-8")
    return folder


def lint_json(*args: str) -> tuple[int, dict[str, object]]:
    result = runner.invoke(APP, ["lint", *args, "--format", "json"])
    return result.exit_code, json.loads(result.output)


def found(doc: dict[str, object]) -> list[tuple[str, str]]:
    findings = doc["findings"]
    assert isinstance(findings, list)
    return [(f["code"], f["severity"]) for f in findings]


def test_a_well_backed_agreement_is_clean(tmp_path: Path) -> None:
    ws = write(tmp_path, workspace_text())
    result = runner.invoke(APP, ["lint", str(ws)])
    assert result.exit_code == 0, result.output
    assert "ok: 0 errors, 0 warnings, required margin 0.05 points" in result.output


def test_the_margin_boundary_and_the_margin_option(tmp_path: Path) -> None:
    ws = write(tmp_path, workspace_text(target="99.95", level="99.9"))
    code, doc = lint_json(str(ws))
    assert (code, found(doc)) == (0, [])
    code, doc = lint_json(str(ws), "--margin", "0.1")
    assert (code, found(doc)) == (0, [("margin-too-small", "warning")])
    assert doc["required_margin"] == {"points": "0.1", "exact": "1/10"}
    code, doc = lint_json(str(ws), "--margin", "0.1", "--strict")
    assert (code, doc["summary"]) == (
        1,
        {"findings": 1, "errors": 0, "warnings": 1, "failed": True},
    )


def test_the_agreement_annotation_overrides_the_margin_option(tmp_path: Path) -> None:
    ws = write(tmp_path, workspace_text(target="99.95", level="99.9", margin="0.1"))
    code, doc = lint_json(str(ws))
    assert found(doc) == [("margin-too-small", "warning")]
    assert code == 0
    code, doc = lint_json(str(ws), "--margin", "0")
    assert found(doc) == [("margin-too-small", "warning")]  # the agreement's own margin wins


def test_an_unreadable_annotation_is_an_error(tmp_path: Path) -> None:
    text = workspace_text(margin="a lot")
    ws = write(tmp_path, text)
    code, doc = lint_json(str(ws))
    assert code == 1
    assert found(doc) == [("invalid-required-margin", "error")]
    findings = doc["findings"]
    assert isinstance(findings, list)
    assert findings[0]["version"] == 0
    agreement = line_of(text, "kind: Agreement") - 1  # the document's first line
    assert findings[0]["where"] == f"{ws / 'defs.yaml'}:{agreement}"


def test_an_equal_target_fails_the_run_with_why_and_fix(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(lint_cmds, "console", Console(width=300))  # no wrapping in the table
    text = workspace_text(target="99.9", level="99.9")
    ws = write(tmp_path, text)
    result = runner.invoke(APP, ["lint", str(ws)])
    assert result.exit_code == 1
    assert "acme-sla@v1 (active)" in result.output
    assert f"defs.yaml:{line_of(text, '- version: 1')}" in result.output  # the version's line
    assert "equal to the committed availability 99.9 %" in result.output
    assert "why: " in result.output
    assert "fix: raise api-slo's target to at least 99.95 %" in result.output
    assert "[backing-not-stricter]" in result.output
    assert "failed: 1 error, 0 warnings" in result.output


def test_a_rolling_28d_slo_behind_a_berlin_month(tmp_path: Path) -> None:
    ws = write(tmp_path, workspace_text(window=ROLLING_28D))
    code, doc = lint_json(str(ws))
    assert (code, found(doc)) == (0, [("window-mismatch", "warning")])
    findings = doc["findings"]
    assert isinstance(findings, list)
    (finding,) = findings
    assert finding["slo"] == "api-slo"
    assert "28d is shorter than a 31-day month" in finding["message"]
    # for an installed user: the command that prints the code's section, and its stable
    # anchor in the error reference the package ships (not a repository path)
    assert finding["explain"] == "covenant explain window-mismatch"
    assert finding["docs"] == "errors.md#window-mismatch"
    explained = runner.invoke(main_app, finding["explain"].split()[1:])
    assert explained.exit_code == 0
    assert explained.stdout.startswith("window-mismatch\n")
    headings = errors_md().read_text(encoding="utf-8").splitlines()
    assert "### " + finding["docs"].removeprefix("errors.md#") in headings
    assert runner.invoke(APP, ["lint", str(ws), "--strict"]).exit_code == 1


def test_a_rolling_month_slo_behind_a_berlin_month_is_a_rolling_30_days(tmp_path: Path) -> None:
    """A rolling ``1M`` is read as 30 days (docs/definitions.md): the agreement bridge judges
    it as it judges a rolling 30d, which is not the contract's calendar month."""
    window = "    - duration: 1M\n      isRolling: true"
    ws = write(tmp_path, workspace_text(window=window))
    code, doc = lint_json(str(ws))
    assert (code, found(doc)) == (0, [("window-mismatch", "warning")])
    findings = doc["findings"]
    assert isinstance(findings, list)
    (finding,) = findings
    assert "30d is shorter than a 31-day month" in finding["message"]


def test_draft_findings_are_marked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(lint_cmds, "console", Console(width=300))
    ws = write(tmp_path, workspace_text(status="draft", target="99.9"))
    code, doc = lint_json(str(ws))
    findings = doc["findings"]
    assert isinstance(findings, list)
    assert code == 1
    assert [(f["status"], f["pending"]) for f in findings] == [("draft", True)]
    result = runner.invoke(APP, ["lint", str(ws)])
    assert "not signed yet" in result.output


def test_support_without_calendar(tmp_path: Path) -> None:
    ws = write(tmp_path, workspace_text(support=SUPPORT))
    code, doc = lint_json(str(ws))
    assert code == 0
    assert found(doc) == [("support-without-calendar", "warning")]


def test_the_workspace_option_and_an_invalid_workspace(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ws = write(tmp_path, workspace_text(target="99.9"))
    assert runner.invoke(APP, ["lint", "-w", str(ws)]).exit_code == 1
    monkeypatch.chdir(ws)
    assert runner.invoke(APP, ["lint"]).exit_code == 1  # the current folder by default
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "defs.yaml").write_text(
        workspace_text().replace("backedBy: [api-slo]", "backedBy: [ghost]"), encoding="utf-8"
    )
    result = runner.invoke(APP, ["lint", str(broken)])
    assert result.exit_code == 1
    assert "missing-reference" in result.output  # validation catches unknown names first


@pytest.mark.parametrize("args", [["--margin", "-1"], ["--margin", "x"], ["--format", "xml"]])
def test_usage_errors_exit_2(tmp_path: Path, args: list[str]) -> None:
    ws = write(tmp_path, workspace_text())
    assert runner.invoke(APP, ["lint", str(ws), *args]).exit_code == 2


def test_a_missing_path_is_a_usage_error(tmp_path: Path) -> None:
    assert runner.invoke(APP, ["lint", str(tmp_path / "nope")]).exit_code == 2


def test_the_service_reads_a_workspace_from_text() -> None:
    text = workspace_text(target="99.92")
    workspace, problems = analyse_text(text, file="ws.yaml")
    assert workspace is not None, problems
    (finding,) = lint_workspace(workspace)
    where = f"ws.yaml:{line_of(text, '- version: 1')}"
    assert (finding.code, finding.where) == ("margin-too-small", where)
    assert lint_workspace(workspace, required_margin=Fraction(1, 100)) == []


def test_parse_margin_is_exact() -> None:
    assert parse_margin("0.05") == Fraction(1, 20)
    assert parse_margin(" 0.1 pp") == Fraction(1, 10)
    with pytest.raises(ValueError, match="between 0 and 100"):
        parse_margin("100")


SETTINGS = """\
---
apiVersion: covenant/v1
kind: Settings
metadata: {name: workspace}
spec:
  requiredMargin: 0.1
"""


def test_the_workspace_settings_set_the_required_margin(tmp_path: Path) -> None:
    folder = write(tmp_path, workspace_text() + SETTINGS)  # 99.95 % behind 99.9 %: 0.05 points
    code, doc = lint_json(str(folder))
    assert code == 0
    assert found(doc) == [("margin-too-small", "warning")]
    assert doc["required_margin"] == {"points": "0.1", "exact": "1/10"}
    code, doc = lint_json(str(folder), "--margin", "0.05")  # the flag wins over the workspace
    assert found(doc) == []


def test_a_second_settings_document_is_a_problem(tmp_path: Path) -> None:
    folder = write(tmp_path, workspace_text() + SETTINGS + SETTINGS)
    result = runner.invoke(APP, ["lint", str(folder)])
    assert result.exit_code == 1
    assert "duplicate-settings" in result.output


def test_the_wide_table_names_the_explain_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(lint_cmds, "console", Console(width=300))
    ws = write(tmp_path, workspace_text(window=ROLLING_28D))
    result = runner.invoke(APP, ["lint", str(ws), "--wide"])
    assert result.exit_code == 0, result.output
    assert "run: covenant explain window-mismatch" in result.output
    assert "docs/errors.md" not in result.output


def test_the_help_names_the_default_margin() -> None:
    from covenant.core.lint_findings import DEFAULT_MARGIN, points  # noqa: PLC0415

    assert points(DEFAULT_MARGIN) == lint_cmds.DEFAULT_MARGIN_TEXT == "0.05"
