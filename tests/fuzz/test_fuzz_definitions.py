"""Fuzz the definitions reader: the demo workspace (SLOs, SLIs, services, settings,
corrections, customers, calendars, agreements) mutated, as one text and as files."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from covenant.definitions.workspace import analyse_text, load_workspace
from covenant.errors import CovenantError
from tests.conftest import ROOT
from tests.fuzz.harness import FUZZ, check_problems, coded, mutated, scalar_replacements

SHOP = ROOT / "examples" / "shop"
FILES = {p.name: p.read_text() for p in sorted(SHOP.glob("*.yaml"))}
WORKSPACE = "\n---\n".join(FILES.values())


def analyse(text: str) -> None:
    found = coded(lambda: analyse_text(text, file="ws.yaml"))
    if isinstance(found, CovenantError):
        return
    workspace, problems = found
    check_problems(problems)
    errors = [p for p in problems if p.severity == "error"]
    assert (workspace is None) == bool(errors), [str(p) for p in errors]
    for p in errors:
        assert p.where.startswith("ws.yaml"), p  # every error names the file (and line)


def test_the_seed_workspace_is_valid() -> None:
    workspace, problems = analyse_text(WORKSPACE, file="ws.yaml")
    assert workspace is not None, [str(p) for p in problems]


@settings(FUZZ, max_examples=50)
@given(st.data())
def test_mutated_workspace_text(data: st.DataObject) -> None:
    name = data.draw(st.sampled_from(sorted(FILES)))
    text = data.draw(mutated(FILES[name]))
    analyse(WORKSPACE.replace(FILES[name], text))


@settings(FUZZ, max_examples=50)
@given(st.data())
def test_workspace_with_tricky_values(data: st.DataObject) -> None:
    name = data.draw(st.sampled_from(sorted(FILES)))
    text = data.draw(scalar_replacements(FILES[name]))
    analyse(WORKSPACE.replace(FILES[name], text))


@settings(FUZZ, max_examples=50)
@given(
    name=st.sampled_from(sorted(FILES)),
    encoding=st.sampled_from(["utf-8", "utf-16", "latin-1", "utf-8-sig"]),
    cut=st.integers(0, 4000),
    junk=st.binary(max_size=16),
)
def test_workspace_files_as_bytes(name: str, encoding: str, cut: int, junk: bytes) -> None:
    raw = FILES[name].replace("é", "e").encode(encoding, errors="replace")
    raw = raw[:cut] + junk + raw[cut:]
    with tempfile.TemporaryDirectory() as folder:
        for other, text in FILES.items():
            (Path(folder) / other).write_text(text)
        (Path(folder) / name).write_bytes(raw)
        coded(lambda: load_workspace(Path(folder)))


def test_instants_outside_the_supported_years_are_problems_not_overflows() -> None:
    """Found by fuzzing: a correction starting 0001-01-01 in Europe/Berlin overflowed."""
    corrections = FILES["corrections.yaml"]
    for start in ("0001-01-01", "9999-12-31T23:00:00", "1970-12-31"):
        text = corrections.replace("start: 2026-01-04T02:00:00", f"start: {start}")
        assert text != corrections
        workspace, problems = analyse_text(WORKSPACE.replace(corrections, text), file="ws.yaml")
        assert workspace is None
        assert [(p.code, p.field) for p in problems if p.severity == "error"] == [
            ("invalid-instant", "spec.start")
        ]
