"""``covenant.files_left``: only Covenant's own temporary files are removed as left, and the
old files a multi-file write keeps until its renames are made are held like them."""

from __future__ import annotations

import errno
import os
import re
from pathlib import Path

import pytest

from covenant import files_replaced
from covenant.files_left import held_temporary, remove_left
from covenant.files_replaced import write_all_replacing, write_replacing


def test_a_temporary_file_is_named_as_covenant_s_own(tmp_path: Path) -> None:
    target = tmp_path / "out.yaml"
    handle, name = held_temporary(target, target)
    os.close(handle)  # let go, as a killed writer does
    assert re.fullmatch(r"\.out\.yaml\.covenant-[a-z0-9_]{8}\.tmp", Path(name).name), name
    remove_left([target])
    assert list(tmp_path.iterdir()) == []


def test_a_user_s_file_named_like_a_temporary_file_is_never_removed(tmp_path: Path) -> None:
    # eight characters of the temporary files' alphabet between the name and .tmp: the user's
    # own (a dated copy), not Covenant's
    target = tmp_path / "report.pdf"
    own = tmp_path / ".report.pdf.20261205.tmp"
    own.write_text("mine\n", encoding="utf-8")
    write_replacing(target, ["new\n"])
    assert own.read_text(encoding="utf-8") == "mine\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == [own.name, "report.pdf"]


def test_an_old_file_kept_for_undoing_is_not_removed_by_another_writer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another process writing a.yaml removes the temporary files of a.yaml nobody holds, just
    as the second rename of this write is refused: a.yaml's old file, kept under a second name
    until then, is still there to be put back."""
    a, b = tmp_path / "a.yaml", tmp_path / "b.yaml"
    a.write_text("old a\n", encoding="utf-8")
    b.write_text("old b\n", encoding="utf-8")
    renamed = files_replaced._renamed
    calls: list[Path] = []

    def refused_second(temporary: str, target: Path, path: Path) -> None:
        calls.append(target)
        if len(calls) == 2:
            remove_left([Path(os.path.realpath(a))])  # the other writer, at this instant
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))
        renamed(temporary, target, path)

    monkeypatch.setattr(files_replaced, "_renamed", refused_second)
    with pytest.raises(OSError, match="No space left") as raised:
        write_all_replacing([(a, ["new a\n"]), (b, ["new b\n"])])
    assert raised.value.filename == str(b)
    assert a.read_text(encoding="utf-8") == "old a\n"
    assert b.read_text(encoding="utf-8") == "old b\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.yaml", "b.yaml"]
