"""`covenant validate` on YAML another tool (or a hand used to other formats) wrote: an alias to
an anchor of an earlier document (anchors end at `---`) and a tab in the indentation. Both were
answered "fix the YAML syntax (indentation, quoting, a missing ':')", which names neither."""

from __future__ import annotations

from pathlib import Path

import pytest

from covenant.cli.main import app
from tests.cli.starter import runner, starter_workspace

ACROSS = """\
apiVersion: covenant/v1
kind: SLO
metadata: {name: first}
spec: &base
  service: checkout
---
apiVersion: covenant/v1
kind: SLO
metadata: {name: second}
spec: *base
"""


def validate(ws: Path, name: str, text: str) -> str:
    (ws / name).write_text(text)
    result = runner.invoke(app, ["validate", str(ws)], env={"COLUMNS": "300"})
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    return " ".join(result.output.split())


def test_an_alias_to_an_earlier_documents_anchor_says_anchors_end_at_the_document(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    said = validate(starter_workspace(tmp_path, monkeypatch), "alias.yaml", ACROSS)
    assert "alias.yaml:10: invalid YAML: found undefined alias 'base'" in said, said
    assert "&base is in an earlier document" in said, said
    assert "an anchor reaches only to the end of its document ('---')" in said, said


def test_an_alias_to_no_anchor_at_all_says_to_define_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    said = validate(
        starter_workspace(tmp_path, monkeypatch), "alias.yaml", ACROSS.split("---\n")[1]
    )
    assert "found undefined alias 'base'" in said, said
    assert "define the anchor (&base) before the alias (*base)" in said, said


def test_a_tab_in_the_indentation_says_to_indent_with_spaces(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = "apiVersion: covenant/v1\nkind: SLO\nmetadata:\n\tname: tabbed\n"
    said = validate(starter_workspace(tmp_path, monkeypatch), "tab.yaml", text)
    assert "tab.yaml:4: invalid YAML" in said, said
    assert "indent with spaces: YAML does not allow tabs in indentation" in said, said
