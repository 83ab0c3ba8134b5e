"""Shared harness of the tests of real files found in the hunts (tests/definitions/
test_found_*_files.py): import a kept file as a tool's, and read off the plan what each test
pins — each SLO's service, target, window and queries, the notes and the problems, with their
lines."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from covenant.services.importing import ImportPlan, plan_import


def importer(found: Path, *, by_tool: bool) -> Callable[..., ImportPlan]:
    """``imported(tmp_path, tool, *parts)``: the plan of importing, as ``tool``'s, the kept
    file ``found/tool/parts`` (``by_tool``: the fixtures are kept in a folder per tool) or
    ``found/parts``, into a workspace under ``tmp_path``."""

    def imported(tmp_path: Path, tool: str, *parts: str) -> ImportPlan:
        path = found.joinpath(tool, *parts) if by_tool else found.joinpath(*parts)
        return plan_import(tool, [path], into=tmp_path / "ws")

    return imported


def slos(
    plan: ImportPlan,
    *,
    whole_source: bool = False,
    tiers: bool = False,
    thresholds: bool = False,
    metadata: bool = False,
) -> dict[str, dict[str, Any]]:
    """Each SLO imported, by name: its service, target (as text), window and, per part (good,
    bad, total), the query text (``whole_source``: the metric source's whole spec); with
    ``tiers``, each alerting tier's name, long and short window, and with ``thresholds`` its
    threshold too (its burn rate, else its budget percent, as text); with ``metadata``, its
    labels and its indicator's annotations."""
    out = {}
    for file in plan.files:
        for doc in file.imported.documents:
            if doc["kind"] != "SLO":
                continue
            spec = doc["spec"]
            ratio = spec["indicator"]["spec"]["ratioMetric"]
            found: dict[str, Any] = {
                "service": spec["service"],
                "target": str(spec["objectives"][0]["target"]),
                "window": spec["timeWindow"][0]["duration"],
                "queries": {
                    part: ratio[part]["metricSource"]["spec"]
                    if whole_source
                    else ratio[part]["metricSource"]["spec"]["query"]
                    for part in ("good", "bad", "total")
                    if part in ratio
                },
            }
            if tiers:
                found["tiers"] = [
                    (t["name"], t["longWindow"], t["shortWindow"])
                    + ((str(t.get("burnRate", t.get("budgetPercent"))),) if thresholds else ())
                    for t in spec.get("alerting", {}).get("tiers", [])
                ]
            if metadata:
                found["labels"] = doc["metadata"].get("labels", {})
                found["annotations"] = spec["indicator"]["metadata"].get("annotations", {})
            out[doc["metadata"]["name"]] = found
    return out


def line(where: str) -> int:
    """The line of a note's or problem's ``where`` (``file:line``)."""
    return int(where.rsplit(":", 1)[1])


def problems(plan: ImportPlan) -> list[tuple[str, str, int, str]]:
    """(code, field, line, message) of every problem."""
    return [(p.code, p.field, line(p.where), p.message) for p in plan.problems]


def pinned_and_cited(test_file: str, found: Path, paths: list[Path]) -> None:
    """Each kept file or folder of ``paths`` is pinned by the test module ``test_file`` (its
    name is there in quotes) and cited in ``found``/SOURCES.md: one row for it (``| `tool/
    name` |``, a folder's with or without its ``/``) naming owner/repo path@commit."""
    here = Path(test_file).read_text(encoding="utf-8")
    sources = (found / "SOURCES.md").read_text(encoding="utf-8").splitlines()
    for path in paths:
        assert f'"{path.name}"' in here, path
        cell = f"{path.parent.name}/{path.name}"
        (row,) = [line for line in sources if line.startswith((f"| `{cell}`", f"| `{cell}/`"))]
        assert "@" in row, path  # owner/repo path@commit
