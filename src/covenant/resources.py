"""Files that ship inside the package: the demo workspace and the error reference.

One source of truth each: ``examples/shop``, ``examples/proposals`` and ``docs/errors.md`` in
the repository. The wheel carries copies under ``covenant/_bundled/`` (hatch
``force-include`` in pyproject.toml); an editable install or a source checkout has no such
folder, and reads the repository's files instead.
"""

from __future__ import annotations

from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
BUNDLED = PACKAGE / "_bundled"
CHECKOUT = PACKAGE.parent.parent  # src/covenant -> the repository root in a checkout


def _find(bundled: str, checkout: str) -> Path:
    inside = BUNDLED / bundled
    if inside.exists():
        return inside
    return CHECKOUT / checkout


def demo_shop() -> Path:
    """The example shop workspace (definitions, contracts, sample events)."""
    return _find("demo/shop", "examples/shop")


def demo_proposals() -> Path:
    """Proposed agreement amendments the demo backtests."""
    return _find("demo/proposals", "examples/proposals")


def errors_md() -> Path:
    """``docs/errors.md``: a section per error and problem code."""
    return _find("docs/errors.md", "docs/errors.md")
