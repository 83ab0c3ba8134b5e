"""`-f json` works wherever `--format` does. `evaluate -f json`, `report sla -f json` and a
dozen others took `-f`, but `validate`, `ingest events|tickets|incidents|prometheus` and
`import sloth|pyrra|slo-generator` answered "No such option: -f" to a user who had just used
it with `evaluate` (docs/ingest.md writes `--format`; the short form is the same option)."""

from __future__ import annotations

from typing import Any

import typer

from covenant.cli.main import app


def _options_named_format() -> list[tuple[str, list[str]]]:
    found: list[tuple[str, list[str]]] = []

    def walk(command: Any, words: list[str]) -> None:
        if hasattr(command, "commands"):
            for name, sub in command.commands.items():
                walk(sub, [*words, name])
            return
        found.extend(
            (" ".join(words), list(param.opts))
            for param in command.params
            if "--format" in getattr(param, "opts", ())
        )

    walk(typer.main.get_command(app), [])
    return found


def test_every_format_option_has_the_short_form_f() -> None:
    found = _options_named_format()
    assert len(found) >= 20  # every command with an output format is seen
    assert [command for command, opts in found if "-f" not in opts] == []
