"""Whether a command line asks for JSON is read as Click reads it: a ``-f`` that is the value
of another option (``--slo -fjson``, ``-o -f``), or that follows ``--``, asks for nothing;
``-f json``, ``-fjson``, ``--format json`` and ``--format=json`` do, the last one counting.
Before, the words of the command line were scanned for ``-f`` without knowing which options
take a value, and a value that looked like ``-f json`` turned every refusal into JSON."""

from __future__ import annotations

from pathlib import Path

import pytest
import typer.main

from covenant.cli.app import build_app
from covenant.cli.jsonmode_click import asks_for_json_in
from tests.cli.test_json_refusals import _run, ws  # noqa: F401 (a fixture)

ROOT = typer.main.get_command(build_app())


@pytest.mark.parametrize(
    ("args", "asked"),
    [
        (["evaluate", "-f", "json"], True),
        (["evaluate", "--format", "json"], True),
        (["evaluate", "--format=json"], True),
        (["evaluate", "-fjson"], True),
        (["evaluate", "-w", "ws", "-fjson"], True),
        (["evaluate", "-wws", "-f", "json"], True),
        (["evaluate", "-f", "json", "-f", "table"], False),
        (["evaluate", "-f", "table", "--format=json"], True),
        (["evaluate", "-f", "json", "--bogus"], True),  # the rest need not be valid
        (["evaluate", "--bogus", "-f", "json"], True),
        (["evaluate", "-f", "json", "--slo"], True),  # a missing value at the end
        (["evaluate", "-f"], False),
        (["evaluate", "-f", "JSON"], False),
        (["evaluate", "json"], False),
        # a value of another option, however it looks, is no --format
        (["evaluate", "--slo", "-fjson"], False),
        (["evaluate", "--slo", "-f json"], False),
        (["evaluate", "--slo=-fjson"], False),
        (["evaluate", "--slo", "--format=json"], False),
        (["evaluate", "-wfjson"], False),  # -w takes "fjson"
        (["evaluate", "-w", "-f", "json"], False),  # -w takes "-f"; json is an argument
        (["report", "sla", "-o", "-f", "json"], False),
        (["report", "sla", "-o", "-f"], False),
        (["rules", "prometheus", "-o", "-f", "json"], False),
        (["export", "openslo", "-o", "-f", "json"], False),
        (["agreements", "show", "gold", "--at", "-fjson"], False),
        # after --, everything is an argument
        (["evaluate", "--", "-f", "json"], False),
        (["ingest", "events", "--", "-fjson"], False),
        (["ingest", "events", "x.csv", "-fjson"], True),
        (["agreements", "list", "-f", "json"], True),
        (["suggest", "slo", "-f", "table", "-f", "json"], True),
    ],
)
def test_what_asks_for_json_as_click_reads_it(args: list[str], asked: bool) -> None:
    assert asks_for_json_in(ROOT, args) is asked


def test_a_value_that_looks_like_format_json_keeps_a_usage_error_words(
    ws: Path,  # noqa: F811
) -> None:
    done = _run(["evaluate", "--slo", "-fjson", "-w", "nowhere"], ws)
    assert done.returncode == 2, done.stderr
    assert done.stdout == ""
    assert "nowhere" in done.stderr


def test_the_fast_evaluate_reads_it_as_click_does(ws: Path) -> None:  # noqa: F811
    (ws / "broken.yaml").write_text("apiVersion: [\n", encoding="utf-8")
    done = _run(["evaluate", "--slo", "-fjson"], ws)
    assert done.returncode == 1, done.stderr
    assert done.stdout == ""
    assert "broken.yaml" in done.stderr
    asked = _run(["evaluate", "--slo", "x", "-fjson"], ws)
    assert asked.returncode == 1, asked.stderr
    assert '"invalid-definition"' in asked.stdout


def test_report_output_named_like_an_option_is_no_json(ws: Path) -> None:  # noqa: F811
    done = _run(["report", "sla", "-o", "-f", "json", "--bogus"], ws)
    assert done.returncode == 2, done.stderr
    assert done.stdout == ""
