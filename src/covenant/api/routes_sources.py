"""The pipeline that feeds the SLOs, for staff: the Prometheus DataSources and how far each
series was read (or why its latest read failed), this process's worker (``covenant
serve``'s: its ticks, failures and the latest error, which otherwise only reach the log), and
the series set aside when an SLI's query changed (``covenant db prune``), and the store's schema
revision (``covenant db current``)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from covenant.api.deps import Ctx, Who, actor, allow
from covenant.api.errors import RESPONSES
from covenant.core.access import ADMINS, INTERNAL_READERS

router = APIRouter(responses=RESPONSES)
Staff = [Depends(allow(INTERNAL_READERS))]
Admin = [Depends(allow(ADMINS))]


@router.get("/data-sources", dependencies=Staff, tags=["sources"])
def data_sources(ctx: Ctx) -> dict[str, Any]:
    """Every DataSource an SLI reads from: how it is reached (``auth`` names environment
    variables, ``headers`` only names), its series by read state, and per series the instant it
    is read up to, its latest read, and its latest read's error (``code``: docs/errors.md)."""
    from covenant.services.source_status import data_sources_json

    return {"items": data_sources_json(ctx.engine(), ctx.workspace())}


@router.get("/data-sources/{name}", dependencies=Staff, tags=["sources"])
def data_source(ctx: Ctx, name: str) -> dict[str, Any]:
    """One DataSource, as ``GET /data-sources`` lists it (``not-found`` when no SLI reads it)."""
    from covenant.services.source_status import data_sources_json

    (found,) = data_sources_json(ctx.engine(), ctx.workspace(), name=name)
    return found


@router.get("/worker", dependencies=Staff, tags=["sources"])
def worker(ctx: Ctx) -> dict[str, Any]:
    """This process's worker: whether it runs and leads (one process of a store leads), how
    many ticks ran and failed, when, and the latest failure's error (null once a tick ran);
    every worker's ticks on the store (``store``); and the queries whose newest read matched
    no series (``unmatched``: one row per series and query, as ``/data-sources`` names them;
    null while the workspace cannot be read, the rest answered all the same)."""
    from covenant.errors import CovenantError
    from covenant.services.source_status import worker_json

    try:
        workspace = ctx.workspace()
    except CovenantError:  # a broken definition: the status says what it can (why it fails)
        workspace = None
    return worker_json(ctx.worker, ctx.engine(), workspace)


OlderThan = Annotated[
    str | None,
    Query(
        description="Only series last read more than this long ago (e.g. 30d); default: all.",
    ),
]


@router.get("/series-aside", dependencies=Staff, tags=["sources"])
def series_aside(ctx: Ctx, older_than: OlderThan = None) -> dict[str, Any]:
    """The series set aside because their SLI's query changed (`covenant db prune`, which
    only lists): ``pruned`` are those ``POST /series-aside/prune`` with the same
    ``older_than`` would delete, ``kept`` those read since ``read_before``."""
    from covenant.definitions.durations import age_option
    from covenant.services.aside_pruning import prune_aside

    age = age_option(older_than, what="older_than")
    found = prune_aside(ctx.engine(), now=ctx.clock(), actor="", older_than=age)
    return found.as_json()


@router.post("/series-aside/prune", dependencies=Admin, tags=["sources"])
def prune_series_aside(ctx: Ctx, who: Who, older_than: OlderThan = None) -> dict[str, Any]:
    """Delete the series set aside (`covenant db prune --yes`), those last read more than
    ``older_than`` ago or all: one transaction, recorded in the audit log when it deleted any.
    It cannot be undone: changing the SLI's query back no longer restores their counts."""
    from covenant.definitions.durations import age_option
    from covenant.services.aside_pruning import prune_aside

    age = age_option(older_than, what="older_than")
    found = prune_aside(ctx.engine(), now=ctx.clock(), actor=actor(who), older_than=age, apply=True)
    return found.as_json()


@router.get("/db", dependencies=Admin, tags=["sources"])
def database(ctx: Ctx) -> dict[str, Any]:
    """The store's schema revision beside this version's newest, as `covenant db current
    --format json` prints it: ``store`` (its URL, the password hidden), ``from`` and ``to``
    (the revisions it is at: the same, nothing is changed), ``head`` (this version's newest)
    and ``behind`` (`covenant db upgrade` would migrate it). Read, never changed."""
    from covenant.services.database import database_current

    return database_current(ctx.settings.database_url).as_json()
