"""Pages for tuning objectives from history (staff): an SLO's alert backtest, as `covenant
backtest alerts` and ``GET /api/v1/backtests/alerts/{slo}`` replay it, and the target
suggestions of `covenant suggest` (``GET /api/v1/suggestions/slo/{slo}`` and
``/suggestions/backing/{agreement}``): the same services with the same parameters, linked from
the SLO and agreement pages (docs/ui.md)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import Request
from fastapi.responses import Response

from covenant.core.timeutil import shorthand
from covenant.errors import InputError
from covenant.render.evaluation import minute_text
from covenant.render.sla import committed_text, level_text
from covenant.web.core import backend, page, staff
from covenant.web.routes import pages_router, query_list

router = pages_router()

SHOWN: dict[str, Any] = {
    "level_text": level_text,
    "committed_text": committed_text,
    "shorthand": shorthand,
}


def _text(request: Request, name: str, longest: int) -> str | None:
    value = request.query_params.get(name, "").strip()
    if len(value) > longest:
        raise InputError(f"{name} is longer than {longest} characters", hint=f"shorten {name}")
    return value or None


def _count(request: Request, name: str, default: int, *, high: int) -> int:
    value = _text(request, name, 10)
    if value is None:
        return default
    if not value.isdigit() or not 1 <= int(value) <= high:
        raise InputError(
            f"{name} {value!r} is not a whole number from 1 to {high}", hint=f"{name}={default}"
        )
    return int(value)


def _instant(request: Request, name: str, now: datetime) -> datetime | None:
    from covenant.core.when import parse_instant

    given = _text(request, name, 64)
    return None if given is None else parse_instant(given, reference=now, option=name)


def _history(request: Request, now: datetime) -> tuple[datetime, int, int]:
    """A suggestion's ``at`` (default now), ``windows`` and ``hold``, as the API's defaults."""
    at = _instant(request, "at", now) or now
    return at, _count(request, "windows", 12, high=120), _count(request, "hold", 10, high=120)


@router.get("/backtests/alerts/{slo}")
def alert_backtest_page(request: Request, slo: str) -> Response:
    """When each alert tier of ``slo`` would have fired over ``[from, to]``."""
    from covenant.render.alert_backtest import policy_note
    from covenant.services.alert_backtest import backtest_alerts, parse_step, parse_tier

    session = staff(request)
    ctx = backend(request)
    now = ctx.clock()
    step = _text(request, "step", 16) or "5m"
    tiers = query_list(request, "tier")
    if any(len(t) > 100 for t in tiers):
        raise InputError(
            "a tier is longer than 100 characters", hint="name:severity:burn:long:short"
        )
    replays = backtest_alerts(
        ctx.engine(),
        workspace=ctx.workspace(),
        slo=slo,
        start=_instant(request, "from", now),
        end=_instant(request, "to", now) or now,
        step_s=parse_step(step),
        tiers=[parse_tier(t) for t in tiers] or None,
    )
    return page(
        "alert_backtest.html",
        session=session,
        title=f"Alert backtest: {slo}",
        slo=slo,
        replays=replays,
        chosen={
            "from": request.query_params.get("from", ""),
            "to": request.query_params.get("to", ""),
            "step": step,
            "tier": tiers,
        },
        minute_text=minute_text,
        policy_note=policy_note,
        **SHOWN,
    )


@router.get("/suggestions/slo/{slo}")
def slo_suggestions_page(request: Request, slo: str) -> Response:
    """The target each objective of ``slo`` would have held in ``hold`` of ``windows``."""
    from covenant.services.suggest import suggest_slo

    session = staff(request)
    ctx = backend(request)
    at, windows, hold = _history(request, ctx.clock())
    found = suggest_slo(
        ctx.engine(), workspace=ctx.workspace(), slo=slo, at=at, windows=windows, hold=hold
    )
    return page(
        "suggestions.html",
        session=session,
        title=f"Target suggestions: {slo}",
        slo=slo,
        items=found,
        at=at,
        windows=windows,
        hold=hold,
        minute_text=minute_text,
        **SHOWN,
    )


@router.get("/suggestions/backing/{agreement}")
def backing_suggestions_page(request: Request, agreement: str) -> Response:
    """The backing target each commitment of ``agreement`` needs, and how its SLOs fare."""
    from covenant.services.suggest import required_margin, suggest_backing

    session = staff(request)
    ctx = backend(request)
    at, windows, hold = _history(request, ctx.clock())
    version_text = _text(request, "version", 6)
    version = None
    if version_text is not None:
        version = _count(request, "version", 1, high=100_000)
    workspace = ctx.workspace()
    margin = _text(request, "margin", 32)
    used = required_margin(workspace, agreement=agreement, given=margin)
    terms, found = suggest_backing(
        ctx.engine(),
        workspace=workspace,
        agreement=agreement,
        at=at,
        margin=used,
        version=version,
        windows=windows,
        hold=hold,
    )
    values: dict[str, Any] = {
        "agreement": agreement,
        "version": terms.version,
        "items": found,
        "at": at,
        "windows": windows,
        "hold": hold,
        "margin": margin or "",
    }
    return page(
        "backing_suggestions.html",
        session=session,
        title=f"Backing suggestions: {agreement}",
        minute_text=minute_text,
        **values,
        **SHOWN,
    )
