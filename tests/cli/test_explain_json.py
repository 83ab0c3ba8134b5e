"""`covenant explain [CODE] --format json` prints the error reference as ``GET /api/v1/errors``
and ``GET /api/v1/errors/{code}`` answer it: every code with its group and summary, or one
code's group and text. docs/errors.md is read here by hand (its ``##`` groups and ``###``
codes) for the values expected. An unknown code under ``-f json`` is ``{"error": …}`` on stdout
(``not-found``, naming the codes spelled like it) and exit 2, as it exits in words."""

from __future__ import annotations

import json
import re

from typer.testing import CliRunner

from covenant.cli.main import app as cli
from tests.conftest import ROOT

WIDE = {"COLUMNS": "2000"}


def _documented() -> list[tuple[str, str]]:
    """Every ``### code`` of docs/errors.md with its ``## group`` heading, in order."""
    group = ""
    found = []
    for line in (ROOT / "docs" / "errors.md").read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            group = line[3:].strip()
        elif re.fullmatch(r"### [a-z0-9-]+", line):
            found.append((line[4:], group))
    return found


def test_the_list_holds_every_documented_code_with_its_group() -> None:
    printed = CliRunner().invoke(cli, ["explain", "--format", "json"], env=WIDE)
    assert printed.exit_code == 0, printed.output
    document = json.loads(printed.stdout)
    assert set(document) == {"errors"}
    rows = document["errors"]
    documented = _documented()
    assert len(documented) > 100  # the reading above found the reference
    assert [(r["code"], r["group"]) for r in rows] == documented
    assert all(set(r) == {"code", "group", "summary"} and r["summary"] for r in rows)
    [syntax] = [r for r in rows if r["code"] == "yaml-syntax"]
    assert syntax["summary"].startswith("The YAML cannot be parsed (line given).")


def test_one_code_is_its_group_and_text() -> None:
    printed = CliRunner().invoke(cli, ["explain", "[YAML-Syntax]", "-f", "json"], env=WIDE)
    assert printed.exit_code == 0, printed.output
    found = json.loads(printed.stdout)
    assert set(found) == {"code", "group", "text"}
    assert found["code"] == "yaml-syntax"
    assert found["group"] == dict(_documented())["yaml-syntax"]
    assert found["text"].startswith("The YAML cannot be parsed (line given). Fix: fix indentation")
    assert "often means a file cut short or binary data" in found["text"]


def test_an_unknown_code_under_json_is_an_error_document_and_exit_2() -> None:
    printed = CliRunner().invoke(cli, ["explain", "yaml-sintax", "--format", "json"], env=WIDE)
    assert printed.exit_code == 2
    error = json.loads(printed.stdout)["error"]
    assert error["code"] == "not-found"
    assert "'yaml-sintax' is not a Covenant error or problem code" in error["message"]
    assert "yaml-syntax" in error["message"]  # spelled like it
    assert "covenant explain" in error["hint"]


def test_an_unknown_code_without_json_keeps_stdout_empty() -> None:
    printed = CliRunner().invoke(cli, ["explain", "yaml-sintax"], env=WIDE)
    assert printed.exit_code == 2
    assert printed.stdout == ""
    assert "did you mean: yaml-syntax" in printed.stderr
