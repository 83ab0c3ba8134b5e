"""Shared fixtures. Under CI=true a skipped test fails the run (service tests must run there)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import NoReturn

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus"
IN_CI = os.environ.get("CI") == "true"
POSTGRES_URL = os.environ.get(
    "COVENANT_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)

_skipped: list[str] = []


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.skipped:
        _skipped.append(report.nodeid)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if IN_CI and _skipped:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
        print(f"\nCI=true: {len(_skipped)} skipped test(s) count as failures:")
        for nodeid in _skipped:
            print(f"  {nodeid}")


def unavailable(reason: str) -> NoReturn:
    """A needed service or file is missing: fail under CI=true, skip on a developer machine."""
    if IN_CI:
        pytest.fail(f"{reason} (CI=true)")
    pytest.skip(reason)  # only reached outside CI=true: under CI it failed above


@pytest.fixture
def corpus() -> Path:
    """The shared conformance corpus; missing it skips locally and fails under CI=true."""
    if not CORPUS.is_dir():
        unavailable(f"conformance corpus not found at {CORPUS}; clone shared/ beside the repo")
    return CORPUS


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A real PostgreSQL URL; unreachable skips locally and fails under CI=true."""
    sqlalchemy = pytest.importorskip("sqlalchemy")
    engine = sqlalchemy.create_engine(POSTGRES_URL)
    try:
        with engine.connect():
            pass
    except sqlalchemy.exc.OperationalError as exc:
        unavailable(f"PostgreSQL unreachable at {POSTGRES_URL}: {exc}")
    finally:
        engine.dispose()
    return POSTGRES_URL
