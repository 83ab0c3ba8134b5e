"""Ctrl-C in the first tenth of a second, while the command's modules are still being
imported (typer, rich, pydantic), printed a Python traceback of the import machinery and
ended with the signal (-2 seen by the parent) instead of 130 as every interrupted command
does. `main` ends such an interrupt quietly with 130 (128 + SIGINT), as a shell reports it."""

from __future__ import annotations

import pytest

from covenant.cli import main as cli_main


def test_ctrl_c_before_the_command_runs_ends_with_130_and_no_traceback(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def interrupted_import() -> None:
        raise KeyboardInterrupt  # what the SIGINT handler raises inside `import typer`

    monkeypatch.setattr(cli_main, "_run", interrupted_import)
    with pytest.raises(SystemExit) as done:
        cli_main.main()
    assert done.value.code == 130  # 128 + SIGINT (2)
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    assert captured.out == ""
