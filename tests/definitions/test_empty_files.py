"""A definitions file that defines nothing says so: a warning, not a silent pass.

An empty file, one of only comments, or one of only `---` separators read as valid with
nothing to say (a `---` alone even read as an invalid "expected a mapping" document).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from covenant.definitions.workspace import analyse, analyse_text

SLO_FILE = Path(__file__).parents[2] / "examples" / "shop" / "slos.yaml"


@pytest.mark.parametrize(
    "text", ["", "\n\n", "# nothing here yet\n", "---\n", "---\n---\n", "--- # only this\n..."]
)
def test_a_file_without_documents_is_a_warning_naming_it(text: str) -> None:
    workspace, problems = analyse_text(text, file="empty.yaml")
    assert workspace is not None  # not an error: it defines nothing, and says so
    assert [(p.code, p.severity, p.where) for p in problems] == [
        ("no-documents", "warning", "empty.yaml")
    ]
    assert "holds no definition" in problems[0].message
    assert problems[0].fix == "write the definitions into it, or remove the file"


def test_empty_documents_between_definitions_are_nothing(tmp_path: Path) -> None:
    text = SLO_FILE.read_text()
    (tmp_path / "slos.yaml").write_text("---\n" + text + "\n---\n---\n")
    (tmp_path / "blank.yml").write_text("")
    _, with_blanks = analyse([tmp_path])
    (tmp_path / "blank.yml").unlink()
    (tmp_path / "slos.yaml").write_text(text)
    _, plain = analyse([tmp_path])
    blank = [p for p in with_blanks if p.code == "no-documents"]
    assert [p.where for p in blank] == [str(tmp_path / "blank.yml")]
    assert len(with_blanks) == len(plain) + 1  # the separators added nothing else
