"""A workspace the plain reader declines is parsed once: the full load takes the files the plain
reader read already (``load_for_evaluation``), and finds what it finds reading them itself."""

from __future__ import annotations

from pathlib import Path

import pytest

from covenant.definitions import plain, workspace, yamlsource
from covenant.definitions.workspace import analyse
from covenant.errors import DefinitionError
from covenant.services.workspace import load_for_evaluation
from tests.checkout import PROMETHEUS_SLI, prometheus_slo

PLAIN = (
    PROMETHEUS_SLI
    + """\
---
apiVersion: openslo/v1
kind: SLO
metadata: {name: checkout}
spec:
  service: shop
  indicatorRef: checkout
  timeWindow: [{duration: 28d, isRolling: true}]
  budgetingMethod: Occurrences
  objectives: [{target: 0.999}]
"""
)
INLINE = prometheus_slo("search", window="7d", target="TARGET")


def _workspace(folder: Path, target: str) -> Path:
    folder.mkdir()
    (folder / "a.yaml").write_text(PLAIN, encoding="utf-8")  # read first: plain
    (folder / "b.yaml").write_text(INLINE.replace("TARGET", target), encoding="utf-8")
    return folder


def _count_reads(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    reads: dict[str, int] = {}
    real = yamlsource.read_file

    def counting(path: Path) -> yamlsource.FileRead:
        reads[path.name] = reads.get(path.name, 0) + 1
        return real(path)

    monkeypatch.setattr(plain, "read_file", counting)
    monkeypatch.setattr(workspace, "read_file", counting)
    return reads


def test_a_declined_workspace_is_parsed_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = _workspace(tmp_path / "ws", "0.99")
    assert plain.plain_objectives(folder) is None  # an inline SLI: left to the full load
    full, _ = analyse([folder])
    assert full is not None
    reads = _count_reads(monkeypatch)
    found = load_for_evaluation(folder)
    assert reads == {"a.yaml": 1, "b.yaml": 1}  # the plain reader read both, the full load none
    assert found.objectives == full.objectives
    assert [o.key for o in found.objectives] == ["checkout", "search"]


def test_a_declined_workspace_with_an_error_reports_what_the_full_load_reports(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = _workspace(tmp_path / "ws", "1.5")
    _, problems = analyse([folder])
    assert [p.code for p in problems if p.severity == "error"]  # a target above 1
    reads = _count_reads(monkeypatch)
    with pytest.raises(DefinitionError) as caught:
        load_for_evaluation(folder)
    assert reads == {"a.yaml": 1, "b.yaml": 1}
    assert caught.value.problems == problems
