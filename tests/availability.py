"""Real services and shared files: skip on a developer machine, fail under CI=true."""

from __future__ import annotations

import os
from typing import NoReturn

import pytest

IN_CI = os.environ.get("CI") == "true"


def unavailable(reason: str) -> NoReturn:
    """A needed service or file is missing: fail under CI=true, skip on a developer machine."""
    if IN_CI:
        pytest.fail(f"{reason} (CI=true)")
    pytest.skip(reason)  # only reached outside CI=true: under CI it failed above
