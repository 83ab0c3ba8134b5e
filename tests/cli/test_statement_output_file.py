"""`covenant report sla -f json -o FILE` writes the statement to FILE and says so on standard
error, as `export openslo -o` and `rules prometheus -o` do. Before, "wrote FILE" went to
standard output, so a script asking for JSON read a line of words there."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from covenant.cli.main import app
from tests.cli.test_issue_statement import ISSUE_NOW, shop  # noqa: F401  (the fixture)


def test_the_written_file_is_named_on_stderr_and_stdout_stays_empty(
    shop: Path,  # noqa: F811
    tmp_path: Path,
) -> None:
    out = tmp_path / "statement.json"
    args = ["report", "sla", "-w", str(shop), "-c", "initech", "-p", "2026-11"]
    result = CliRunner().invoke(
        app, [*args, "-f", "json", "-o", str(out)], env={"COVENANT_NOW": ISSUE_NOW}
    )
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert result.stderr == f"wrote {out}\n"
    document = json.loads(out.read_text(encoding="utf-8"))
    assert (document["customer"], document["period"]) == ("initech", "2026-11")
