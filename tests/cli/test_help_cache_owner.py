"""The help cache prints a stored page as it is, so it reads only pages this user wrote: a cache
folder of another user's, or one others may write, is neither read nor written (this user's is
closed to 0700 and its pages dropped). A command line with options before ``--help`` is served
from the cache too, and kept only when typer printed help (an option may take ``--help`` as its
value and run the command)."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from covenant.cli import help_cache
from tests.cli.test_help_cache import MAIN_PROBE, environment

PAGE = "Usage: covenant [OPTIONS] COMMAND\n"  # what the test's "typer" prints
PLANTED = "\x1b]8;;http://evil\x1b\\click me\x1b]8;;\x1b\\\n"  # a page someone else wrote


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setenv(help_cache.SWITCH, "1")
    return tmp_path / "covenant" / "help"


def page_path(args: list[str]) -> Path:
    root = help_cache._cache_root()
    return Path(root, help_cache._fingerprint(), help_cache._key(args))


def plant(args: list[str]) -> Path:
    path = page_path(args)
    path.parent.mkdir(parents=True, mode=0o700)
    path.parent.parent.chmod(0o700)
    path.write_text("0\n" + PLANTED, encoding="utf-8")
    path.chmod(0o600)
    return path


def run_typer(recording: help_cache.Recording, text: str = PAGE) -> None:
    """What main() does on a miss: typer runs inside the recording and exits 0."""

    def typer() -> None:
        with recording:
            sys.stdout.write(text)
            sys.exit(0)

    with pytest.raises(SystemExit):
        typer()


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_page_of_this_users_private_folder_is_served(
    cache: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["--help"]
    recording = help_cache.serve(args)
    assert recording is not None  # nothing stored yet
    run_typer(recording)
    assert (mode(cache), mode(page_path(args).parent)) == (0o700, 0o700)
    capsys.readouterr()
    with pytest.raises(SystemExit) as exited:
        help_cache.serve(args)
    assert exited.value.code == 0
    assert capsys.readouterr().out == PAGE


@pytest.mark.parametrize("opened", ["cache folder", "fingerprint folder"])
def test_a_folder_others_may_write_is_not_read_then_closed(
    cache: Path, capsys: pytest.CaptureFixture[str], opened: str
) -> None:
    args = ["--help"]
    path = plant(args)
    (cache if opened == "cache folder" else path.parent).chmod(0o777)
    recording = help_cache.serve(args)  # the planted page is not printed
    assert capsys.readouterr().out == ""
    assert recording is not None
    run_typer(recording)  # typer renders, and the page is stored anew in a closed folder
    assert (mode(cache), mode(path.parent)) == (0o700, 0o700)
    assert path.read_text(encoding="utf-8") == "0\n" + PAGE
    capsys.readouterr()
    with pytest.raises(SystemExit):
        help_cache.serve(args)
    assert capsys.readouterr().out == PAGE


def test_a_page_others_may_write_is_not_printed(
    cache: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["--help"]
    path = plant(args)
    path.chmod(0o666)
    assert help_cache.serve(args) is None
    assert capsys.readouterr().out == ""


def test_another_users_cache_is_neither_read_nor_written(
    cache: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    args = ["--help"]
    path = plant(args)
    me = os.geteuid()
    monkeypatch.setattr(help_cache.os, "geteuid", lambda: me + 1)  # the folders are not "mine"
    assert help_cache.serve(args) is None
    assert capsys.readouterr().out == ""
    help_cache._store(str(page_path(["-V"])), "0\n" + PAGE)  # what a recording would keep
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name]
    assert path.read_text(encoding="utf-8") == "0\n" + PLANTED


def test_output_that_is_not_help_is_not_kept_after_an_option(cache: Path) -> None:
    """`covenant evaluate --slo --help` evaluates (--slo took "--help"): not a page to keep."""
    args = ["evaluate", "--slo", "--help"]
    recording = help_cache.serve(args)
    assert recording is not None
    run_typer(recording, "checkout  99.95 %  ok\n")
    assert not page_path(args).exists()
    recording = help_cache.serve(args)
    assert recording is not None
    run_typer(recording)  # typer printed help this time: kept
    assert page_path(args).read_text(encoding="utf-8") == "0\n" + PAGE


def test_options_before_help_are_served_from_the_cache(tmp_path: Path) -> None:
    """End to end: typer's page for `evaluate -w ws --format json --help`, then the same bytes
    from the cache without importing typer or rich."""
    args = ["evaluate", "-w", "ws", "--format", "json", "--help"]
    (tmp_path / "cwd").mkdir()
    outputs = []
    for cached in ("0", "1", "1"):
        env = environment(tmp_path / "cache", {"COVENANT_HELP_CACHE": cached})
        done = subprocess.run(
            [sys.executable, "-c", MAIN_PROBE.format(args=args)],
            capture_output=True,
            env=env,
            cwd=tmp_path / "cwd",
            timeout=120,
            check=True,
        )
        outputs.append((done.stdout, json.loads(done.stderr.decode().splitlines()[-1])))
    (typer_page, off), (recorded, miss), (served, hit) = outputs
    assert b"Usage: covenant evaluate [OPTIONS]" in typer_page
    assert recorded == typer_page
    assert served == typer_page
    assert (off, miss) == ({"code": 0, "heavy": ["rich", "typer"]},) * 2
    assert hit == {"code": 0, "heavy": []}


def test_a_temporary_file_a_killed_writer_left_is_removed_by_the_next_write(
    cache: Path,
) -> None:
    """A process killed while storing a page leaves its temporary file, held by nobody (its
    lock went with it): storing that page next removes it (``covenant.files_left``)."""
    args = ["--help"]
    path = page_path(args)
    path.parent.mkdir(parents=True, mode=0o700)
    path.parent.parent.chmod(0o700)
    left = path.parent / f".{path.name}.covenant-abcd1234.tmp"
    left.write_text("0\nUsage: cut sh", encoding="utf-8")
    recording = help_cache.serve(args)
    assert recording is not None  # no page stored: typer renders it
    run_typer(recording)
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name]
    assert path.read_text(encoding="utf-8") == "0\n" + PAGE
    assert mode(path) == 0o600  # private, as a page this user wrote
