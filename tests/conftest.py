"""Shared fixtures. Under CI=true a skipped test fails the run (service tests must run there)."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from hypothesis import settings

from tests.availability import IN_CI, unavailable
from tests.promserver import RELEASES, Server, binary, start_prometheus, start_victoria_metrics
from tests.stores import postgres_schemas

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

__all__ = ["IN_CI", "unavailable"]

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus"
POSTGRES_URL = os.environ.get(
    "COVENANT_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)

# `covenant … --help` in a child process answers from the help cache in the user's home once
# it has run before (cli.help_cache): off for the suite, so tests see typer render help and
# nothing is written to the home folder; tests/cli/test_help_cache.py turns it on in a folder
# of its own.
os.environ["COVENANT_HELP_CACHE"] = "0"

# Hypothesis fails an example that takes over 200 ms by default: a timing assertion, which a
# loaded CI machine (two workers, real servers, Chromium) can trip on a test that is right.
# Every property test runs without one (the suite asserts no durations).
settings.register_profile("covenant", deadline=None)
settings.load_profile("covenant")

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


@pytest.fixture
def corpus() -> Path:
    """The shared conformance corpus; missing it skips locally and fails under CI=true."""
    if not CORPUS.is_dir():
        unavailable(f"conformance corpus not found at {CORPUS}; clone shared/ beside the repo")
    return CORPUS


@pytest.fixture
def postgres_url() -> str:
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


BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture(params=BACKENDS)
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of an empty store, once on SQLite (a file in ``tmp_path``) and once on the real
    PostgreSQL (a schema of its own, dropped afterwards; see tests/stores.py). Nothing is
    migrated yet: open it with ``open_store`` or use the ``engine`` fixture."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / '.covenant' / 'covenant.db'}"
        return
    with postgres_schemas(request.getfixturevalue("postgres_url")) as (url,):
        yield url


def _migrated(url: str) -> Iterator[Engine]:
    from covenant.store.db import create_engine_for, migrate  # noqa: PLC0415

    engine = create_engine_for(url)
    try:
        migrate(engine)
        yield engine
    finally:
        engine.dispose()


@pytest.fixture
def engine(store_url: str) -> Iterator[Engine]:
    """A migrated store on each backend (``store_url``)."""
    yield from _migrated(store_url)


@pytest.fixture
def sqlite_engine(tmp_path: Path) -> Iterator[Engine]:
    """A migrated SQLite store only (for what is SQLite's own: WAL, pragmas, read-only files)."""
    yield from _migrated(f"sqlite:///{tmp_path / '.covenant' / 'covenant.db'}")


@pytest.fixture
def postgres_engine(postgres_url: str) -> Iterator[Engine]:
    """A migrated store on the real PostgreSQL only, in a schema of its own."""
    with postgres_schemas(postgres_url) as (url,):
        yield from _migrated(url)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """A test that uses ``prometheus_release`` (through ``prometheus`` or ``promtool``, or a
    module fixture of its own) runs once per Prometheus release (tests/promserver.RELEASES),
    or on those its ``prometheus_releases`` marker names."""
    if "prometheus_release" not in metafunc.fixturenames:
        return
    marker = metafunc.definition.get_closest_marker("prometheus_releases")
    releases = marker.args if marker is not None else RELEASES
    metafunc.parametrize("prometheus_release", releases, scope="module")


@pytest.fixture
def promtool(prometheus_release: str) -> str:
    """The path of promtool of the test's Prometheus release."""
    return binary("promtool", prometheus_release)


@pytest.fixture
def vmalert() -> str:
    """The path of vmalert (Debian's ``victoria-metrics`` package): a second rule evaluator,
    VictoriaMetrics's, for the generated rules."""
    return binary("vmalert")


@pytest.fixture
def prometheus(tmp_path: Path, prometheus_release: str) -> Iterator[Callable[..., Server]]:
    """Start real Prometheus servers (`tests/promserver.start_prometheus` keywords) of the
    test's release; all are stopped on teardown. Missing binaries skip locally and fail under
    CI=true."""
    started: list[Server] = []

    def start(**options: Any) -> Server:
        workdir = tmp_path / f"prometheus-{len(started)}"
        server = start_prometheus(workdir, release=prometheus_release, **options)
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture
def victoria_metrics(tmp_path: Path) -> Iterator[Callable[..., Server]]:
    """Start real single-node VictoriaMetrics servers; all are stopped on teardown."""
    started: list[Server] = []

    def start(**options: Any) -> Server:
        server = start_victoria_metrics(tmp_path / f"vm-{len(started)}", **options)
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()
