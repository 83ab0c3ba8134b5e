"""``covenant rules prometheus --level N``: the recording rules one dependency level at a time,
for back-filling history with ``promtool tsdb create-blocks-from rules``.

docs/prometheus-rules.md told a stranger to back-fill "one dependency level at a time (minute
counts; window counts …)" and gave no way to cut the 74 rules of two SLOs into levels: the
integration test had its own splitter, a user had to write one. Here each level of the example
workspace (a rolling and a calendar-month SLO, a latency SLI) is checked against the whole rule
file: every recording rule is in exactly one level, in its own group (same name and interval,
so it evaluates at the live group's offset), no alert is, and a level reads only recordings of
the levels before it. The back-fill itself, level by level into a real Prometheus, is
tests/services/test_prom_rules_server.py.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from covenant.cli.main import app

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "prometheus"
NAME = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*")
STRING = re.compile(r'"(?:[^"\\]|\\.)*"')


def _rules(args: list[str]) -> tuple[dict[str, Any], str]:
    done = CliRunner().invoke(app, ["rules", "prometheus", "-w", str(EXAMPLE), *args])
    assert done.exit_code == 0, done.output
    return yaml.safe_load(done.stdout), done.stderr


def _recordings(doc: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    return [
        (g["name"], g["interval"], r["record"], r["expr"])
        for g in doc["groups"]
        for r in g["rules"]
        if "record" in r
    ]


def test_every_recording_rule_is_in_one_level_reading_only_the_levels_before_it() -> None:
    whole, _ = _rules([])
    recorded = {r["record"] for g in whole["groups"] for r in g["rules"] if "record" in r}
    levels: list[dict[str, Any]] = []
    notes: list[str] = []
    while True:
        done = CliRunner().invoke(
            app, ["rules", "prometheus", "-w", str(EXAMPLE), "--level", str(len(levels) + 1)]
        )
        if done.exit_code != 0:
            break
        levels.append(yaml.safe_load(done.stdout))
        (note,) = [line for line in done.stderr.splitlines() if line.startswith("level ")]
        notes.append(note)
    assert len(levels) >= 3  # minute counts, window counts, ratios at least
    assert done.exit_code == 2
    assert f"--level {len(levels) + 1}: the rules have {len(levels)} levels" in done.output
    # every recording rule of the whole file, once, in its own group
    split = [rule for level in levels for rule in _recordings(level)]
    assert sorted(split) == sorted(_recordings(whole))
    for level in levels:
        assert all("alert" not in r for g in level["groups"] for r in g["rules"])
    # a level reads only recordings written by the levels before it (not by itself or later)
    written: set[str] = set()
    for k, level in enumerate(levels, start=1):
        mine = {r for _, _, r, _ in _recordings(level)}
        for _, _, record, expr in _recordings(level):
            reads = set(NAME.findall(STRING.sub("", expr))) & recorded - {record}
            assert reads <= written, (k, record, reads - written)
        written |= mine
    assert notes[0].startswith("level 1 of ")
    assert "reading no other recording (the SLIs' metrics)" in notes[0]
    assert "then write level 2 to the same path" in notes[0]
    assert "then write the whole rule file (without --level) to the same path" in notes[-1]


def test_each_level_passes_promtool(promtool: str, tmp_path: Path) -> None:
    level = 1
    while True:
        done = CliRunner().invoke(
            app, ["rules", "prometheus", "-w", str(EXAMPLE), "--level", str(level)]
        )
        if done.exit_code != 0:
            break
        path = tmp_path / "rules.yml"
        path.write_text(done.stdout, encoding="utf-8")
        checked = subprocess.run(
            [promtool, "check", "rules", str(path)], capture_output=True, text=True, check=False
        )
        assert checked.returncode == 0, checked.stdout + checked.stderr
        level += 1
    assert level > 3


@pytest.mark.parametrize("other", [["--format", "prometheusrule"], ["--tests", "t.yml"]])
def test_a_level_is_a_rule_file_for_promtool_only(other: list[str], tmp_path: Path) -> None:
    if other[0] == "--tests":
        other = ["--tests", str(tmp_path / "t.yml")]
    done = CliRunner().invoke(
        app, ["rules", "prometheus", "-w", str(EXAMPLE), "--level", "1", *other]
    )
    assert done.exit_code == 2
    assert f"--level writes a rule file to back-fill with promtool, not with {other[0]}" in (
        done.output
    )
    assert not (tmp_path / "t.yml").exists()
