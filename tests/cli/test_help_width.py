"""Help pages read on an 80-column terminal: prose flows to the edge, no option name is cut."""

from __future__ import annotations

from itertools import pairwise
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from covenant.cli.app import flowing
from covenant.cli.main import app

runner = CliRunner()
WIDTH = 80
BORDERS = ("│", "╭", "╰")


def _pages() -> list[tuple[list[str], Any]]:
    """Every command (not group) with its words, from the click tree of the built app (typer's
    own click: its classes are not the ``click`` package's)."""
    out: list[tuple[list[str], Any]] = []

    def walk(command: Any, words: list[str]) -> None:
        if hasattr(command, "commands"):
            for name, sub in command.commands.items():
                walk(sub, [*words, name])
        else:
            out.append((words, command))

    walk(typer.main.get_command(app), [])
    return out


PAGES = _pages()


def _help(words: list[str]) -> str:
    result = runner.invoke(app, [*words, "--help"], env={"COLUMNS": str(WIDTH)})
    assert result.exit_code == 0, result.output
    return result.output


def test_flowing_joins_the_lines_of_a_paragraph_and_keeps_paragraphs() -> None:
    doc = """Summary line.

    First paragraph, wrapped
    at some width.

    Second one."""
    assert flowing(doc) == "Summary line.\n\nFirst paragraph, wrapped at some width.\n\nSecond one."


def test_flowing_keeps_a_laid_out_paragraph() -> None:
    listed = "Summary.\n\nThese:\n- one\n- two"
    indented = "Summary.\n\nRun:\n    covenant demo"
    kept = "Summary.\n\n\b\nline one\nline two"
    for doc in (listed, indented, kept):
        assert flowing(doc) == doc


@pytest.mark.parametrize(("words", "command"), PAGES, ids=[" ".join(w) for w, _ in PAGES])
def test_help_prose_fills_the_line_and_names_every_option_in_full(
    words: list[str], command: Any
) -> None:
    page = _help(words)
    lines = page.splitlines()
    assert all(len(line) <= WIDTH for line in lines), words
    assert "``" not in page, (words, "a docstring's reStructuredText markup printed as is")
    prose = [line.rstrip() for line in lines if not line.lstrip().startswith(BORDERS)]
    for line, following in pairwise(prose):
        # a line of a paragraph that goes on is wrapped by the terminal's width: the next
        # word did not fit in the 78 columns inside the page's one-space margins
        if line.strip() and following.strip() and not line.lstrip().startswith("Usage:"):
            next_word = following.split()[0]
            assert len(line) + 1 + len(next_word) > WIDTH - 1, (words, line, following)
    for param in command.params:
        if param.param_type_name == "option" and not param.hidden:
            for name in param.opts:
                assert name in page, (words, name)
            assert f"{param.opts[0]},--" not in page, (words, "names joined in one cell")
