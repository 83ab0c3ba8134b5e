"""``covenant dashboards grafana``: a Grafana dashboard per service on the generated rules."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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
    for board in grafana_dashboards(plan):
        path = out / f"{board.file}.json"
        path.write_text(dashboard_json(board.model), encoding="utf-8")
        written.append(path)
    return written, plan


@dataclass(frozen=True, slots=True)
class Board:
    """One service's dashboard and the name of its file (without ``.json``)."""

    file: str
    service: str
    model: dict[str, Any]


def grafana_dashboards(plan: RulePlan) -> list[Board]:
    """The dashboards of the objectives with rules. A file is named after the service, with
    what a file name should not hold replaced by ``-``, and ``-2``, ``-3`` … after a name
    another service's already took (``a b`` and ``a-b``; ``A`` and ``a`` on a case-blind
    disk); ``GET /dashboards/grafana`` names them the same."""
    found: list[Board] = []
    taken: set[str] = set()
    for service, model in dashboards(plan.targets).items():
        stem = base = re.sub(r"[^A-Za-z0-9._-]+", "-", service)
        n = 1
        while stem.lower() in taken:
            n += 1
            stem = f"{base}-{n}"
        taken.add(stem.lower())
        found.append(Board(stem, service, model))
    return found


def dashboard_json(model: dict[str, Any]) -> str:
    """A dashboard's file text, as Grafana's import takes it."""
    return json.dumps(model, indent=2) + "\n"
