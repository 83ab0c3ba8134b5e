"""``covenant.files_replaced``: several files replaced whole or not at all."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from covenant.definitions.yamlsource import discover_files
from covenant.files_replaced import write_all_replacing, write_replacing


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


_WRITER = r"""
import sys
from pathlib import Path
from covenant.files_replaced import write_replacing
target, marker = Path(sys.argv[1]), Path(sys.argv[2])
def chunks():
    yield "theirs, "
    marker.write_text("writing")
    sys.stdin.read()  # until the test closes standard input (or kills the writer)
    yield "whole\n"
write_replacing(target, chunks())
"""


def _writer(target: Path, marker: Path) -> subprocess.Popen[str]:
    """A real process halfway through writing ``target`` (its first chunk written)."""
    proc = subprocess.Popen(
        [sys.executable, "-c", _WRITER, str(target), str(marker)],
        stdin=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 120  # a bound on the wait, not a check of time
    while not marker.exists() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    assert marker.exists(), proc.communicate()
    return proc


def _temporary(folder: Path, name: str) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(f".{name}."))


def test_a_write_leaves_the_temporary_file_of_a_live_writer(tmp_path: Path) -> None:
    """Two writers of one file: neither removes the other's temporary file while it writes;
    the last rename wins, each file whole."""
    target = tmp_path / "out.yaml"
    proc = _writer(target, tmp_path / "marker")
    try:
        (theirs,) = _temporary(tmp_path, "out.yaml")
        write_replacing(target, ["mine\n"])
        assert target.read_text(encoding="utf-8") == "mine\n"
        assert _temporary(tmp_path, "out.yaml") == [theirs]
        proc.communicate("", timeout=120)
        assert proc.returncode == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert target.read_text(encoding="utf-8") == "theirs, whole\n"
    assert _temporary(tmp_path, "out.yaml") == []


def test_a_write_removes_the_temporary_file_of_a_killed_writer(tmp_path: Path) -> None:
    target = tmp_path / "out.yaml"
    target.write_text("old\n", encoding="utf-8")
    proc = _writer(target, tmp_path / "marker")
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=120)
    assert len(_temporary(tmp_path, "out.yaml")) == 1  # what the kill left
    other = tmp_path / "out.yaml.bak"  # another file's name starting alike: not touched
    other_left = tmp_path / ".out.yaml.bak.covenant-abcdefgh.tmp"
    other_left.write_text("kept\n", encoding="utf-8")
    write_replacing(target, ["mine\n"])
    assert target.read_text(encoding="utf-8") == "mine\n"
    assert _temporary(tmp_path, "out.yaml") == [other_left.name]
    assert not other.exists()


def test_a_workspace_never_reads_a_temporary_file(tmp_path: Path) -> None:
    """What a killed write leaves (hidden, ``.tmp``) is not a definition file of the folder."""
    (tmp_path / "slos.yaml").write_text("", encoding="utf-8")
    (tmp_path / ".slos.yaml.covenant-abcdefgh.tmp").write_text("kind: [cut short", encoding="utf-8")
    (tmp_path / "nested").mkdir()
    (tmp_path / "nested" / ".x.yaml.covenant-12345678.tmp").write_text("{", encoding="utf-8")
    files, problems = discover_files([tmp_path])
    assert (files, problems) == ([tmp_path / "slos.yaml"], [])
