"""`covenant ingest --help` names the commands there are.

It said "request events, pre-counted buckets, tickets, incidents": there is no command for
pre-counted buckets (pre-counted good/total rows go through `ingest events`), and the
Prometheus read was not named at all.
"""

from __future__ import annotations

import re

import typer
from typer.testing import CliRunner

from covenant.cli.main import app


def test_the_ingest_help_names_each_of_its_commands_and_no_other() -> None:
    group = typer.main.get_command(app).commands["ingest"]  # type: ignore[attr-defined]
    assert isinstance(group.help, str)
    _, _, listed = group.help.rstrip(".").partition(": ")
    items = re.sub(r"\([^)]*\)", "", listed).split(",")  # "events (…)" → "events"
    named = [item.strip() for item in items]
    assert sorted(named) == sorted(group.commands)
    assert sorted(named) == ["events", "incidents", "prometheus", "tickets"]
    assert "events (raw or pre-counted good/total rows)" in group.help  # where they go
    shown = CliRunner().invoke(app, ["ingest", "--help"], env={"COLUMNS": "200"})
    assert shown.exit_code == 0
    assert (
        "Bring data into the store: events (raw or pre-counted good/total rows), prometheus, "
        "tickets, incidents."
    ) in shown.output
