"""A command killed (SIGKILL) while it writes its output file leaves the old file, whole.

An operator's `kill -9`, an OOM kill or a power cut in the middle of `dashboards grafana
--out DIR`, `report sla -o FILE` or `export openslo -o FILE` used to leave the file cut short
(written in place): Grafana loaded half a dashboard, a customer could be sent half a PDF.
Now every output file is written beside the target and renamed over it once complete, so
after the kill the path holds the old file byte for byte, and running the command again
gives what an uninterrupted run gives. `rules prometheus --out` already did; it is checked
alongside. The kill is real (see tests/stalled_write.py).
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from covenant.cli.main import app
from tests.stalled_write import killed_while_writing

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def shop(tmp_path: Path) -> Path:
    ws = tmp_path / "shop"
    shutil.copytree(ROOT / "examples" / "shop", ws, ignore=shutil.ignore_patterns(".covenant"))
    return ws


def _run(*args: str) -> None:
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 0, result.output


def _change_targets(ws: Path) -> None:
    """Another objective for every SLO of 0.999: the generated files change."""
    slos = ws / "slos.yaml"
    text = slos.read_text(encoding="utf-8")
    assert "target: 0.999\n" in text
    slos.write_text(text.replace("target: 0.999\n", "target: 0.998\n"), encoding="utf-8")


def _files(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir())}


def _visible(folder: Path) -> dict[str, bytes]:
    """The files a tool reading the folder picks up (not hidden temporary ones)."""
    return {name: data for name, data in _files(folder).items() if not name.startswith(".")}


def test_dashboards_killed_while_written_keep_the_old_ones(shop: Path, tmp_path: Path) -> None:
    out = tmp_path / "dashboards"
    _run("dashboards", "grafana", "-w", str(shop), "--out", str(out))
    before = _files(out)
    assert "checkout.json" in before
    _change_targets(shop)
    fresh = tmp_path / "fresh"
    _run("dashboards", "grafana", "-w", str(shop), "--out", str(fresh))
    assert _files(fresh) != before  # the change shows in the dashboards

    command = ["dashboards", "grafana", "-w", str(shop), "--out", str(out)]
    killed_while_writing(command, "checkout.json", cwd=tmp_path)
    assert _visible(out) == before

    _run(*command)
    assert _visible(out) == _files(fresh)


def test_rules_killed_while_written_keep_the_old_file(shop: Path, tmp_path: Path) -> None:
    out = tmp_path / "rules.yml"
    _run("rules", "prometheus", "-w", str(shop), "--out", str(out))
    before = out.read_bytes()
    _change_targets(shop)
    fresh = tmp_path / "fresh.yml"
    _run("rules", "prometheus", "-w", str(shop), "--out", str(fresh))
    assert fresh.read_bytes() != before

    command = ["rules", "prometheus", "-w", str(shop), "--out", str(out)]
    killed_while_writing(command, "rules.yml", cwd=tmp_path)
    assert out.read_bytes() == before

    _run(*command)
    assert out.read_bytes() == fresh.read_bytes()


def test_export_killed_while_written_keeps_the_old_file(shop: Path, tmp_path: Path) -> None:
    out = tmp_path / "openslo.yaml"
    _run("export", "openslo", "-w", str(shop), "-o", str(out))
    before = out.read_bytes()
    _change_targets(shop)
    fresh = tmp_path / "fresh.yaml"
    _run("export", "openslo", "-w", str(shop), "-o", str(fresh))
    assert fresh.read_bytes() != before

    command = ["export", "openslo", "-w", str(shop), "-o", str(out)]
    killed_while_writing(command, "openslo.yaml", cwd=tmp_path)
    assert out.read_bytes() == before

    _run(*command)
    assert out.read_bytes() == fresh.read_bytes()


@pytest.mark.parametrize("fmt", ["html", "json"])
def test_statement_killed_while_written_keeps_the_old_file(
    shop: Path, tmp_path: Path, fmt: str
) -> None:
    _run("agreements", "sync", "-w", str(shop))
    out = tmp_path / f"statement.{fmt}"
    old = b"the statement sent last month\n"
    out.write_bytes(old)
    fresh = tmp_path / f"fresh.{fmt}"
    args = ["-c", "globex", "-p", "2026-10", "--at", "2026-11-05T00:00:00Z", "-f", fmt]
    _run("report", "sla", "-w", str(shop), *args, "-o", str(fresh))

    command = ["report", "sla", "-w", str(shop), *args, "-o", str(out)]
    killed_while_writing(command, out.name, cwd=tmp_path)
    assert out.read_bytes() == old

    _run(*command)
    assert out.read_bytes() == fresh.read_bytes()


def test_init_killed_while_writing_can_be_run_again(tmp_path: Path) -> None:
    """`init` killed between its files left some of them, and then refused to run again
    ("already exist; nothing was written"): now it writes all or none."""
    fresh = tmp_path / "fresh"
    _run("init", str(fresh))
    ws = tmp_path / "ws"
    killed_while_writing(["init", str(ws)], "slos.yaml", cwd=tmp_path)
    assert not [p for p in ws.rglob("*") if p.is_file() and not p.name.startswith(".")]

    left = [p.name for p in ws.rglob("*") if p.is_file()]
    made = r"\.slos\.yaml\.covenant-[a-z0-9_]{8}\.tmp"
    assert any(re.fullmatch(made, name) for name in left), left

    _run("init", str(ws))  # removes the temporary files the killed run left (its lock is gone)
    made = {p.relative_to(ws): p.read_bytes() for p in ws.rglob("*") if p.is_file()}
    assert made == {p.relative_to(fresh): p.read_bytes() for p in fresh.rglob("*") if p.is_file()}


def test_the_next_write_removes_the_temporary_file_a_killed_one_left(
    shop: Path, tmp_path: Path
) -> None:
    out = tmp_path / "openslo.yaml"
    command = ["export", "openslo", "-w", str(shop), "-o", str(out)]
    killed_while_writing(command, out.name, cwd=tmp_path)
    (left,) = [p.name for p in tmp_path.iterdir() if p.name.startswith(".openslo.yaml.")]
    assert left.endswith(".tmp")
    _run(*command)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["openslo.yaml", "shop"]
