"""What Prometheus and Grafana are given, for staff: the rules of `covenant rules prometheus`
and the dashboards of `covenant dashboards grafana`, from the definitions this server reads,
so a pipeline (a sidecar writing the rule file, a GitOps job) can fetch them instead of
running the command (docs/api.md, docs/prometheus-rules.md)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, Depends, Query, Response
from fastapi.responses import JSONResponse, StreamingResponse

from covenant.api.deps import Ctx, allow
from covenant.api.errors import RESPONSES
from covenant.core.access import INTERNAL_READERS
from covenant.errors import NotFoundError

if TYPE_CHECKING:
    from covenant.services.prom_rules import RulePlan

router = APIRouter(responses=RESPONSES, dependencies=[Depends(allow(INTERNAL_READERS))])

Slos = Annotated[
    list[str] | None,
    Query(max_length=100, description="Only these SLOs (repeat it; default: every SLO)."),
]


class RuleFormat(StrEnum):
    RULES = "rules"
    PROMETHEUSRULE = "prometheusrule"


def _plan(ctx: Ctx, slos: list[str] | None) -> RulePlan:
    from covenant.services.prom_rules import plan_rules

    return plan_rules(ctx.workspace(), slos=slos or ())


@router.get(
    "/rules/prometheus",
    tags=["monitoring"],
    response_class=Response,
    responses={200: {"content": {"application/yaml": {"schema": {"type": "string"}}}}},
)
def prometheus_rules(
    ctx: Ctx,
    slo: Slos = None,
    format: RuleFormat = RuleFormat.RULES,
    name: Annotated[
        str | None, Query(max_length=253, description="prometheusrule: metadata.name.")
    ] = None,
    namespace: Annotated[
        str | None, Query(max_length=63, description="prometheusrule: metadata.namespace.")
    ] = None,
    label: Annotated[
        list[str] | None,
        Query(max_length=100, description="prometheusrule: a metadata label KEY=VALUE."),
    ] = None,
    level: Annotated[
        int | None,
        Query(
            ge=1,
            le=1000,
            description="Only the recording rules of dependency level N (1: those reading "
            "the SLIs' metrics; each next level reads the levels before it), to back-fill the "
            "history with promtool one level at a time; the plan's `levels` says how many "
            "there are. Not with format=prometheusrule.",
        ),
    ] = None,
) -> Response:
    """The rule file (YAML) `covenant rules prometheus` writes for the same definitions and
    options, byte for byte: a Prometheus rule file, or with ``format=prometheusrule`` a
    prometheus-operator ``PrometheusRule``, or with ``level`` the recording rules of one
    dependency level (``--level``). The objectives left out and what the rules need of the
    server are in ``GET /rules/prometheus/plan``; none with rules is ``invalid-input``."""
    from covenant.services.prom_rules import (
        check_level,
        level_chunks,
        none_with_rules,
        operator_metadata,
        rule_file_chunks,
    )

    operator = format is RuleFormat.PROMETHEUSRULE
    metadata = operator_metadata(name, namespace, label or [], operator=operator, flag="")
    check_level(level, operator=operator, flag="")
    plan = _plan(ctx, slo)
    if not plan.targets:
        raise none_with_rules(
            plan, listed="GET /api/v1/rules/prometheus/plan lists each objective with the reason"
        )
    if level is not None:  # a level past the last is refused here, before any byte is sent
        chunks = level_chunks(plan, level=level, flag="")[0]
    else:
        chunks = rule_file_chunks(plan, operator=operator, metadata=metadata)
    # sent as made, one objective's groups at a time (5,000 SLOs' rules never in memory)
    return StreamingResponse(chunks, media_type="application/yaml; charset=utf-8")


@router.get("/rules/prometheus/plan", tags=["monitoring"])
def prometheus_rules_plan(ctx: Ctx, slo: Slos = None) -> dict[str, Any]:
    """Which objectives get rules (``rules``: their keys) and the notes `covenant rules
    prometheus` prints on standard error: each objective left out with the reason
    (``skipped``), what the server or Alertmanager needs (``note``), what to act on soon
    (``warning``); and how many dependency ``levels`` the recording rules have (the
    ``level`` parameter of ``GET /rules/prometheus`` takes 1 to that)."""
    from covenant.services.prom_rules import level_count, rule_notes

    plan = _plan(ctx, slo)
    return {
        "rules": [t.objective.key for t in plan.targets],
        "levels": level_count(plan),
        "notes": [n.as_json() for n in rule_notes(plan, at=ctx.clock())],
    }


@router.get(
    "/rules/prometheus/tests",
    tags=["monitoring"],
    response_class=Response,
    responses={
        200: {
            "content": {
                "application/json": {
                    "schema": {
                        "type": "object",
                        "properties": {
                            "tests_file": {"type": "string"},
                            "tests": {"type": "string"},
                            "rules_file": {"type": "string"},
                            "rules": {"type": "string"},
                            "checks": {"type": "array", "items": {"type": "string"}},
                        },
                    }
                }
            }
        }
    },
)
def prometheus_rule_tests(
    ctx: Ctx,
    slo: Slos = None,
    file: Annotated[
        str,
        Query(
            min_length=1,
            max_length=200,
            pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$",
            description="The name the tests file is saved as (letters, digits, '.', '_', "
            "'-'): the rules it loads are named after it, with .rules.yml.",
        ),
    ] = "slo-tests.yml",
) -> Response:
    """The promtool unit tests `covenant rules prometheus --tests FILE` writes, byte for
    byte: ``tests`` (to save as ``tests_file``, run with ``promtool test rules``) and the
    ``rules`` they load (to save beside it as ``rules_file``); ``checks``: what each
    objective's tests check, as the command prints it. Each alert tier fires and resolves at
    the instants Covenant's engine computes. Sent as made, one objective at a time."""
    from covenant.services.prom_rules import none_with_rules
    from covenant.services.prom_tests import rule_test_chunks

    plan = _plan(ctx, slo)
    if not plan.targets:
        raise none_with_rules(
            plan, listed="GET /api/v1/rules/prometheus/plan lists each objective with the reason"
        )
    made = rule_test_chunks(plan, name=file)  # nothing to test is refused before any byte

    def answer() -> Iterator[str]:
        yield '{"tests_file":' + _json(file) + ',"tests":'
        yield from json_string_chunks(made.tests)  # fills made.checks, one objective a time
        yield ',"rules_file":' + _json(made.rules_file) + ',"rules":'
        yield from json_string_chunks(made.rules)
        yield ',"checks":' + json.dumps(made.checks, ensure_ascii=False, separators=(",", ":"))
        yield "}"

    return StreamingResponse(answer(), media_type="application/json")


def _json(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


def json_string_chunks(chunks: Iterator[str]) -> Iterator[str]:
    """One JSON string holding the pieces joined, written a piece at a time (escaping is by
    character, so the escaped pieces join to the escaped whole)."""
    yield '"'
    for chunk in chunks:
        if chunk:
            yield _json(chunk)[1:-1]
    yield '"'


@router.get("/dashboards/grafana", tags=["monitoring"])
def grafana_dashboards(ctx: Ctx, slo: Slos = None) -> dict[str, Any]:
    """One Grafana dashboard per service with rules (as `covenant dashboards grafana` writes
    them): its ``file`` name, ``uid``, ``title`` and the SLOs on it; fetch one with ``GET
    /dashboards/grafana/{file}``."""
    from covenant.services.dashboards import grafana_dashboards as boards

    plan = _plan(ctx, slo)
    slos: dict[str, list[str]] = {}
    for t in plan.targets:
        slos.setdefault(t.service, []).append(t.objective.key)
    items = [
        {
            "file": b.file,
            "service": b.service,
            "uid": b.model["uid"],
            "title": b.model["title"],
            "objectives": slos[b.service],
        }
        for b in boards(plan, every=_plan(ctx, None) if slo else None)
    ]
    return {"items": items}


@router.get("/dashboards/grafana/{file}", tags=["monitoring"], response_class=JSONResponse)
def grafana_dashboard(ctx: Ctx, file: str, slo: Slos = None) -> Response:
    """One service's dashboard, the JSON Grafana imports (Dashboards → Import, or its HTTP
    API's ``dashboard`` field), the same as `covenant dashboards grafana` writes to
    ``<file>.json`` (with ``slo``: as ``--slo`` writes it, those SLOs' panels only)."""
    from covenant.services.dashboards import dashboard_json, dashboard_named, grafana_dashboards

    every = _plan(ctx, None)
    plan = _plan(ctx, slo) if slo else every
    board = dashboard_named(plan, file, every=every)
    if board is None:
        known = ", ".join(b.file for b in grafana_dashboards(plan, every=every))
        some = " with the slo asked for" if slo else ""
        raise NotFoundError(
            f"no Grafana dashboard named {file!r}{some}",
            hint=f"GET /api/v1/dashboards/grafana{'?slo=…' if slo else ''} lists them (here: "
            f"{known or 'none: no objective gets Prometheus rules'})",
        )
    return Response(dashboard_json(board.model), media_type="application/json")
