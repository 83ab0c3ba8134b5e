"""Definitions as written: services, SLIs, SLOs, composites, corrections (with their audit),
customers, calendars, maintenance windows. Staff read them all; a customer reads only its own
Customer definition."""

from __future__ import annotations

import bisect
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response

from covenant.api.deps import Ctx, Who, allow, rendered
from covenant.api.encoded import Encoded, send
from covenant.api.errors import RESPONSES
from covenant.core.access import EVERYONE, INTERNAL_READERS, Principal
from covenant.definitions.parsed import Definition
from covenant.definitions.workspace import Workspace
from covenant.errors import InputError, NotFoundError

router = APIRouter(responses=RESPONSES)
Staff = [Depends(allow(INTERNAL_READERS))]

KINDS = {  # path → kind
    "services": "Service",
    "slis": "SLI",
    "slos": "SLO",
    "calendars": "Calendar",
    "maintenance-windows": "MaintenanceWindow",
}


def definition_json(d: Definition) -> dict[str, Any]:
    return {
        "kind": d.kind,
        "name": d.name,
        "api_version": d.api_version,
        "origin": f"{d.file}:{d.line}",
        "document": d.raw,
    }


def json_bytes(value: Any) -> bytes:
    """``value`` as JSON, as FastAPI would write it (dates as ISO-8601), fast."""
    import orjson

    try:
        return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS)
    except TypeError:  # a value orjson does not know: FastAPI's encoder first
        from fastapi.encoders import jsonable_encoder

        return orjson.dumps(jsonable_encoder(value), option=orjson.OPT_NON_STR_KEYS)


Limit = Annotated[
    int | None,
    Query(
        ge=1,
        le=1000,
        description="At most this many items (a page; `next` names where the following page "
        "starts). Default: every item, in one answer.",
    ),
]
After = Annotated[
    str | None,
    Query(
        max_length=256,
        description="The items whose names sort after this one: the `next` of the previous page.",
    ),
]


FIELDS = ("kind", "name", "api_version", "origin", "document")  # of a listed item
Fields = Annotated[
    str | None,
    Query(
        max_length=100,
        description="Only these fields of each item, comma-separated, of: "
        + ", ".join(FIELDS)
        + " (`fields=name,origin`: a summary without the documents). Default: every field.",
    ),
]


def _only(item: dict[str, Any], fields: tuple[str, ...] | None) -> dict[str, Any]:
    return item if fields is None else {k: v for k, v in item.items() if k in fields}


def parse_fields(text: str | None) -> tuple[str, ...] | None:
    """The fields asked for, in the items' order (None: every field)."""
    if text is None:
        return None
    wanted = [f.strip() for f in text.split(",") if f.strip()]
    wrong = [f for f in wanted if f not in FIELDS]
    if wrong or not wanted:
        found = f"{wrong[0]!r} is not a field of a listed item" if wrong else "no field named"
        raise InputError(f"fields: {found}", hint="give some of: " + ", ".join(FIELDS))
    return tuple(f for f in FIELDS if f in wanted)


class Listed:
    """One kind's definitions as written, by name, each encoded once per version of the
    files (and per set of ``fields`` asked for): the whole list is kept as its bytes, a page
    is joined from the items' bytes."""

    def __init__(
        self, definitions: list[Definition], fields: tuple[str, ...] | None = None
    ) -> None:
        self.definitions = definitions
        self.names = [d.name for d in definitions]  # sorted (definitions_of)
        self.items = [json_bytes(_only(definition_json(d), fields)) for d in definitions]
        self.whole = Encoded(b'{"items":[' + b",".join(self.items) + b"]}")
        self._views: dict[tuple[str, ...], Listed] = {}

    def view(self, fields: tuple[str, ...] | None) -> Listed | None:
        """The list with only ``fields`` of each item, if made already (None: not yet)."""
        return self if fields is None else self._views.get(fields)

    def make_view(self, fields: tuple[str, ...]) -> Listed:
        """The list with only ``fields`` of each item (made once, then kept)."""
        made = self._views.get(fields)
        if made is None:
            made = self._views[fields] = Listed(self.definitions, fields)
        return made

    def page(self, *, after: str | None, limit: int | None) -> Encoded:
        """The items after ``after`` (by name), at most ``limit`` of them — more when the
        last ones share a name (a page never splits equal names, so ``next`` resumes after
        all of them) — and ``next``: the last name, or null on the last page."""
        start = 0 if after is None else bisect.bisect_right(self.names, after)
        end = len(self.names) if limit is None else min(start + limit, len(self.names))
        while 0 < end < len(self.names) and self.names[end] == self.names[end - 1]:
            end += 1
        following = self.names[end - 1] if end < len(self.names) else None
        body = b'{"items":[' + b",".join(self.items[start:end]) + b'],"next":'
        return Encoded(body + json_bytes(following) + b"}")


def _add_kind(path: str, kind: str) -> None:
    async def list_definitions(
        ctx: Ctx,
        request: Request,
        limit: Limit = None,
        after: After = None,
        fields: Fields = None,
    ) -> Response:
        from starlette.concurrency import run_in_threadpool

        from covenant.services.workspace import definitions_of

        def render(workspace: Workspace) -> Listed:
            return Listed(definitions_of(workspace, kind))

        asked = parse_fields(fields)
        whole = await rendered(ctx, f"list:{kind}", render)
        listed = whole.view(asked)
        if listed is None:  # asked for the first time: encoded off the event loop
            assert asked is not None
            listed = await run_in_threadpool(whole.make_view, asked)
        if limit is None and after is None:
            return send(request, listed.whole)
        return send(request, listed.page(after=after, limit=limit))

    def get_definition(ctx: Ctx, request: Request, name: str) -> Response:
        from covenant.services.workspace import definition_of

        # encoded as the list encodes its items: a decimal is a JSON number in both (FastAPI's
        # own serialization of the dict wrote `"target": "0.995"`, a string, here)
        found = definition_json(definition_of(ctx.workspace(), kind, name))
        return send(request, Encoded(json_bytes(found)))

    router.add_api_route(
        f"/{path}",
        list_definitions,
        response_model=dict[str, Any],
        methods=["GET"],
        dependencies=Staff,
        summary=f"Every {kind} as written in the workspace (by name; pages with limit)",
        operation_id=f"list_{path.replace('-', '_')}",
        tags=["definitions"],
    )
    router.add_api_route(
        f"/{path}/{{name}}",
        get_definition,
        response_model=dict[str, Any],
        methods=["GET"],
        dependencies=Staff,
        summary=f"One {kind} as written",
        operation_id=f"get_{path.replace('-', '_')}",
        tags=["definitions"],
    )


for _path, _kind in KINDS.items():
    _add_kind(_path, _kind)


@router.get("/composites", dependencies=Staff, tags=["definitions"])
def list_composites(ctx: Ctx) -> dict[str, Any]:
    """Composite SLOs with their components and weights."""
    from covenant.render.evaluation import composite_json

    return {"items": [composite_json(c) for c in ctx.workspace().composites]}


@router.get("/corrections", dependencies=Staff, tags=["definitions"])
def list_corrections(ctx: Ctx) -> dict[str, Any]:
    """Every correction as written, with every audited revision (who, why, when first seen)."""
    from covenant.services.corrections import correction_history
    from covenant.services.workspace import definitions_of

    history = correction_history(ctx.engine())
    items = []
    for d in definitions_of(ctx.workspace(), "Correction"):
        item = definition_json(d)
        item["revisions"] = [
            {
                "revision": r.revision,
                "author": r.author,
                "reason": r.reason,
                "created_at": r.created_at,
                "content_sha256": r.content_sha256,
                "origin": r.origin,
                "first_seen": r.first_seen,
                "last_seen": r.last_seen,
            }
            for r in history
            if r.name == d.name
        ]
        items.append(item)
    return {"items": items}


def _customer(d: Definition, who: Principal) -> dict[str, Any]:
    """Staff see the definition as written; its customer sees its name and terms only."""
    if who.customer is None:
        return definition_json(d)
    metadata = d.raw.get("metadata", {})
    shown = {k: metadata[k] for k in ("name", "displayName") if k in metadata}
    return {
        "kind": d.kind,
        "name": d.name,
        "document": {"metadata": shown, "spec": d.raw.get("spec")},
    }


@router.get("/customers", dependencies=[Depends(allow(EVERYONE))], tags=["agreements"])
def list_customers(ctx: Ctx, who: Who) -> dict[str, Any]:
    """Customers as written (a customer token: only its own)."""
    from covenant.services.workspace import definitions_of

    found = definitions_of(ctx.workspace(), "Customer")
    return {"items": [_customer(d, who) for d in found if who.sees_customer(d.name)]}


@router.get("/customers/{name}", tags=["agreements"])
def get_customer(ctx: Ctx, who: Who, name: str) -> dict[str, Any]:
    """One customer as written (another customer's: not-found)."""
    from covenant.services.workspace import definition_of

    missing = NotFoundError(f"no Customer named {name!r} is defined")
    if not who.sees_customer(name):
        raise missing
    try:
        return _customer(definition_of(ctx.workspace(), "Customer", name), who)
    except NotFoundError:
        if who.customer is None:
            raise
        raise missing from None  # the message of definition_of names the other customers


@router.get("/validation", dependencies=Staff, tags=["definitions"])
def validation(ctx: Ctx) -> dict[str, Any]:
    """The served workspace's files checked as `covenant validate --format json` checks them
    (``items``: every error and warning with its file:line, field and fix), with ``valid``
    and the ``errors`` and ``warnings`` counted. Answered also when the files do not validate
    (the other routes then answer ``invalid-definition``); the corrections and maintenance
    windows recorded in the store are not the files' and are not checked here."""
    from covenant.services.workspace import validate_paths, validation_json

    return validation_json(validate_paths([ctx.settings.workspace]))


@router.get(
    "/export/openslo",
    tags=["definitions"],
    dependencies=Staff,
    response_class=Response,
    responses={200: {"content": {"application/yaml": {"schema": {"type": "string"}}}}},
)
def export_openslo(ctx: Ctx) -> Response:
    """The served workspace as OpenSLO v1 YAML (Covenant's extensions as annotations), byte
    for byte what `covenant export openslo` writes for it: its files as written, without the
    corrections and maintenance windows recorded in the store (`covenant corrections pull`
    and `covenant maintenance pull` write those into the files)."""
    from covenant.services.workspace import openslo_text

    text = openslo_text(ctx.files_workspace())
    return Response(text, media_type="application/yaml; charset=utf-8")
