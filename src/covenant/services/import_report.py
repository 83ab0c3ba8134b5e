"""An import's report as JSON: `covenant import --format json` and ``POST /imports/{tool}``."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from covenant.errors import Problem
from covenant.services.import_check import in_workspace
from covenant.services.importing import ImportPlan, Planned


def import_json(
    plan: ImportPlan,
    written: list[Path],
    *,
    dry_run: bool,
    texts: bool = False,
    relative: bool = False,
) -> dict[str, Any]:
    """The plan file by file (``texts``: with ``documents``, the text each target gets;
    ``relative``: the targets named relative to the workspace, ``into`` as ``.``)."""
    inside = f"{plan.into}{os.sep}"

    def shown(path: str) -> str:
        return path.removeprefix(inside) if relative else path

    def told(problem: Problem) -> Problem:  # the workspace's files named in it relative too
        return in_workspace(problem, plan.into) if relative else problem

    files = []
    for planned in plan.files:
        imported = planned.imported
        files.append(
            {
                "source": imported.source,
                "status": import_status(planned),
                "target": shown(str(planned.target)) if planned.target else None,
                "slos": imported.slos,
                "notes": [note.as_dict() for note in imported.notes],
                "renamed": imported.renamed,
                "reused": planned.reused,
                "replaces": planned.replaces,
                "reason": imported.reason,
                "problems": [
                    {
                        "code": p.code,
                        "message": p.message,
                        "where": p.where,
                        "field": p.field,
                        "fix": p.fix,
                    }
                    for p in map(told, imported.problems)
                ],
            }
        )
        if texts:
            files[-1]["documents"] = planned.text if planned.target is not None else None
    return {
        "tool": plan.tool,
        "into": "." if relative else str(plan.into),
        "dryRun": dry_run,
        "written": [shown(str(p)) for p in written],
        "files": files,
        "warnings": [str(told(p)) for p in plan.warnings],
    }


def preview_changes(plan: ImportPlan, report: dict[str, Any], *, forced: bool) -> dict[str, Any]:
    """What a preview (``POST /imports/{tool}``, the import page's) says would change, added
    to ``report`` (``import_json``'s, its ``files`` in the plan's order): each file's
    ``change`` — ``new`` (no file there), ``replaces`` (an earlier import of the same source
    wrote a file that differs), ``unchanged`` (it holds what would be written), None (nothing
    to write) — and ``summary``, one sentence of it all, and ``needsForce``: a file would be
    replaced and ``force`` was not given (writing it, not the preview, needs it)."""
    from covenant.definitions.yamlsource import read_text  # noqa: PLC0415 - the YAML reader

    new: list[str] = []
    replaced: list[str] = []
    unchanged: list[str] = []
    documents = 0  # in the files replaced
    for planned, shown in zip(plan.files, report["files"], strict=True):
        change = None
        if planned.target is not None and not plan.problems:
            name = shown["target"]
            held = planned.target.read_text(encoding="utf-8") if planned.replaces else None
            if held is None:
                change, kept = "new", new
            elif held == planned.text:
                change, kept = "unchanged", unchanged
            else:
                change, kept = "replaces", replaced
                documents += len(read_text(held, file=name)[0])
            kept.append(name)
        shown["change"] = change
    if plan.problems:
        refused = sum(1 for p in plan.files if p.imported.problems)
        summary = f"nothing would be written: {_count(refused, 'file')} refused (problems above)"
    elif not (new or replaced or unchanged):
        summary = "nothing to write: no file holds an SLO Covenant can carry over"
    else:
        parts = []
        if new:
            parts.append(f"would write {_count(len(new), 'new file')}: {', '.join(new)}")
        if replaced:
            parts.append(
                f"would replace {_count(documents, 'document')} in "
                f"{_count(len(replaced), 'file')} an earlier import wrote ({', '.join(replaced)})"
            )
        if unchanged and parts:
            parts.append(f"{', '.join(unchanged)} unchanged")
        if not parts:
            verb = "holds" if len(unchanged) == 1 else "hold"
            parts.append(
                f"nothing changes: {', '.join(unchanged)} {verb} what this import would write"
            )
        if replaced and not forced:
            parts.append("pass force=true to apply")
        summary = "; ".join(parts)
    return report | {"summary": summary, "needsForce": bool(replaced) and not forced}


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def import_status(planned: Planned) -> str:
    """``refused``, ``nothing-imported``, ``partly-imported`` (some parts left out) or
    ``imported``."""
    imported = planned.imported
    if imported.problems:
        return "refused"
    if not imported.slos:
        return "nothing-imported"
    return "partly-imported" if any(n.skipped for n in imported.notes) else "imported"
