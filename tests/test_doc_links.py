"""Every link into a section of the docs lands on a heading that exists.

`docs/ingest.md` sent readers to `docs/errors.md#row-problems-…` as text, not as a link; a link
whose heading was renamed would go nowhere. Anchors are GitHub's: the heading in lower case,
punctuation other than `-` and `_` dropped, spaces turned into `-`, a repeat suffixed `-1`, `-2`.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import ROOT

DOCS = sorted([ROOT / "README.md", *(ROOT / "docs").rglob("*.md")])
LINK = re.compile(r"\]\(([^)\s]*#[^)\s]+)\)")  # [text](file.md#anchor) or [text](#anchor)
MENTION = re.compile(r"`((?:docs/)?[\w./-]+\.md#[^`\s]+)`")  # `docs/errors.md#code` in text
HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$", re.M)
FENCE = re.compile(r"^```.*?^```", re.M | re.S)


def slug(heading: str) -> str:
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def anchors(path: Path) -> set[str]:
    found: set[str] = set()
    for heading in HEADING.findall(FENCE.sub("", path.read_text(encoding="utf-8"))):
        base = slug(heading)
        name, n = base, 0
        while name in found:
            n += 1
            name = f"{base}-{n}"
        found.add(name)
    return found


def references(path: Path) -> list[tuple[Path, str, str]]:
    """``(target file, anchor, as written)`` for each link or mention of a section."""
    text = FENCE.sub("", path.read_text(encoding="utf-8"))
    out = []
    for pattern in (LINK, MENTION):
        for written in pattern.findall(text):
            target, _, anchor = written.partition("#")
            if target.startswith(("http://", "https://")) or anchor.isupper():
                continue  # another site, or a placeholder (`errors.md#CODE`)
            if not target:
                file = path
            elif target.startswith("docs/"):
                file = ROOT / target
            else:
                file = path.parent / target
            out.append((file.resolve(), anchor, written))
    return out


def test_the_slug_is_githubs() -> None:
    assert slug("Row problems (from `covenant ingest events`)") == (
        "row-problems-from-covenant-ingest-events"
    )
    assert slug("Business time — `benchmarks/business_time.py`") == (
        "business-time--benchmarksbusiness_timepy"
    )
    assert slug("2. Compile calendars for a range") == "2-compile-calendars-for-a-range"


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_section_link_lands_on_a_heading(doc: Path) -> None:
    broken = [
        written
        for file, anchor, written in references(doc)
        if not file.is_file() or anchor not in anchors(file)
    ]
    assert not broken, f"{doc.relative_to(ROOT)}: no such file or heading: {broken}"


def test_links_were_found() -> None:
    """The check above is not vacuous: the docs do link into sections."""
    found = [ref for doc in DOCS for ref in references(doc)]
    assert len(found) >= 15
    assert any(written.startswith("errors.md#") for _, _, written in found)
