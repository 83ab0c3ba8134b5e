"""A data file that is not a regular file (a pipe, a broken link, a folder) is an `ingest-error`
saying what it is, not "no such file"; a pipe is never opened (reading it would block)."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from covenant.errors import IngestError
from covenant.sources.eventfiles import missing_file
from covenant.sources.events import read_events
from covenant.sources.recordfiles import read_record_source


def test_each_kind_of_non_file_is_named(tmp_path: Path) -> None:
    pipe = tmp_path / "events.csv"
    os.mkfifo(pipe)
    broken = tmp_path / "tickets.csv"
    broken.symlink_to(tmp_path / "gone.csv")
    folder = tmp_path / "more.csv"
    folder.mkdir()
    assert "not a regular file (a pipe" in missing_file(pipe).message
    assert "symbolic link to a file that does not exist" in missing_file(broken).message
    assert "is a folder" in missing_file(folder).message
    assert missing_file(tmp_path / "nothing.csv").message.endswith(": no such file")


def _events(path: Path) -> object:
    return read_events(path, rules=[])


@pytest.mark.parametrize("read", [_events, read_record_source], ids=["events", "records"])
def test_a_pipe_is_refused_without_reading_it(
    tmp_path: Path, read: Callable[[Path], object]
) -> None:
    # regression: a named pipe was refused as "no such file"
    pipe = tmp_path / "data.csv"
    os.mkfifo(pipe)
    with pytest.raises(IngestError, match="not a regular file") as raised:
        read(pipe)
    assert raised.value.code == "ingest-error"
