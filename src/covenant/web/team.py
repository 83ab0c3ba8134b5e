"""Pages for the team (admin, editor, viewer): the overview of every SLO, and an SLO's page."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any
from urllib.parse import urlencode

import orjson
from fastapi import Request
from fastapi.responses import Response

from covenant.core.results import Evaluation, Status
from covenant.core.timeutil import shorthand
from covenant.definitions.workspace import Workspace
from covenant.errors import InputError
from covenant.render.evaluation import target_percent
from covenant.web.core import BASE, SECURITY_HEADERS, backend, page, staff
from covenant.web.routes import pages_router, query_list

router = pages_router()

PAGE_SIZE = 100
STATUS_ORDER = {s: i for i, s in enumerate(Status)}  # worst first
SORTS = ("status", "name", "service", "budget", "burn")


@dataclass(frozen=True, slots=True, kw_only=True)
class Row:
    key: str
    name: str
    service: str
    labels: dict[str, str]
    status: Status
    budget: Fraction | None  # remaining ratio
    burn: Fraction | None
    firing: tuple[str, ...]
    composite: bool  # a composite SLO (its page: /ui/composites/KEY)
    policy_note: str | None = None  # slices of the SLO window a good/bad noDataPolicy counted
    burn_policy_note: str | None = None  # likewise, of the burn rate's window
    coverage_note: str | None = None  # the window starts before the stored data (from when)
    no_data: str | None = None  # why the status is no data
    stale: bool = False  # its source has not answered for now: the figures are the data's so far


def slo_labels(workspace: Workspace) -> dict[str, dict[str, str]]:
    """Each SLO's metadata.labels as text (OpenSLO allows a list of values per key)."""
    found: dict[str, dict[str, str]] = {}
    for doc in workspace.documents:
        if doc.kind != "SLO":
            continue
        labels = (doc.raw.get("metadata") or {}).get("labels") or {}
        if isinstance(labels, dict):
            found[doc.name] = {
                str(k): ",".join(map(str, v)) if isinstance(v, list) else str(v)
                for k, v in labels.items()
            }
    return found


def composite_titles(workspace: Workspace) -> dict[str, str]:
    """Each composite SLO's ``metadata.displayName`` by key (its objective has none itself)."""
    keys = {c.key for c in workspace.composites}
    found: dict[str, str] = {}
    for doc in workspace.documents:
        title = (doc.raw.get("metadata") or {}).get("displayName")
        if doc.kind == "SLO" and doc.name in keys and title:
            found[doc.name] = str(title)
    return found


def rows_of(evaluations: Sequence[Evaluation], workspace: Workspace) -> list[Row]:
    labels = slo_labels(workspace)
    composites = {c.key for c in workspace.composites}
    titles = composite_titles(workspace)
    rows = []
    for e in evaluations:
        o = e.objective
        rows.append(
            Row(
                key=o.key,
                name=o.display_name or titles.get(o.key) or o.key,
                service=o.service,
                labels=labels.get(o.slo, {}),
                status=e.status,
                budget=None if e.budget is None else e.budget.remaining_ratio,
                burn=None if e.burn is None else e.burn.rate,
                firing=tuple(t.name for t in e.firing),
                composite=o.key in composites,
                policy_note=e.policy_note,
                coverage_note=e.coverage_note,
                burn_policy_note=None if e.burn is None else e.burn.policy_note,
                no_data=e.no_data,
                stale=e.stale is not None and e.stale.behind,
            )
        )
    return rows


def _label_match(row: Row, wanted: Sequence[str]) -> bool:
    for item in wanted:
        key, eq, value = item.partition("=")
        if eq and row.labels.get(key.strip()) != value.strip():
            return False
        if not eq and key.strip() not in row.labels:
            return False
    return True


def filtered(
    rows: list[Row],
    *,
    services: Sequence[str],
    labels: Sequence[str],
    statuses: Sequence[str],
    text: str,
) -> list[Row]:
    wanted = {s.lower() for s in statuses}
    unknown = wanted - {s.value for s in Status}
    if unknown:
        raise InputError(
            f"status={sorted(unknown)[0]!r} is not a status",
            hint="give one of: " + ", ".join(s.value for s in Status),
        )
    needle = text.strip().lower()
    return [
        r
        for r in rows
        if (not services or r.service in services)
        and (not wanted or r.status.value in wanted)
        and _label_match(r, labels)
        and (not needle or needle in r.key.lower() or needle in r.name.lower())
    ]


def _low(value: Fraction | None) -> tuple[int, Fraction]:
    return (1, Fraction(0)) if value is None else (0, value)


def sort_rows(rows: list[Row], sort: str, descending: bool) -> list[Row]:
    if sort not in SORTS:
        raise InputError(f"sort={sort!r} is not one of {', '.join(SORTS)}", hint="sort=status")
    if sort == "name":
        return sorted(rows, key=lambda r: r.key, reverse=descending)
    if sort == "service":
        return sorted(rows, key=lambda r: (r.service, r.key), reverse=descending)
    if sort == "budget":  # least budget left first
        return sorted(rows, key=lambda r: (_low(r.budget), r.key), reverse=descending)
    if sort == "burn":  # fastest burn first
        ordered = sorted(rows, key=lambda r: (r.burn is not None, r.burn or 0, r.key))
        return ordered if descending else ordered[::-1]
    return sorted(rows, key=lambda r: (STATUS_ORDER[r.status], r.key), reverse=descending)


def percent(value: Fraction | None, digits: int = 1) -> str:
    if value is None:
        return "–"
    return f"{float(value) * 100:.{digits}f} %"


def rate(value: Fraction | None) -> str:
    return "–" if value is None else f"{float(value):.2f}×"


@router.get("/overview")
def overview(request: Request) -> Response:
    from covenant.services.evaluate import evaluate_workspace

    session = staff(request)
    ctx = backend(request)
    at = ctx.clock()
    report = ctx.remembered(
        ("ui-overview", at),
        lambda ws: evaluate_workspace(ctx.engine(), workspace=ws, at=at, now=at),
    )
    workspace = ctx.workspace()
    everything = rows_of(report.effective, workspace)
    services = query_list(request, "service")
    labels = query_list(request, "label")
    statuses = query_list(request, "status")
    text = request.query_params.get("q", "")[:100]
    sort = request.query_params.get("sort", "status")
    descending = request.query_params.get("order", "asc") == "desc"
    try:
        number = max(1, int(request.query_params.get("page", "1")))
    except ValueError:
        raise InputError("page is not a whole number", hint="page=1") from None
    shown = sort_rows(
        filtered(everything, services=services, labels=labels, statuses=statuses, text=text),
        sort,
        descending,
    )
    pages = max(1, -(-len(shown) // PAGE_SIZE))
    number = min(number, pages)
    chosen = {"service": services, "label": labels, "status": statuses, "q": text}

    def link(**change: Any) -> str:
        params: dict[str, Any] = {
            "service": services,
            "label": labels,
            "status": statuses,
            "q": text,
            "sort": sort,
            "order": "desc" if descending else "asc",
            "page": number,
        }
        params.update(change)
        kept = {k: v for k, v in params.items() if v not in ("", [], None)}
        return f"{BASE}/overview?" + urlencode(kept, doseq=True)

    all_labels = sorted({f"{k}={v}" for r in everything for k, v in r.labels.items()})
    return page(
        "overview.html",
        session=session,
        title="Overview",
        at=at,
        rows=shown[(number - 1) * PAGE_SIZE : number * PAGE_SIZE],
        total=len(everything),
        matched=len(shown),
        counts={s: sum(1 for r in everything if r.status is s) for s in Status},
        services=sorted({r.service for r in everything if r.service}),
        labels=all_labels,
        statuses=[s.value for s in Status],
        chosen=chosen,
        sort=sort,
        descending=descending,
        page_number=number,
        pages=pages,
        link=link,
        percent=percent,
        rate=rate,
    )


def series_json(timeline: Any) -> dict[str, Any]:
    """The charts' data: x in Unix seconds, values as numbers (display only; the exact figures
    are in the API's evaluations)."""

    def num(value: Fraction | None, scale: int = 1) -> float | None:
        return None if value is None else float(value) * scale

    xs = [int(t.timestamp()) for t in timeline.instants]
    start = timeline.now.window_start.timestamp()
    end = timeline.ideal_end.timestamp()
    ideal = [
        max(0.0, min(100.0, 100 * (1 - (x - start) / (end - start)))) if end > start else None
        for x in xs
    ]
    tiers = []
    for i, tier in enumerate(timeline.objective.alert_tiers):
        tiers.append(
            {
                "name": tier.name,
                "severity": tier.severity,
                "threshold": num(timeline.now.tiers[i].threshold) if timeline.now.tiers else None,
                "burn": [num(p.tiers[i].long.rate) if p.tiers else None for p in timeline.points],
            }
        )
    return {
        "slo": timeline.objective.key,
        "points": len(xs),
        "x": xs,
        "sli": [num(p.sli, 100) for p in timeline.points],
        "target": float(timeline.objective.target) * 100,
        "budget": [num(left, 100) for left in timeline.left],
        "ideal": ideal,
        "calendar": timeline.calendar,
        "corrected": timeline.corrected,
        "tiers": tiers,
    }


def chart_timeline(request: Request, key: str, *, composite: bool = False) -> Any:
    """The timeline the charts of SLO ``key`` (a composite's page: ``composite``) draw, with
    ``?points=N`` instants (default 60)."""
    from covenant.services.slo_timeline import DEFAULT_POINTS, composite_timeline, slo_timeline

    ctx = backend(request)
    at = ctx.clock()
    try:
        points = int(request.query_params.get("points", DEFAULT_POINTS))
    except ValueError:
        raise InputError("points is not a whole number", hint="points=60") from None
    make = composite_timeline if composite else slo_timeline
    return ctx.remembered(
        ("ui-timeline", composite, key, at, points),
        lambda ws: make(ctx.engine(), workspace=ws, key=key, at=at, points=points),
    )


def chart_values(timeline: Any) -> dict[str, Any]:
    """What the charts partial (``_charts.html``) is given: the timeline, its chart data, and
    that data as the JSON the page embeds for ``charts.js``."""
    chart = series_json(timeline)
    return {"timeline": timeline, "chart": chart, "series": orjson.dumps(chart).decode()}


@router.get("/slos/{key:path}/series.json")
def slo_series(request: Request, key: str) -> Response:
    staff(request)
    data = series_json(chart_timeline(request, key))
    return Response(orjson.dumps(data), media_type="application/json", headers=SECURITY_HEADERS)


@router.get("/slos/{key:path}")
def slo_page(request: Request, key: str) -> Response:
    from covenant.services.slo_pages import slo_details

    session = staff(request)
    ctx = backend(request)
    timeline = chart_timeline(request, key)
    details = slo_details(
        ctx.engine(), workspace=ctx.workspace(), objective=timeline.objective, at=ctx.clock()
    )
    return page(
        "slo.html",
        session=session,
        title=timeline.objective.display_name or key,
        key=key,
        e=timeline.now,
        details=details,
        **chart_values(timeline),
        percent=percent,
        target=target_percent,
        rate=rate,
        shorthand=shorthand,
    )
