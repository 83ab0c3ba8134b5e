"""The sources page (staff): the pipeline that feeds the SLOs — each Prometheus DataSource,
how far its series were read and why a read failed — and this process's worker, as
``/api/v1/data-sources`` and ``/api/v1/worker`` answer — and what Prometheus and Grafana are
given: the generated rules and dashboards to download, the objectives left out with why — and
the definitions as OpenSLO YAML to download, and (admins) the store's schema revision as
`covenant db current` prints it (docs/ui.md)."""

from __future__ import annotations

from typing import Literal

from fastapi import Request
from fastapi.responses import Response, StreamingResponse

from covenant.core.access import ADMINS, WRITERS
from covenant.errors import NotFoundError
from covenant.web.core import backend, page, staff
from covenant.web.routes import pages_router

router = pages_router()


@router.get("/sources")
def sources(request: Request) -> Response:
    from covenant.services.dashboards import grafana_dashboards
    from covenant.services.database import database_current
    from covenant.services.prom_rules import plan_rules, rule_notes
    from covenant.services.source_status import data_sources_json, worker_json
    from covenant.web.prometheus_read import readable_slos
    from covenant.web.record_upload import form_values

    session = staff(request)
    ctx = backend(request)
    workspace = ctx.workspace()
    found = data_sources_json(ctx.engine(), workspace)
    plan = plan_rules(workspace)
    return page(
        "sources.html",
        session=session,
        title="Sources",
        at=ctx.clock(),
        sources=found,
        worker=worker_json(ctx.worker, ctx.engine(), workspace, sources=found),
        rules=[t.objective.key for t in plan.targets],
        notes=rule_notes(plan, at=ctx.clock()),
        boards=grafana_dashboards(plan),
        # `covenant db current`: for admins only, as ``GET /api/v1/db`` (the store's address)
        schema=(
            database_current(ctx.settings.database_url)
            if session.principal.role in ADMINS
            else None
        ),
        can_read=session.principal.role in WRITERS,
        slo_choices=readable_slos(workspace),
        values={"from": "", "to": "now", "slo": []},
        records=form_values(),
    )


@router.get("/sources/rules.yml")
def rules_file(request: Request, format: Literal["rules", "prometheusrule"] = "rules") -> Response:
    """The rule file of `covenant rules prometheus` (``format=prometheusrule``: the
    prometheus-operator form), to save: as ``GET /api/v1/rules/prometheus`` answers."""
    from covenant.services.prom_rules import none_with_rules, plan_rules, rule_file_chunks

    staff(request)
    operator = format == "prometheusrule"
    plan = plan_rules(backend(request).workspace())
    if not plan.targets:
        raise none_with_rules(
            plan,
            listed="the sources page lists each objective with the reason",
            error=NotFoundError,
        )
    name = "covenant-prometheusrule.yaml" if operator else "covenant-rules.yml"
    return StreamingResponse(  # sent as made, one objective's groups at a time
        rule_file_chunks(plan, operator=operator),
        media_type="application/yaml; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get("/sources/dashboards/{file}")
def dashboard_file(request: Request, file: str) -> Response:
    """One service's Grafana dashboard (`covenant dashboards grafana`'s file), to save."""
    from covenant.services.dashboards import dashboard_json, dashboard_named
    from covenant.services.prom_rules import plan_rules

    staff(request)
    board = dashboard_named(plan_rules(backend(request).workspace()), file)
    if board is not None:
        return Response(
            dashboard_json(board.model),
            media_type="application/json",
            headers={"Content-Disposition": f'attachment; filename="{board.file}.json"'},
        )
    raise NotFoundError(
        f"no Grafana dashboard named {file!r}", hint="the sources page links every dashboard"
    )


@router.get("/sources/openslo.yaml")
def openslo_file(request: Request) -> Response:
    """The workspace's definitions as OpenSLO v1 YAML, to save: what `covenant export openslo`
    writes for the same workspace."""
    from covenant.services.workspace import openslo_text

    staff(request)
    return Response(
        openslo_text(backend(request).workspace()),
        media_type="application/yaml; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="openslo.yaml"'},
    )
