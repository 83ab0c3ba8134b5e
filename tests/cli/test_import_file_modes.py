"""A forced re-import replaces its file with the general kill-safe writer
(``covenant.files_replaced``): the file keeps its permissions, a file made read-only is refused
(root too) with nothing written, and no temporary file is left beside it."""

from __future__ import annotations

import stat
from pathlib import Path

from typer.testing import CliRunner

from covenant.cli.main import app

runner = CliRunner()


def _imported(corpus: Path, into: Path) -> tuple[list[str], Path]:
    command = ["import", "sloth", str(corpus / "sloth/getting-started.yml"), "--into", str(into)]
    first = runner.invoke(app, command)
    assert first.exit_code == 0, first.output
    return [*command, "--force"], into / "sloth-getting-started.yaml"


def test_a_forced_reimport_keeps_the_file_permissions(corpus: Path, tmp_path: Path) -> None:
    forced, written = _imported(corpus, tmp_path / "ws")
    written.chmod(0o640)
    result = runner.invoke(app, forced)
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(written.stat().st_mode) == 0o640
    assert [p.name for p in written.parent.iterdir()] == [written.name]


def test_a_read_only_file_is_not_replaced(corpus: Path, tmp_path: Path) -> None:
    forced, written = _imported(corpus, tmp_path / "ws")
    before = written.read_text(encoding="utf-8") + "# my note\n"
    written.write_text(before, encoding="utf-8")
    written.chmod(0o444)
    result = runner.invoke(app, forced)
    assert result.exit_code == 1, result.output
    assert f"cannot write {written.name} into" in result.output
    assert "Permission denied; nothing was written" in result.output
    assert written.read_text(encoding="utf-8") == before
    assert [p.name for p in written.parent.iterdir()] == [written.name]
