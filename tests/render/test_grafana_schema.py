"""The dashboards of ``covenant dashboards grafana`` are Grafana dashboards by Grafana's own
schema: each file type-checks as the ``Dashboard`` model of ``@grafana/schema`` (Grafana 13's
TypeScript types, from npm: scripts/install-schemas) under ``tsc --strict``, which
refuses a missing required field, a field of the wrong type and, in an object literal, a field
the model does not have. Grafana itself is not installable here; its schema is."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from covenant.services.dashboards import write_grafana_dashboards
from tests.availability import unavailable

ROOT = Path(__file__).resolve().parents[2]
MODULES = ROOT / ".cache" / "schemas" / "node_modules"
TYPES = MODULES / "@grafana" / "schema" / "dist" / "types" / "raw" / "dashboard" / "x"
ENUM = re.compile(r"export declare enum (\w+) \{([^}]*)\}")


def _typescript() -> tuple[str, Path]:
    node = shutil.which("node")
    tsc = MODULES / "typescript" / "bin" / "tsc"
    if node is None or not tsc.exists() or not (TYPES / "types.gen.d.ts").exists():
        unavailable("node or Grafana's schema missing: run scripts/install-schemas")
    assert node is not None
    return node, tsc


def _model(folder: Path) -> None:
    """Grafana's dashboard types with each enum as the union of its string values: a JSON
    dashboard writes ``"mode": "absolute"``, which a TypeScript enum type does not take."""

    def union(match: re.Match[str]) -> str:
        values = re.findall(r'=\s*("[^"]*"|-?\d+)', match.group(2))
        return f"export type {match.group(1)} = {' | '.join(values)};"

    text = (TYPES / "types.gen.d.ts").read_text(encoding="utf-8")
    assert ENUM.search(text), "the schema's enums are not where this test looks for them"
    (folder / "grafana.d.ts").write_text(ENUM.sub(union, text), encoding="utf-8")


def _check(folder: Path, boards: dict[str, object]) -> subprocess.CompletedProcess[str]:
    node, tsc = _typescript()
    _model(folder)
    files = []
    for name, board in boards.items():
        path = folder / f"check_{name}.ts"
        path.write_text(
            'import type { Dashboard } from "./grafana";\n'
            f"export const board: Dashboard = {json.dumps(board, indent=1)};\n",
            encoding="utf-8",
        )
        files.append(str(path))
    return subprocess.run(
        [node, str(tsc), "--noEmit", "--strict", "--skipLibCheck", *files],
        capture_output=True,
        text=True,
        check=False,
        cwd=folder,
        timeout=300,
    )


def _boards(workspace: Path, out: Path) -> dict[str, object]:
    written, _ = write_grafana_dashboards(workspace, out)
    assert written
    return {p.stem.replace("-", "_"): json.loads(p.read_text(encoding="utf-8")) for p in written}


@pytest.mark.parametrize("example", ["prometheus", "shop"])
def test_every_dashboard_is_a_grafana_dashboard_by_its_schema(tmp_path: Path, example: str) -> None:
    boards = _boards(ROOT / "examples" / example, tmp_path / "boards")
    done = _check(tmp_path, boards)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]


def test_the_check_refuses_a_field_grafana_does_not_have(tmp_path: Path) -> None:
    """The check can fail: a panel's ``gridPos`` misspelled, and a title that is a number."""
    boards = _boards(ROOT / "examples" / "prometheus", tmp_path / "boards")
    board = next(iter(boards.values()))
    assert isinstance(board, dict)
    board["panels"][1]["gridPosition"] = board["panels"][1].pop("gridPos")
    board["title"] = 7
    done = _check(tmp_path, {"broken": board})
    assert done.returncode != 0
    assert "gridPosition" in done.stdout
    assert "'number' is not assignable to type 'string'" in done.stdout
