"""docs/ui.md's "What the UI covers" names every command of the CLI (where the UI does the same,
or why it does not): a new command cannot be left out of it."""

from __future__ import annotations

import json
import re

from tests.conftest import ROOT


def leaf_commands() -> set[str]:
    """Every command the CLI runs (not a group), as ``covenant --help`` pages name them."""
    pages = json.loads((ROOT / "src" / "covenant" / "cli" / "help_model.json").read_text())
    names = [name for name in pages["pages"] if name]
    return {n for n in names if not any(other.startswith(n + " ") for other in names)}


def covered_commands() -> set[str]:
    """The commands the table's first column names (`` `tickets list` ``, ``, `` `…` ``)."""
    text = (ROOT / "docs" / "ui.md").read_text()
    table = text.split("## What the UI covers", 1)[1].split("\n### ", 1)[0]
    found: set[str] = set()
    for line in table.splitlines():
        if line.startswith("| `"):
            first = line.split(" | ", 1)[0]
            found.update(re.findall(r"`([a-z][a-z -]*[a-z])(?: \[[A-Z]+\])?`", first))
    return found


def test_every_command_has_a_row() -> None:
    commands = leaf_commands()
    assert "tickets list" in commands  # the help model read as meant
    assert commands - covered_commands() == set()
