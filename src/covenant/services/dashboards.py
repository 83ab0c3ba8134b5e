"""``covenant dashboards grafana``: a Grafana dashboard per service on the generated rules."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import Path

from covenant.definitions.workspace import load_workspace
from covenant.errors import InputError
from covenant.render.grafana import dashboards
from covenant.services.prom_rules import RulePlan, plan_rules


def write_grafana_dashboards(
    workspace_path: Path, out: Path, *, slos: Sequence[str] = ()
) -> tuple[list[Path], RulePlan]:
    """Write ``<out>/<service>.json`` for every service with rules; the files and the plan."""
    plan = plan_rules(load_workspace(workspace_path), slos=slos)
    if not plan.targets:
        return [], plan  # the command says why, objective by objective
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(
            f"cannot create {out}: {exc.strerror}", hint="choose another --out"
        ) from exc
    written = []
    for service, model in dashboards(plan.targets).items():
        path = out / f"{re.sub(r'[^A-Za-z0-9._-]+', '-', service)}.json"
        path.write_text(json.dumps(model, indent=2) + "\n", encoding="utf-8")
        written.append(path)
    return written, plan
