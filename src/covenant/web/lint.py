"""The lint page (staff): is every SLA commitment backed by a stricter SLO? Every finding of
every agreement version of the workspace, as `covenant lint` and ``GET /api/v1/lint`` give them,
with the command's ``--margin``, ``--agreement`` and ``--strict`` (docs/ui.md)."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import Response

from covenant.errors import InputError
from covenant.web.core import backend, page, staff
from covenant.web.routes import pages_router, query_list

router = pages_router()


@router.get("/lint")
def lint_page(request: Request) -> Response:
    from covenant.render.lint import lint_json
    from covenant.services.lint import lint_chosen

    session = staff(request)
    margin = request.query_params.get("margin", "").strip() or None
    if margin is not None and len(margin) > 32:
        raise InputError("margin is longer than 32 characters", hint="margin=0.05")
    chosen = [a[:255] for a in query_list(request, "agreement")]
    strict = request.query_params.get("strict", "") in ("1", "true", "on")
    findings, required = lint_chosen(backend(request).workspace(), margin=margin, agreements=chosen)
    return page(
        "lint.html",
        session=session,
        title="Lint",
        report=lint_json(findings, margin=required, strict=strict),
        margin=margin or "",
        agreement=", ".join(chosen),
        chosen=chosen,
        strict=strict,
    )
