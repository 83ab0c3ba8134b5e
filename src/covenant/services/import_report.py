"""An import's report as JSON: `covenant import --format json` and ``POST /imports/{tool}``."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path
from typing import Any

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
                    for p in imported.problems
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
        "warnings": [str(replace(p, where=shown(p.where))) for p in plan.warnings],
    }


def import_status(planned: Planned) -> str:
    """``refused``, ``nothing-imported``, ``partly-imported`` (some parts left out) or
    ``imported``."""
    imported = planned.imported
    if imported.problems:
        return "refused"
    if not imported.slos:
        return "nothing-imported"
    return "partly-imported" if any(n.skipped for n in imported.notes) else "imported"
