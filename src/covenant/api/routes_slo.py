"""The SLO side and the bridge, for staff: evaluations, lint, exposure, backtests, suggestions.

Each route calls the service the matching CLI command calls and answers with the same JSON as
its ``--format json`` (``covenant.render``), so a script can move between the two."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Query, Request, Response

from covenant.api.deps import At, Ctx, allow, parse_at, remembered
from covenant.api.encoded import Encoded, send
from covenant.api.errors import RESPONSES
from covenant.core.access import INTERNAL_READERS
from covenant.errors import InputError, NotFoundError

router = APIRouter(responses=RESPONSES, dependencies=[Depends(allow(INTERNAL_READERS))])

Names = Annotated[list[str] | None, Query(max_length=100)]


async def _evaluated(
    ctx: Ctx, at: Any, *, slos: Sequence[str], services: Sequence[str], statuses: Sequence[str]
) -> tuple[bool, Encoded]:
    """Whether anything was selected, and the evaluation's JSON (as `covenant evaluate
    --format json`), kept encoded while nothing changed (``deps.remembered``)."""
    from covenant.api.routes_definitions import json_bytes
    from covenant.core.elapsed import measured_end
    from covenant.services.selection import evaluate_selected

    now = ctx.clock()

    def compute(workspace: Any) -> tuple[bool, Encoded]:
        report = evaluate_selected(
            ctx.engine(),
            workspace=workspace,
            at=at,
            slos=slos,
            services=services,
            statuses=statuses,
            now=now,
        )
        found = bool(report.evaluations or report.composites)
        return found, Encoded(json_bytes(_report_json(report)))

    # an ``at`` after now is counted up to now: the answer moves with the clock's minute
    until = measured_end(at=at, now=now, step=60)
    question = ("evaluation", at, until, tuple(slos), tuple(services), tuple(statuses))
    return await remembered(ctx, question, compute)


def _report_json(report: Any) -> dict[str, Any]:
    from covenant.render.evaluation import report_json
    from covenant.services.corrections import revisions_by_hash

    revisions = revisions_by_hash(report.audit) if report.audit else {}
    composites = [(c.composite, c.evaluation, c.corrected) for c in report.composites]
    return report_json(
        report.at,
        report.evaluations,
        corrected=report.corrected,
        composites=composites,
        revisions=revisions,
        measured_until=report.measured_until,
    )


@router.get("/evaluations", tags=["slos"], response_model=dict[str, Any])
async def list_evaluations(
    ctx: Ctx,
    request: Request,
    at: At,
    slo: Names = None,
    service: Names = None,
    status: Annotated[
        list[str] | None,
        Query(max_length=5, description="breached, paging, warning, ok, no_data"),
    ] = None,
) -> Response:
    """Every SLO evaluated at ``at``: budgets, burn rates, alerts, status (as `covenant
    evaluate --format json`); filters as the CLI's --slo, --service, --status."""
    from covenant.services.selection import status_values, valid_statuses

    statuses = status_values(status or [])
    wrong = sorted(set(statuses) - set(valid_statuses()))
    if wrong:
        raise InputError(
            f"status={wrong[0]!r} is not a status",
            hint="give one of: " + ", ".join(valid_statuses()),
        )
    _, answer = await _evaluated(ctx, at, slos=slo or [], services=service or [], statuses=statuses)
    return send(request, answer)


@router.get("/evaluations/{slo}", tags=["slos"], response_model=dict[str, Any])
async def get_evaluation(ctx: Ctx, request: Request, at: At, slo: str) -> Response:
    """One SLO (``name`` or ``name/objective``) evaluated at ``at``."""
    found, answer = await _evaluated(ctx, at, slos=[slo], services=[], statuses=[])
    if not found:
        raise NotFoundError(
            f"no SLO named {slo!r} is defined", hint="GET /api/v1/slos lists the SLOs"
        )
    return send(request, answer)


Patterns = Annotated[
    list[str] | None,
    Query(
        max_length=100, description="A name or a glob (checkout-*); repeat it for any of several."
    ),
]


@router.get("/lint", tags=["bridge"])
def lint(
    ctx: Ctx,
    margin: Annotated[
        str | None,
        Query(max_length=32, description="Required margin in percentage points (0.05)."),
    ] = None,
    strict: bool = False,
    agreement: Patterns = None,
) -> dict[str, Any]:
    """Is every SLA commitment backed by a stricter SLO? (as `covenant lint --format json`);
    ``agreement`` as the command's --agreement: only those agreements' findings, shown and
    judged."""
    from covenant.render.lint import lint_json
    from covenant.services.lint import lint_chosen

    findings, required = lint_chosen(ctx.workspace(), margin=margin, agreements=agreement or ())
    return lint_json(findings, margin=required, strict=strict)


@router.get("/exposure", tags=["bridge"])
def exposure(
    ctx: Ctx,
    at: At,
    customer: Patterns = None,
    agreement: Patterns = None,
    status: Annotated[
        list[str] | None, Query(max_length=4, description="owed, at-risk, ok, no-forecast")
    ] = None,
) -> dict[str, Any]:
    """Each agreement's current period forecast: tier chances, money at risk, alerts (as
    `covenant exposure --format json`); ``customer`` (id or name), ``agreement`` and
    ``status`` as the command's filters choose the commitments, the portfolio totals stay the
    whole portfolio's."""
    from covenant.render.exposure import exposure_json
    from covenant.services.exposure import exposure as compute
    from covenant.services.row_states import EXPOSURE_STATES
    from covenant.services.selection import chosen_states, select_exposure

    statuses = chosen_states(status or (), EXPOSURE_STATES)
    result = compute(ctx.engine(), workspace=ctx.workspace(), at=at, now=ctx.clock())
    chosen = select_exposure(
        result, customers=customer or (), agreements=agreement or (), statuses=statuses
    )
    return exposure_json(chosen)


Period = Annotated[str, Query(max_length=16, description="A month (2026-11) or quarter (2026-Q4).")]


@router.post("/backtests/agreement", tags=["bridge"])
def backtest_agreement(
    ctx: Ctx,
    at: At,
    proposal: Annotated[
        str,
        Body(
            media_type="application/yaml",
            max_length=1_000_000,
            description="One Agreement document (YAML), the proposed terms.",
        ),
    ],
    first: Period,
    last: Period,
    version: Annotated[int | None, Query(ge=1, le=100_000)] = None,
) -> dict[str, Any]:
    """What proposed terms would have paid in each period from ``first`` to ``last``, beside
    the current terms (as `covenant backtest agreement --format json`)."""
    from covenant.render.backtest import backtest_json
    from covenant.services.backtest import backtest_agreement as compute

    result = compute(
        ctx.engine(),
        workspace_dir=ctx.settings.workspace,
        proposal_text=proposal,
        proposal_file="<request>",
        first=first,
        last=last,
        at=at,
        version=version,
        now=ctx.clock(),  # an ``at`` after now is measured up to now
    )
    return backtest_json(result)


@router.get("/backtests/alerts/{slo}", tags=["slos"])
def backtest_alerts(
    ctx: Ctx,
    slo: str,
    start: Annotated[str | None, Query(alias="from", max_length=64)] = None,
    end: Annotated[str | None, Query(alias="to", max_length=64)] = None,
    step: Annotated[str, Query(max_length=16, description="5m, 1m, 1h")] = "5m",
    tier: Annotated[
        list[str] | None,
        Query(max_length=20, description="name:severity:burn:long:short (repeatable)"),
    ] = None,
) -> dict[str, Any]:
    """When each alert tier would have fired over ``[from, to]`` (as `covenant backtest
    alerts --format json`)."""
    from covenant.render.alert_backtest import alerts_json
    from covenant.services.alert_backtest import backtest_alerts as compute
    from covenant.services.alert_backtest import parse_step, parse_tier

    now = ctx.clock()
    replays = compute(
        ctx.engine(),
        workspace=ctx.workspace(),
        slo=slo,
        start=None if start is None else parse_at(start, now=now, name="from"),
        end=parse_at(end, now=now, name="to"),
        step_s=parse_step(step),
        tiers=None if not tier else [parse_tier(t) for t in tier],
    )
    return alerts_json(replays)


Windows = Annotated[int, Query(ge=1, le=120, description="Windows to look back (M).")]
Hold = Annotated[int, Query(ge=1, le=120, description="Windows the target must hold in (N).")]


@router.get("/suggestions/slo/{slo}", tags=["slos"])
def suggest_slo(ctx: Ctx, at: At, slo: str, windows: Windows = 12, hold: Hold = 10) -> Any:
    """The target that would have held in ``hold`` of the last ``windows`` windows."""
    from covenant.render.suggest import suggestion_json
    from covenant.services.suggest import suggest_slo as compute

    found = compute(
        ctx.engine(), workspace=ctx.workspace(), slo=slo, at=at, windows=windows, hold=hold
    )
    return suggestion_json(found)


@router.get("/suggestions/backing/{agreement}", tags=["bridge"])
def suggest_backing(
    ctx: Ctx,
    at: At,
    agreement: str,
    margin: Annotated[str | None, Query(max_length=32)] = None,
    version: Annotated[int | None, Query(ge=1, le=100_000)] = None,
    windows: Windows = 12,
    hold: Hold = 10,
) -> Any:
    """The backing SLO target each commitment of ``agreement`` needs, and how its SLOs fare."""
    from covenant.render.suggest import backing_json
    from covenant.services.suggest import required_margin
    from covenant.services.suggest import suggest_backing as compute

    workspace = ctx.workspace()
    used = required_margin(workspace, agreement=agreement, given=margin)
    _, found = compute(
        ctx.engine(),
        workspace=workspace,
        agreement=agreement,
        at=at,
        margin=used,
        version=version,
        windows=windows,
        hold=hold,
    )
    return backing_json(found)
