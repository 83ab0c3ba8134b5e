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
from covenant.services.generated_files import (
    dashboard_ours,
    refuse_others,
    write_all_replacing,
)
from covenant.services.prom_rules import RulePlan, plan_rules


def write_grafana_dashboards(
    workspace_path: Path, out: Path, *, slos: Sequence[str] = (), force: bool = False
) -> tuple[list[Path], RulePlan]:
    """Write ``<out>/<service>.json`` for every service with rules; the files and the plan.
    A file there that Covenant did not write is not replaced (nothing is written) unless
    ``force``."""
    workspace = load_workspace(workspace_path)
    plan = plan_rules(workspace, slos=slos)
    if not plan.targets:
        return [], plan  # the command says why, objective by objective
    every = plan_rules(workspace) if slos else plan
    boards = grafana_dashboards(plan, every=every)
    refuse_others(
        [out / f"{board.file}.json" for board in boards],
        ours=dashboard_ours,
        what="not a dashboard whose uid starts with 'covenant-'",
        force=force,
    )
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(
            f"cannot create {out}: {exc.strerror}", hint="choose another --out"
        ) from exc
    # every dashboard made before any file is touched, then all renamed into place at once:
    # a kill or a failure halfway leaves the folder's old dashboards, not some of each
    files = [(out / f"{board.file}.json", [dashboard_json(board.model)]) for board in boards]
    try:
        write_all_replacing(files)
    except OSError as exc:
        raise InputError(
            f"cannot write {exc.filename or out}: {exc.strerror or exc}; no dashboard was replaced",
            hint="give an --out folder you can write to",
        ) from None
    return [path for path, _ in files], plan


@dataclass(frozen=True, slots=True)
class Board:
    """One service's dashboard and the name of its file (without ``.json``)."""

    file: str
    service: str
    model: dict[str, Any]


def grafana_dashboards(plan: RulePlan, *, every: RulePlan | None = None) -> list[Board]:
    """The dashboards of the objectives with rules. A file is named after the service, with
    what a file name should not hold replaced by ``-``, and ``-2``, ``-3`` … after a name
    another service's already took (``a b`` and ``a-b``; ``A`` and ``a`` on a case-blind
    disk), in the order of ``every`` (the whole workspace's plan: a service's file keeps its
    name when ``plan`` holds some SLOs only); ``GET /dashboards/grafana`` names them the same."""
    files: dict[str, str] = {}
    taken: set[str] = set()
    for target in (every or plan).targets:
        if target.service in files:
            continue
        stem = base = re.sub(r"[^A-Za-z0-9._-]+", "-", target.service)
        n = 1
        while stem.lower() in taken:
            n += 1
            stem = f"{base}-{n}"
        taken.add(stem.lower())
        files[target.service] = stem
    return [
        Board(files[service], service, model) for service, model in dashboards(plan.targets).items()
    ]


def dashboard_named(plan: RulePlan, file: str, *, every: RulePlan | None = None) -> Board | None:
    """The dashboard of ``plan`` whose file is ``file`` (with or without ``.json``), as the
    API and the sources page hand them out; ``every``: the whole workspace's plan when
    ``plan`` holds some SLOs only (``grafana_dashboards``)."""
    stem = file.removesuffix(".json")
    return next((b for b in grafana_dashboards(plan, every=every) if b.file == stem), None)


def dashboard_json(model: dict[str, Any]) -> str:
    """A dashboard's file text, as Grafana's import takes it."""
    return json.dumps(model, indent=2) + "\n"
