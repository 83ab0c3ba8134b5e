"""Commands that only read never create a store, and read one they cannot write.

A store on a read-only file system could not be read (every command migrated it first, and
SQLite's write-ahead log needs a lock file beside the store), and `evaluate`, `report sla`,
`exposure`… on a workspace without a store created an empty one. Here the store's folder and
file lose their write bits; as root (who may write anyway) the write check the code makes is
answered as a read-only file system answers it.
"""

from __future__ import annotations

import gc
import hashlib
import json
import os
import shutil
import sqlite3
import stat
from collections.abc import Iterator
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from covenant.cli.main import app
from covenant.config import Settings, sqlite_url
from covenant.services.demo import run_demo
from tests.conftest import ROOT

runner = CliRunner()
AT = "2026-11-27T09:30:00Z"

READERS = [
    ["report", "sla", "--customer", "globex", "--period", "2026-11", "--at", AT],
    ["exposure", "--at", AT],
    ["backtest", "alerts", "checkout-availability", "--from", "2026-11-20T00:00:00Z", "--to", AT],
    ["suggest", "slo", "checkout-availability", "--windows", "2", "--hold", "1", "--at", AT],
    ["agreements", "list", "--at", AT],
]


def copy_shop(target: Path) -> Path:
    shutil.copytree(ROOT / "examples" / "shop", target, ignore=shutil.ignore_patterns(".covenant"))
    return target


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = copy_shop(tmp_path_factory.mktemp("readonly") / "shop")
    at = datetime(2026, 11, 27, 9, 30, tzinfo=UTC)
    run_demo(Settings(workspace=target, database_url=sqlite_url(target)), at=at, days=40)
    assert runner.invoke(app, ["agreements", "sync", "-w", str(target)]).exit_code == 0
    return target


def outputs(shop: Path) -> list[str]:
    found = []
    for args in [*READERS, ["evaluate", "--at", AT]]:
        result = runner.invoke(app, [*args, "-w", str(shop), "--format", "json"])
        assert result.exit_code == 0, (args, result.output)
        found.append(result.stdout)
    return found


def fingerprint(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


@pytest.fixture(scope="module")
def with_write(shop: Path) -> list[str]:
    """Each command's answer while the store can be written; then every connection is closed
    and the write-ahead log folded into the store, as on a store copied to read-only media."""
    answers = outputs(shop)
    gc.collect()  # connections the commands left to the garbage collector close now
    with closing(sqlite3.connect(shop / ".covenant" / "covenant.db")) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return answers


def make_read_only(state: Path, monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Take the write bits off ``state`` and its files (and, as root, answer the write check as
    a read-only mount does); the files, to give the bits back."""
    files = list(state.iterdir())
    for f in files:
        f.chmod(stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
    state.chmod(stat.S_IRUSR | stat.S_IXUSR)
    if os.access(state, os.W_OK):  # root
        real = os.access

        def access(path: str | os.PathLike[str], mode: int, *args: object, **kw: object) -> bool:
            if mode & os.W_OK and Path(path).resolve().is_relative_to(state.resolve()):
                return False
            return real(path, mode, *args, **kw)  # type: ignore[arg-type]

        monkeypatch.setattr(os, "access", access)
    return files


def make_writable(state: Path, files: list[Path]) -> None:
    state.chmod(stat.S_IRWXU)
    for f in files:
        f.chmod(stat.S_IRUSR | stat.S_IWUSR)


@pytest.fixture
def read_only(shop: Path, with_write: list[str], monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    state = shop / ".covenant"
    files = make_read_only(state, monkeypatch)
    try:
        yield state
    finally:
        make_writable(state, files)


def test_a_store_that_cannot_be_written_is_read_as_before(
    shop: Path, with_write: list[str], read_only: Path
) -> None:
    before = fingerprint(read_only)
    got = outputs(shop)
    assert fingerprint(read_only) == before  # nothing written, no journal or lock file made
    # the same answers as from the writable store (evaluate's corrections are applied, their
    # audit is left as it is: compare the results, not the audit revisions)
    assert got[:-1] == with_write[:-1]
    assert _results(got[-1]) == _results(with_write[-1])
    assert {r["status"] for r in _results(got[-1])} != {"no_data"}


def _results(evaluate_json: str) -> list[dict[str, object]]:
    return [
        {k: r[k] for k in ("slo", "status", "sli_value", "budget")}
        for r in json.loads(evaluate_json)["results"]
    ]


@pytest.mark.parametrize("args", READERS, ids=lambda a: " ".join(a[:2]))
def test_a_reading_command_without_a_store_says_so_and_creates_none(
    tmp_path: Path, args: list[str]
) -> None:
    ws = copy_shop(tmp_path / "shop")
    result = runner.invoke(app, [*args, "-w", str(ws)])
    assert result.exit_code == 1, result.output
    assert f"no store at {ws.resolve() / '.covenant' / 'covenant.db'}" in result.output
    assert "covenant explain no-store" in result.output
    assert not (ws / ".covenant").exists()


def test_evaluate_without_a_store_is_no_data_and_creates_none(tmp_path: Path) -> None:
    ws = copy_shop(tmp_path / "shop")
    result = runner.invoke(app, ["evaluate", "-w", str(ws), "--at", AT, "--format", "json"])
    assert result.exit_code == 0, result.output
    statuses = {r["slo"]: r["status"] for r in json.loads(result.stdout)["results"]}
    # Nothing was ever read: even payments-availability, whose noDataPolicy is good, is no
    # data (the policy covers minutes a read found empty, not minutes never read).
    assert statuses.pop("payments-availability") == "no_data"
    assert set(statuses.values()) == {"no_data"}
    assert len(statuses) >= 6
    assert "no store yet at" in result.stderr
    assert not (ws / ".covenant").exists()


def test_a_read_only_store_that_needs_a_write_first_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ws = copy_shop(tmp_path / "shop")
    state = ws / ".covenant"
    state.mkdir()
    (state / "covenant.db").write_bytes(b"")  # no schema yet: opening it would migrate it
    files = make_read_only(state, monkeypatch)
    try:
        result = runner.invoke(app, ["exposure", "-w", str(ws), "--at", AT])
    finally:
        make_writable(state, files)
    assert result.exit_code == 1, result.output
    assert "can only be read, and it needs its schema upgraded first" in result.output
    assert "covenant explain store-read-only" in result.output
    assert [p.name for p in state.iterdir()] == ["covenant.db"]
    assert (state / "covenant.db").read_bytes() == b""
