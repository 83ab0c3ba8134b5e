"""`covenant demo DIR` where DIR cannot be created (its parent is a file, or a folder this user
may not write): the demo made the store's folder first and ended in a traceback
(`NotADirectoryError`, `PermissionError`). It is an error with the fix now, nothing written."""

from __future__ import annotations

from pathlib import Path

import pytest

from covenant.cli.main import app
from tests.cli.starter import runner


def test_a_demo_folder_under_a_file_is_an_error_not_a_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("COVENANT_DATABASE_URL", raising=False)
    (tmp_path / "notes.txt").write_text("a file, not a folder\n")
    result = runner.invoke(app, ["demo", "notes.txt/demo", "--days", "1"])
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    said = " ".join(result.stderr.split())
    assert "cannot write the demo into notes.txt/demo" in said, said
    assert "Not a directory" in said, said
    assert "choose a folder you can write to" in said, said
    assert "run: covenant explain invalid-input" in said, said
    assert (tmp_path / "notes.txt").read_text() == "a file, not a folder\n"
