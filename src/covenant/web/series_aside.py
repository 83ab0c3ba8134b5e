"""The series set aside (staff; deleting them: admins): the counts read with an SLI's earlier
query, kept so that changing the query back restores them, as `covenant db prune` lists them
and ``GET /api/v1/series-aside`` answers; an admin deletes them for good as `covenant db prune
--yes` and ``POST /api/v1/series-aside/prune`` do, recorded in the audit log under the
signed-in user, answered with a redirect back to the list (Post/Redirect/Get) (docs/ui.md)."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import RedirectResponse, Response

from covenant.core.access import ADMINS
from covenant.errors import InputError
from covenant.web.core import BASE, admin, backend, page, staff
from covenant.web.form_pages import posted_form
from covenant.web.routes import pages_router, query_count

router = pages_router()
LONGEST = 32  # characters of an age, as the API's parameter


def _age_text(given: str | None) -> str | None:
    text = (given or "").strip()
    if len(text) > LONGEST:
        raise InputError(f"older_than is longer than {LONGEST} characters", hint="older_than=30d")
    return text or None


@router.get("/sources/series-aside")
def series_aside(request: Request) -> Response:
    """What a prune with ``older_than`` would delete, and what it would keep (a dry run)."""
    from covenant.definitions.durations import age_option
    from covenant.services.aside_pruning import prune_aside

    session = staff(request)
    ctx = backend(request)
    older_than = _age_text(request.query_params.get("older_than"))
    age = age_option(older_than, what="older_than")
    found = prune_aside(ctx.engine(), now=ctx.clock(), actor="", older_than=age)
    deleted, days = query_count(request, "deleted"), query_count(request, "days")
    return page(
        "series_aside.html",
        session=session,
        title="Series set aside",
        found=found.as_json(),
        older_than=older_than or "",
        may_delete=session.principal.role in ADMINS,
        deleted=deleted,
        deleted_days=days or 0,
    )


@router.post("/sources/series-aside/prune")
async def prune_series_aside(request: Request) -> Response:
    """Delete the series set aside (those last read more than ``older_than`` ago, or all) for
    good; then back to the list (303) with how many were deleted."""
    from covenant.definitions.durations import age_option
    from covenant.services.aside_pruning import prune_aside

    session, fields = await posted_form(request, admin)
    ctx = backend(request)
    older_than = _age_text(fields.get("older_than"))
    found = prune_aside(
        ctx.engine(),
        now=ctx.clock(),
        actor=session.actor,
        older_than=age_option(older_than, what="older_than"),
        apply=True,
    )
    note = {"deleted": str(len(found.pruned)), "days": str(found.days)}
    if older_than:
        note["older_than"] = older_than
    return RedirectResponse(f"{BASE}/sources/series-aside?" + urlencode(note), status_code=303)
