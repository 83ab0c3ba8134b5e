"""The docs stay true to the code: every error code documented, the README's commands run."""

from __future__ import annotations

import json
import re
import shlex
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from typer.testing import CliRunner

from covenant.cli.main import app
from tests.conftest import ROOT

CODE_PATTERNS = (
    re.compile(r'code\s*=\s*"([a-z0-9-]+)"'),
    re.compile(r'^\s*_R_[A-Z_]+: \(\s*"([a-z0-9-]+)"', re.MULTILINE),
    re.compile(r'^\s*_R_[A-Z_]+: \(\n\s*"([a-z0-9-]+)"', re.MULTILINE),
)


def codes_in_source() -> set[str]:
    found: set[str] = set()
    for path in (ROOT / "src" / "covenant").rglob("*.py"):
        text = path.read_text()
        for pattern in CODE_PATTERNS:
            found.update(pattern.findall(text))
    return found


def test_every_error_code_has_an_entry_in_errors_md() -> None:
    documented = set(re.findall(r"^### ([a-z0-9-]+)$", (ROOT / "docs/errors.md").read_text(), re.M))
    codes = codes_in_source()
    assert len(codes) > 30  # the scan finds the codes at all
    assert codes - documented == set()


def test_readme_quick_start_is_two_commands() -> None:
    readme = (ROOT / "README.md").read_text()
    quick = readme.split("## Quick start", 1)[1].split("```sh", 1)[1].split("```", 1)[0]
    commands = [line.split("#")[0].strip() for line in quick.strip().splitlines()]
    assert commands == ["make run", "make test"]


def test_readme_doc_table_points_at_existing_files() -> None:
    readme = (ROOT / "README.md").read_text()
    for name in re.findall(r"\| `(docs/[^`]+)` \|", readme):
        assert (ROOT / name).exists(), name


def tour_commands() -> list[list[str]]:
    readme = (ROOT / "README.md").read_text()
    tour = readme.split("## A short tour", 1)[1]
    commands = []
    for block in re.findall(r"```sh\n(.*?)```", tour, re.S):
        for raw in block.splitlines():
            line = raw.split("  #")[0].strip()
            if line.startswith("covenant "):
                commands.append(shlex.split(line)[1:])
    return commands


def a_year_ahead(moment: str) -> datetime:
    ahead = datetime.now(UTC).replace(microsecond=0) + timedelta(days=365)
    if moment == "early on the 1st":  # a new month in UTC, still the last one in New York
        ahead = ahead.replace(day=1, hour=2, minute=0, second=0)
    return ahead


@pytest.mark.parametrize("moment", ["now", "early on the 1st"])
def test_readme_tour_runs_as_written_a_year_ahead(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, moment: str
) -> None:
    """The tour tells the same story on any date: run it as written with the clock (and so the
    demo's data) a year ahead, in an empty folder, as an installed user would."""
    ahead = a_year_ahead(moment)
    monkeypatch.setenv("COVENANT_NOW", ahead.isoformat())
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("COVENANT_DATABASE_URL", raising=False)
    monkeypatch.delenv("COVENANT_WORKSPACE", raising=False)
    runner = CliRunner()
    commands = tour_commands()
    assert commands[0] == ["demo"]
    assert len(commands) >= 15
    outputs = {}
    for args in commands:
        result = runner.invoke(app, args, terminal_width=100)
        expected = {3} if "--check" in args else {0}  # the demo's checkout pages: exit 3
        assert result.exit_code in expected, (args, result.output)
        assert "Traceback" not in result.output, args
        if result.exception is not None:
            assert isinstance(result.exception, SystemExit), (args, result.exception)
        if args == ["demo"] or "covenant-demo/shop" in args:  # the demo's story has data
            assert not re.search(r"\bno data\b", result.output, re.IGNORECASE), (
                args,
                result.output,
            )
            assert '"status": "no_data"' not in result.output, args
        if args[:2] == ["report", "sla"] and "initech" in args:
            # Initech states since when its incident records are kept (recordsFrom): none of
            # its months is "partial coverage"
            assert "partial" not in result.output, (args, result.output)
        outputs[shlex.join(args)] = result.output
    # the relative forms were taken from the clock a year ahead, not from today
    at = json.loads(outputs["evaluate -w covenant-demo/shop --format json --at -1d"])["at"]
    assert at == (ahead - timedelta(days=1)).isoformat().replace("+00:00", "Z")
    in_new_york = ahead.astimezone(ZoneInfo("America/New_York"))  # Initech's agreement zone
    this_month = f"{in_new_york.year:04d}-{in_new_york.month:02d}"
    assert (
        this_month
        in outputs["report sla -w covenant-demo/shop --customer initech --period this-month"]
    )
    last_month = outputs["report sla -w covenant-demo/shop --customer initech --period last-month"]
    assert "final" in last_month, last_month
    assert (tmp_path / "globex.html").is_file()


def test_the_self_alert_rules_in_worker_md_pass_promtool(promtool: str, tmp_path: Path) -> None:
    """docs/worker.md "Alerting on Covenant itself": the suggested rules are a rule file
    promtool accepts, naming only families of the metrics table; every family the page writes
    (``render.metrics`` and its ``metrics_*`` modules) is in that table."""

    text = (ROOT / "docs/worker.md").read_text()
    section = text.split("### Alerting on Covenant itself", 1)[1]
    rules = section.split("```yaml\n", 1)[1].split("```", 1)[0]
    table = text.split("## Metrics", 1)[1].split("### Alerting on Covenant itself", 1)[0]
    documented: set[str] = set()
    for cell in re.findall(r"^\| (`covenant_[^|]+)\|", table, re.M):
        names = re.findall(r"`(covenant_[a-z_]+)`", cell)
        stem = names[0].rsplit("_", 1)[0]  # `covenant_agreement_credit_owed`, `_expected`
        documented.update(names, (stem + s for s in re.findall(r"`(_[a-z_]+)`", cell)))
    assert set(re.findall(r"\bcovenant_[a-z_]+", rules)) <= documented
    written = {
        name
        for module in (ROOT / "src/covenant/render").glob("metrics*.py")
        for name in re.findall(r'"(covenant_[a-z_]+)"', module.read_text())
    }
    assert len(written) > 20  # the scan finds the families at all
    assert written <= documented
    path = tmp_path / "covenant-self.yml"
    path.write_text(rules, encoding="utf-8")
    done = subprocess.run(
        [promtool, "check", "rules", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "SUCCESS: 19 rules found" in done.stdout


def test_urls_with_a_query_are_quoted_in_shell_examples() -> None:
    """A `?` is a glob character: zsh (macOS's shell) answers an unquoted
    `http://…/statements/2026-11?format=html` with "no matches found" and runs nothing."""
    unquoted = []
    for doc in [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]:
        blocks = re.findall(r"^```(?:sh|console|bash)?\n(.*?)^```", doc.read_text(), re.M | re.S)
        for block in blocks:
            for line in block.splitlines():
                code = line.split(" # ")[0]
                urls = re.findall(r"(?<=[\s=])https?://\S*[?&*]\S*", f" {code}")
                unquoted.extend(f"{doc.relative_to(ROOT)}: {url}" for url in urls)
    assert unquoted == []
