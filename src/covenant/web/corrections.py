"""The corrections page (staff): every SLO correction — the workspace files' and those recorded
over HTTP (docs/adr/0006) — as written; for editors and admins the forms that create one and
delete one, as ``POST /api/v1/corrections`` and ``DELETE /api/v1/corrections/{name}`` do: the
same service (``services.definition_writes``), recorded in the audit log under the signed-in
user (its ``author`` unless one is given). A form answers with a redirect (Post/Redirect/Get)
and a note; a refused one is the page again, the form as typed (docs/ui.md)."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import Response

from covenant.errors import CovenantError
from covenant.web.core import backend
from covenant.web.definition_forms import items, write_definition_form
from covenant.web.form_pages import FormPage, audit_reason, posted_form
from covenant.web.routes import pages_router

router = pages_router()
NOTES = {"created": "Created", "deleted": "Deleted"}
FIELDS = ("start", "end", "duration", "rrule", "until", "count", "timeZone", "author")


def _listed(request: Request) -> list[dict[str, Any]]:
    """Every correction as written: its spec's fields, the SLOs (none: every SLO)."""
    from covenant.services.workspace import definitions_of

    rows = []
    for d in definitions_of(backend(request).workspace(), "Correction"):
        spec = d.raw.get("spec", {})
        spec = spec if isinstance(spec, dict) else {}
        rows.append(
            {
                "name": d.name,
                "slos": spec.get("slos") or [],
                "when": [(k, spec[k]) for k in FIELDS if spec.get(k) not in (None, "")],
                "reason": spec.get("reason", ""),
            }
        )
    return sorted(rows, key=lambda r: r["name"])


PAGE = FormPage(
    "corrections",
    "corrections.html",
    "Corrections",
    NOTES,
    lambda request: {"corrections": _listed(request)},
)


@router.get("/corrections")
def corrections_page(request: Request) -> Response:
    return PAGE.asked(request)


@router.post("/corrections")
async def create(request: Request) -> Response:
    """A new correction, as ``POST /api/v1/corrections``: the SLOs (none: every SLO), the
    start, an end or a duration, an optional recurrence, and the reason (required)."""
    session, fields = await posted_form(request)
    spec: dict[str, Any] = {"reason": fields.get("reason", "").strip()}
    slos = items(fields.get("slos", ""))
    if slos:
        spec["slos"] = slos
    for key in ("start", "end", "duration", "rrule", "timeZone"):
        value = fields.get(key, "").strip()
        if value:
            spec[key] = value
    name = fields.get("name", "").strip()
    try:
        write_definition_form(
            request, session.actor, "Correction", name=name, spec=spec, creating=True
        )
    except CovenantError as error:  # nothing written: the form again, as typed
        return PAGE.shown(request, session, refused=error, typed=fields)
    return PAGE.done(created=name)


@router.post("/corrections/{name}/delete")
async def delete(request: Request, name: str) -> Response:
    """Delete a correction, as ``DELETE /api/v1/corrections/{name}``: the time it left out
    counts again, in every evaluation."""
    session, fields = await posted_form(request)
    reason = audit_reason(fields)
    write_definition_form(request, session.actor, "Correction", name=name, spec=None, reason=reason)
    return PAGE.done(deleted=name)
