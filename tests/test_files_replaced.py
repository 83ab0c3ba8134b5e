"""``covenant.files_replaced``: several files replaced whole or not at all."""

from __future__ import annotations

from pathlib import Path

import pytest

from covenant.files_replaced import write_all_replacing


def test_a_refused_rename_puts_back_the_files_already_replaced(tmp_path: Path) -> None:
    """The third file's rename is refused (a folder stands where it goes) after the first two
    were renamed into place: the first is the old file again, the second (new) is gone."""
    old = tmp_path / "a.yaml"
    old.write_text("old a\n", encoding="utf-8")
    new = tmp_path / "b.yaml"
    blocked = tmp_path / "c.yaml"
    blocked.mkdir()
    with pytest.raises(IsADirectoryError) as raised:
        write_all_replacing([(old, ["new a\n"]), (new, ["new b\n"]), (blocked, ["new c\n"])])
    assert raised.value.filename == str(blocked)
    assert old.read_text(encoding="utf-8") == "old a\n"
    assert not new.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.yaml", "c.yaml"]


def test_files_written_together_are_all_replaced(tmp_path: Path) -> None:
    old = tmp_path / "a.yaml"
    old.write_text("old a\n", encoding="utf-8")
    new = tmp_path / "b.yaml"
    write_all_replacing([(old, ["new ", "a\n"]), (new, [b"new b\n"])])
    assert old.read_text(encoding="utf-8") == "new a\n"
    assert new.read_text(encoding="utf-8") == "new b\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.yaml", "b.yaml"]
