"""A composite SLO's page (admin, editor, viewer): its components with their weights and
figures, and the composite's level, budget, burn rate, alert tiers and status, with the SLO
page's charts (its level over the window, the budget burn-down with the ideal line, its
tiers' burn rates), drawn from the same timeline code (``services.slo_timeline``).

The figures are the API's (``evaluate_objectives`` with the workspace's corrections; the
corrected evaluation where a correction touches an objective or the composite).
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from fastapi import Request
from fastapi.responses import Response

from covenant.core.composite import CompositeObjective
from covenant.core.model import BudgetingMethod
from covenant.core.results import Evaluation
from covenant.core.timeutil import shorthand
from covenant.definitions.workspace import Workspace
from covenant.render.evaluation import target_percent
from covenant.web.core import backend, page, staff
from covenant.web.routes import pages_router
from covenant.web.team import chart_timeline, chart_values, composite_titles, percent, rate

router = pages_router()


@dataclass(frozen=True, slots=True, kw_only=True)
class Part:
    key: str
    name: str
    weight: Fraction  # as written (compositeWeight)
    integer_weight: int  # the smallest whole numbers with the same ratios
    share: Fraction  # of the weights' sum
    linked: bool  # it has an SLO page of its own
    evaluation: Evaluation


@dataclass(frozen=True, slots=True, kw_only=True)
class CompositeView:
    composite: CompositeObjective
    now: Evaluation
    corrected: bool
    parts: tuple[Part, ...]


def composite_view(engine: Any, workspace: Workspace, key: str, at: Any) -> CompositeView:
    from covenant.services.evaluate import effective, evaluate_objectives
    from covenant.services.slo_timeline import find_composite

    composite = find_composite(workspace, key)
    members = [c.objective for c in composite.components]
    report = evaluate_objectives(
        engine,
        objectives=members,
        at=at,
        composites=[composite],
        corrections=workspace.corrections,
        now=at,  # the page's clock
    )
    result = report.composites[0]
    plain = {o.key for o in workspace.objectives}
    total = sum((c.weight for c in composite.components), Fraction(0))
    parts = tuple(
        Part(
            key=c.objective.key,
            name=c.objective.display_name or c.objective.name or c.objective.key,
            weight=c.weight,
            integer_weight=w,
            share=c.weight / total,
            linked=c.objective.key in plain,
            evaluation=e,
        )
        for c, w, e in zip(
            composite.components,
            composite.integer_weights,
            report.effective[: len(members)],
            strict=True,
        )
    )
    return CompositeView(
        composite=composite,
        now=effective(result.evaluation, result.corrected),
        corrected=result.corrected.evaluation is not None,
        parts=parts,
    )


@router.get("/composites/{composite}")
def composite_page(request: Request, composite: str) -> Response:
    key = composite
    session = staff(request)
    ctx = backend(request)
    at = ctx.clock()
    view = ctx.remembered(
        ("ui-composite", key, at), lambda ws: composite_view(ctx.engine(), ws, key, at)
    )
    o = view.composite.objective
    timeline = chart_timeline(request, key, composite=True)
    return page(
        "composite.html",
        session=session,
        title=o.display_name or composite_titles(ctx.workspace()).get(o.key) or o.key,
        key=view.composite.key,
        view=view,
        e=view.now,
        timeslices=o.method is BudgetingMethod.TIMESLICES,
        percent=percent,
        target=target_percent,
        rate=rate,
        shorthand=shorthand,
        **chart_values(timeline),
    )
