"""Fixtures of the web UI's tests: the served demo shop, and Chromium through Playwright."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.availability import unavailable
from tests.conftest import ROOT
from tests.web.served import Served, serving

ARTIFACTS = ROOT / "test-artifacts" / "web"
AXE = Path(__file__).parent / "vendor" / "axe-4.14.1.min.js"


def chromium_path() -> str:
    found = os.environ.get("COVENANT_CHROMIUM") or shutil.which("chromium")
    if not found:
        unavailable("Debian's chromium is not installed (scripts/install-test-deps)")
    return found


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    with serving(tmp_path_factory.mktemp("web")) as found:
        yield found


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    sync_api = pytest.importorskip("playwright.sync_api")
    executable = chromium_path()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=executable, args=["--no-sandbox", "--disable-gpu"]
        )
        try:
            yield launched
        finally:
            launched.close()
