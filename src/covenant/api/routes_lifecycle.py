"""The agreement lifecycle (editor, admin): create a draft, change it, propose, sign, amend,
terminate. Written into the store, the record of agreement versions (docs/adr/0005), with the
rules of ``covenant agreements sync``; ``covenant agreements pull`` writes them back into the
workspace's YAML.

Version terms are sent as the YAML of a version (camelCase keys) in JSON or YAML; numbers are
read from the text exactly (``99.9`` is 999/1000), so the body is read here, not by pydantic.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi import Path as PathParam
from pydantic import BaseModel, ConfigDict, Field

from covenant.api.body_limit import size_text
from covenant.api.deps import Ctx, Who, actor, allow
from covenant.api.errors import RESPONSES
from covenant.core.access import WRITERS
from covenant.core.agreements import AgreementVersion, VersionStatus
from covenant.errors import BodyTooLargeError, DefinitionError, InputError

router = APIRouter(
    responses=RESPONSES, dependencies=[Depends(allow(WRITERS))], tags=["agreement lifecycle"]
)

MAX_BODY = 1 << 20
Number = Annotated[int, PathParam(ge=1, le=1_000_000)]
VERSION_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "One version's terms as in an Agreement's `spec.versions` (docs/agreements.md)"
    ", without `version` and `status`: effectiveFrom, fees, period, availability, support, "
    "signatories, approvals, reason (amendments), currency, cap.",
    "example": {
        "effectiveFrom": "2027-01-01",
        "reason": "raise checkout to 99.95 %",
        "fees": {"checkout": "1500.00"},
        "availability": [
            {
                "name": "checkout-uptime",
                "services": ["checkout"],
                "level": 99.95,
                "measurement": {"source": "incidents"},
                "credits": [{"below": 99.95, "credit": 10}],
            }
        ],
    },
}


def _body(schema: dict[str, Any]) -> dict[str, Any]:
    return {
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": schema},
                "application/yaml": {"schema": {"type": "string"}},
            },
        }
    }


async def _text(request: Request) -> str:
    data = await request.body()
    if len(data) > MAX_BODY:
        raise BodyTooLargeError(
            f"the request body is larger than {size_text(MAX_BODY)}, the most a version's "
            "terms may be",
            hint="send one version's terms (as in an Agreement's spec.versions), not a file "
            "of many",
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise InputError("the request body is not UTF-8 text") from None


Text = Annotated[str, Depends(_text)]


def _answer(name: str, version: AgreementVersion, changes: list[Any]) -> dict[str, Any]:
    from covenant.services.agreements import version_document

    return {
        "agreement": name,
        "version": version_document(version),
        "changes": [
            {"version": c.version, "event": c.event, "from": c.from_status, "to": c.to_status}
            for c in changes
        ],
    }


def _text_field(body: dict[str, Any], key: str, *, required: bool = True) -> str | None:
    value = body.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not 1 <= len(value) <= 255:
        raise InputError(f"`{key}` must be a text of 1 to 255 characters")
    return value


@router.post(
    "/agreements",
    status_code=201,
    openapi_extra=_body(
        {
            "type": "object",
            "required": ["name", "customer", "version"],
            "properties": {
                "name": {"type": "string"},
                "customer": {"type": "string"},
                "description": {"type": "string"},
                "displayName": {"type": "string", "description": "what statements call it"},
                "locale": {"type": "string", "description": "statements' locale, e.g. de_DE"},
                "version": VERSION_SCHEMA,
            },
        }
    ),
)
def create_agreement(ctx: Ctx, who: Who, text: Text) -> dict[str, Any]:
    """A new agreement with a draft v1: `{name, customer, description?, displayName?, locale?,
    version: {...}}` (displayName and locale: how its statements present it)."""
    from covenant.services.agreement_body import read_body
    from covenant.services.agreement_presentation import read_presentation
    from covenant.services.agreement_writes import create_agreement as create

    body = read_body(text, what="agreement")
    name = _text_field(body, "name")
    customer = _text_field(body, "customer")
    version = body.get("version")
    if not isinstance(version, dict):
        raise InputError("`version` must be an object: the draft's terms")
    assert name is not None
    assert customer is not None
    changes, made = create(
        ctx.engine(),
        workspace=ctx.workspace(),
        name=name,
        customer=customer,
        version=version,
        description=_text_field(body, "description", required=False),
        presentation=read_presentation(body),
        at=ctx.clock(),
        actor=actor(who),
    )
    return _answer(name, made, changes)


class PresentationIn(BaseModel):
    displayName: Annotated[  # noqa: N815 - the YAML's key
        str | None, Field(min_length=1, max_length=255, description="what statements call it")
    ] = None
    locale: Annotated[
        str | None, Field(min_length=2, max_length=32, description="e.g. de_DE, ja_JP")
    ] = None


@router.patch("/agreements/{name}")
def set_presentation(ctx: Ctx, who: Who, name: str, body: PresentationIn) -> dict[str, Any]:
    """A new `displayName` and/or `locale` for an agreement made over the API: presentation,
    not terms, so whatever its versions' status (no amendment; docs/agreements.md)."""
    from covenant.services.agreement_presentation import read_presentation
    from covenant.services.agreement_writes import set_presentation as change

    wanted = read_presentation(body.model_dump(exclude_none=True))
    if not wanted:
        raise InputError("nothing to change", hint="send displayName and/or locale")
    shown = change(
        ctx.engine(),
        workspace=ctx.workspace(),
        name=name,
        presentation=wanted,
        at=ctx.clock(),
        actor=actor(who),
    )
    return {"agreement": name, **shown}


@router.post("/agreements/{name}/versions", status_code=201, openapi_extra=_body(VERSION_SCHEMA))
def add_version(ctx: Ctx, who: Who, name: str, text: Text) -> dict[str, Any]:
    """A new draft version after the last: an amendment is a complete version with a `reason`."""
    from covenant.services.agreement_body import read_body
    from covenant.services.agreement_writes import add_version as add

    changes, made = add(
        ctx.engine(),
        workspace=ctx.workspace(),
        name=name,
        version=read_body(text, what="version"),
        at=ctx.clock(),
        actor=actor(who),
    )
    return _answer(name, made, changes)


@router.put("/agreements/{name}/versions/{version}", openapi_extra=_body(VERSION_SCHEMA))
def replace_version(ctx: Ctx, who: Who, name: str, version: Number, text: Text) -> dict[str, Any]:
    """New terms for a draft or proposed version (a signed version is immutable: 409)."""
    from covenant.services.agreement_body import read_body
    from covenant.services.agreement_writes import replace_version as replace

    changes, made = replace(
        ctx.engine(),
        workspace=ctx.workspace(),
        name=name,
        number=version,
        version=read_body(text, what="version"),
        at=ctx.clock(),
        actor=actor(who),
    )
    return _answer(name, made, changes)


class WordingIn(BaseModel):
    displayName: Annotated[  # noqa: N815 - the YAML's key
        str | None, Field(min_length=1, max_length=255)
    ] = None
    terms: Annotated[str | None, Field(min_length=1, max_length=10_000)] = None


MoneyText = Annotated[
    str,
    Field(
        min_length=1,
        max_length=40,
        description='an amount in the agreement\'s currency as decimal text: "8500.00"',
    ),
]
PercentText = Annotated[str, Field(min_length=1, max_length=32, description='percent: "99.95"')]
NameText = Annotated[str, Field(min_length=1, max_length=255)]


class AmountIn(BaseModel):
    """A cap or a penalty as the contract writes it: percent of the period's fee and/or an
    amount (given, it replaces the version's whole cap or penalty)."""

    model_config = ConfigDict(extra="forbid")
    percent: PercentText | None = None
    amount: MoneyText | None = None


class MinimumIn(BaseModel):
    """A minimum credit: paid from `atLeast` it, or only when `above` it."""

    model_config = ConfigDict(extra="forbid")
    atLeast: MoneyText | None = None  # noqa: N815 - the YAML's key
    above: MoneyText | None = None


class TierIn(BaseModel):
    """A credit tier with the contract's keys: below <, atMost ≤, atLeast ≥, above >."""

    model_config = ConfigDict(extra="forbid")
    below: PercentText | None = None
    atMost: PercentText | None = None  # noqa: N815 - the YAML's key
    atLeast: PercentText | None = None  # noqa: N815 - the YAML's key
    above: PercentText | None = None
    credit: PercentText


class TermsIn(BaseModel):
    """A commitment's terms to change (absent: kept; null: removed): an availability
    commitment's `credits`, `cap`, `minimumCredit`; a support one's `attainment`, `penalty`."""

    model_config = ConfigDict(extra="forbid")
    credits: list[TierIn] | None = Field(default=None, max_length=100)
    cap: AmountIn | None = None
    minimumCredit: MoneyText | MinimumIn | None = Field(  # noqa: N815 - the YAML's key
        default=None, description='"50.00" (paid from at least it), {atLeast} or {above}'
    )
    attainment: PercentText | None = None
    penalty: AmountIn | None = None

    def changes(self) -> dict[str, Any]:
        """The terms given, as the contract writes them (None: remove it)."""
        found: dict[str, Any] = {}
        for key in sorted(self.model_fields_set):
            value = getattr(self, key)
            if isinstance(value, list):
                found[key] = [t.model_dump(exclude_none=True) for t in value]
            elif isinstance(value, BaseModel):
                found[key] = value.model_dump(exclude_none=True)
            else:
                found[key] = value
        return found


AMEND_EXAMPLE: dict[str, Any] = {
    "effectiveFrom": "2027-01-01",
    "reason": "checkout fee raised; storefront dropped; credits capped at 3000.00",
    "fees": {"checkout": "8500.00", "storefront": None},
    "cap": {"amount": "3000.00"},
    "commitments": {
        "checkout-uptime": {"minimumCredit": {"above": "25.00"}},
        "enterprise-support": {"penalty": {"percent": "7.5"}},
    },
}


TERMS_EXAMPLE = {  # a version's body without what the amendment gives beside it
    k: v for k, v in VERSION_SCHEMA["example"].items() if k not in ("effectiveFrom", "reason")
}


class AmendIn(BaseModel):
    """The amendment: every field but `effectiveFrom` and `reason` is optional; a term not
    given is version n's, one given null is removed (money and percent as decimal text)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"example": AMEND_EXAMPLE})
    effectiveFrom: Annotated[  # noqa: N815 - the YAML's key
        str, Field(min_length=10, max_length=64, description="a date: midnight in its zone")
    ]
    reason: Annotated[str, Field(min_length=1, max_length=1000)]
    levels: dict[str, Annotated[str, Field(max_length=32)]] = Field(
        default_factory=dict, max_length=100, description="commitment name → level in percent"
    )
    wording: dict[str, WordingIn] = Field(
        default_factory=dict,
        max_length=100,
        description="commitment name → {displayName?, terms?}",
    )
    fees: dict[NameText, MoneyText | None] = Field(
        default_factory=dict,
        max_length=100,
        description="service → its monthly fee (null: no fee); services not named keep theirs",
    )
    cap: AmountIn | None = Field(
        default=None, description="the cap on all credits of a period (null: no cap)"
    )
    commitments: dict[str, TermsIn] = Field(
        default_factory=dict, max_length=100, description="commitment name → terms to change"
    )
    terms: dict[str, Any] | None = Field(
        default=None,
        description="the whole new version instead of the changes above (not with them): its "
        "complete body, as `POST .../versions` takes it (numbers read exactly), without "
        "version, status and signatories; effectiveFrom and reason are the amendment's",
        json_schema_extra={"example": TERMS_EXAMPLE},
    )


@router.post("/agreements/{name}/versions/{version}/amend", status_code=201)
def amend_version(
    ctx: Ctx, who: Who, name: str, version: Number, body: AmendIn, text: Text
) -> dict[str, Any]:
    """A draft amendment that copies version `version`'s terms server-side and changes only
    what is given: committed `levels`, commitments' `wording` (displayName, terms), `fees` by
    service, the agreement-wide `cap`, and each commitment's terms (`commitments`: credit
    tiers, cap, minimum credit; attainment, penalty). A term not given is kept, one given null
    is removed. Or `terms`: the whole new version (any term: claim deadlines, measurement,
    targets, commitments added or removed). The draft is validated as any version (`422
    invalid-definition`; each problem's `field` is the request's, e.g. `fees.checkout`,
    `terms.support[0].targets`). Propose and sign it as usual."""
    from covenant.services.agreement_amendments import check_amendment, one_form

    given = body.model_fields_set - ({"terms"} if body.terms is None else set())
    one_form(given)
    if body.terms is not None:
        return _amend_whole(ctx, who, name, version, body, text)
    wording = {k: w.model_dump(exclude_none=True) for k, w in body.wording.items()}
    terms = {k: t.changes() for k, t in body.commitments.items()}
    base = check_amendment(
        ctx.engine(),
        name=name,
        base=version,
        levels=body.levels,
        wording=wording,
        terms=terms,
        fees=body.fees,
    )
    edits = {k: {**terms.get(k, {}), **wording.get(k, {})} for k in {*terms, *wording}}
    whole: dict[str, Any] = {}
    if "cap" in body.model_fields_set:
        whole["cap"] = None if body.cap is None else body.cap.model_dump(exclude_none=True)
    return _drafted(
        ctx, who, name, version, body, base, levels=body.levels, edits=edits, terms=whole,
        fees=body.fees,
    )  # fmt: skip


def _drafted(
    ctx: Ctx, who: Who, name: str, version: int, body: AmendIn, base: Any, **changes: Any
) -> dict[str, Any]:
    """The draft amending ``version`` with ``changes`` (``services.agreement_writes``), its
    answer; a refused draft names the request's fields (``whole``: the ``terms`` given)."""
    from covenant.services.agreement_amendments import in_request
    from covenant.services.agreement_writes import amend_version

    try:
        made_changes, made = amend_version(
            ctx.engine(),
            workspace=ctx.workspace(),
            name=name,
            base=version,
            effective_from=body.effectiveFrom,
            reason=body.reason,
            at=ctx.clock(),
            actor=actor(who),
            **changes,
        )
    except DefinitionError as error:
        raise in_request(error, base=base, whole="whole" in changes) from None
    return _answer(name, made, made_changes)


def _amend_whole(
    ctx: Ctx, who: Who, name: str, version: int, body: AmendIn, text: str
) -> dict[str, Any]:
    """The amendment whose `terms` are the whole new version, read again from the body's text
    so that its numbers are exact (pydantic reads a JSON number as a float)."""
    from covenant.services.agreement_amendments import check_amendment, whole_terms
    from covenant.services.agreement_body import read_body

    base = check_amendment(ctx.engine(), name=name, base=version)
    terms = read_body(text, what="amendment").get("terms")
    if not isinstance(terms, dict):
        raise InputError("`terms` must be an object: the new version's terms")
    whole = whole_terms(terms, effective_from=body.effectiveFrom, reason=body.reason)
    return _drafted(ctx, who, name, version, body, base, levels={}, whole=whole)


def _move(
    ctx: Ctx,
    who: Who,
    name: str,
    version: int,
    status: VersionStatus,
    signatories: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    from covenant.services.agreement_writes import move_version

    changes, made = move_version(
        ctx.engine(),
        workspace=ctx.workspace(),
        name=name,
        number=version,
        status=status,
        signatories=signatories or (),
        at=ctx.clock(),
        actor=actor(who),
    )
    return _answer(name, made, changes)


@router.post("/agreements/{name}/versions/{version}/propose")
def propose_version(ctx: Ctx, who: Who, name: str, version: Number) -> dict[str, Any]:
    """Propose a draft to the customer (draft → proposed)."""
    return _move(ctx, who, name, version, VersionStatus.PROPOSED)


class Signatory(BaseModel):
    name: Annotated[str, Field(min_length=1, max_length=255)]
    role: Annotated[str, Field(max_length=255)] = ""
    signedAt: Annotated[  # noqa: N815 - the YAML's key
        str | None,
        Field(max_length=64, description="A date or an instant; default: now"),
    ] = None


class SignIn(BaseModel):
    signatories: list[Signatory] = Field(min_length=1, max_length=100)


@router.post("/agreements/{name}/versions/{version}/sign")
def sign_version(ctx: Ctx, who: Who, name: str, version: Number, body: SignIn) -> dict[str, Any]:
    """Sign a proposed version (proposed → signed): its `signatories` are added, and from now
    on its terms are immutable."""
    people = [s.model_dump(exclude_none=True) for s in body.signatories]
    return _move(ctx, who, name, version, VersionStatus.SIGNED, people)


@router.post("/agreements/{name}/versions/{version}/terminate")
def terminate_version(ctx: Ctx, who: Who, name: str, version: Number) -> dict[str, Any]:
    """Terminate a version (a draft: withdrawn; a signed one: ends when this is recorded)."""
    return _move(ctx, who, name, version, VersionStatus.TERMINATED)


class Status(StrEnum):
    DRAFT = "draft"
    PROPOSED = "proposed"
    SIGNED = "signed"
    ACTIVE = "active"
    SUPERSEDED = "superseded"
    EXPIRED = "expired"
    TERMINATED = "terminated"


class StatusIn(BaseModel):
    status: Status


@router.post("/agreements/{name}/versions/{version}/status")
def set_status(ctx: Ctx, who: Who, name: str, version: Number, body: StatusIn) -> dict[str, Any]:
    """Any other move along the lifecycle (back to draft, active, superseded, expired)."""
    return _move(ctx, who, name, version, VersionStatus(body.status.value))
