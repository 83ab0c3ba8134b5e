"""Bounded fuzz runs (marker ``fuzz``): fixed-seed hypothesis runs of a few seconds each that
run in ``make test``. Every input must end in a result or a coded error — never a traceback,
a crash or a hang."""

from __future__ import annotations

import pytest


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "fuzz: bounded fixed-seed fuzz run (part of make test)")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/fuzz/" in str(item.fspath).replace("\\", "/"):
            item.add_marker(pytest.mark.fuzz)
