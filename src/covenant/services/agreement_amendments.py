"""What an amendment over the API may name, and where its draft's problems are in its request.

``POST /agreements/{name}/versions/{n}/amend`` changes version n's terms by commitment name:
``levels`` and ``wording`` (displayName, terms) of any commitment, and ``commitments``' terms —
``credits``, ``cap``, ``minimumCredit`` of an availability commitment, ``attainment`` and
``penalty`` of a support one. A name the version does not have, or a term its kind does not
have, is refused here (``invalid-input`` naming the request's field), so an amendment never
silently drops a change. The draft itself is validated as any version
(``services.agreement_writes.amend_version``); :func:`in_request` moves each problem's
``field`` from the agreement document's path (``spec.versions[2].fees.checkout``) to the
request's (``fees.checkout``), as the web form shows each problem beside its field.

Anything else a version says (claim deadlines, measurement, exclusions, services, support
targets and calendars, commitments added or removed) is amended with ``terms``: the complete
body of the new version, as a version's body is written (:func:`whole_terms`); its problems
name ``terms.…`` (``terms.support[0].targets.P1.firstResponse``).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Engine

from covenant.core.agreements import AgreementVersion
from covenant.definitions.workspace import Workspace
from covenant.errors import DefinitionError, InputError, NotFoundError, Problem
from covenant.services.agreement_plan import history_of, recorded_specs
from covenant.services.agreement_writes import recorded_document
from covenant.store import agreements as repo

AVAILABILITY_TERMS = ("credits", "cap", "minimumCredit")
SUPPORT_TERMS = ("attainment", "penalty")
PIECES = ("levels", "wording", "fees", "cap", "commitments")  # the changes ``terms`` excludes
NOT_TERMS = {  # what a version holds that its amendment's terms do not: why, what to do
    "version": "the path names the version amended; the draft takes the next number",
    "status": "the amendment is a draft: propose it (.../propose), then sign it (.../sign)",
    "signatories": "a draft is unsigned: signing it (.../sign) adds its signatories",
}
OWN = ("effectiveFrom", "reason")  # given beside the terms


@dataclass(frozen=True, slots=True, kw_only=True)
class Base:
    """The version amended, and where the draft will stand among the agreement's versions."""

    version: AgreementVersion
    index: int  # of the draft in the agreement document's spec.versions


def check_amendment(
    engine: Engine,
    *,
    name: str,
    base: int,
    levels: Iterable[str] = (),
    wording: Iterable[str] = (),
    terms: Mapping[str, Iterable[str]] | None = None,
    fees: Mapping[str, object] | None = None,
) -> Base:
    """Version ``base`` of agreement ``name``, when every commitment the amendment names is
    one of its commitments (``levels``: availability ones), every term in ``terms``
    (commitment name → the terms changed) is one its kind has, and every fee removed
    (``fees``: service → None) is one it charges (a fee added for a new service is fine)."""
    with engine.connect() as conn:
        found = repo.load_agreements(conn, names=[name])
    if not found:
        raise NotFoundError(
            f"no agreement named {name!r} is stored",
            hint="create it: POST /api/v1/agreements (or define it and sync)",
        )
    stored = next((v for v in found[0].versions if v.version == base), None)
    if stored is None:
        raise NotFoundError(f"agreement {name!r} has no version {base}")
    model = stored.model()
    available = [c.name for c in model.availability]
    support = [c.name for c in model.support]
    every = available + support
    for field, names, known in (
        ("levels", levels, available),
        ("wording", wording, every),
        ("commitments", (terms or {}).keys(), every),
    ):
        unknown = sorted(set(names) - set(known))
        if unknown:
            kind = "availability commitment" if field == "levels" else "commitment"
            raise InputError(
                f"{field}.{unknown[0]}: {name} v{base} has no {kind} named {unknown[0]!r}",
                hint=f"its {kind}s: {', '.join(known) or 'none'}",
            )
    charged = sorted(service for service, _ in model.fees)
    for service, fee in sorted((fees or {}).items()):
        if fee is None and service not in charged:  # removing nothing: a typo, say so
            raise InputError(
                f"fees.{service}: {name} v{base} charges no fee for a service named {service!r}",
                hint=f"its fees: {', '.join(charged) or 'none'}",
            )
    for commitment, changed in (terms or {}).items():
        allowed = AVAILABILITY_TERMS if commitment in available else SUPPORT_TERMS
        kind = "an availability" if commitment in available else "a support"
        for term in changed:
            if term not in allowed:
                raise InputError(
                    f"commitments.{commitment}.{term}: {commitment} is {kind} commitment, "
                    f"which has no {term}",
                    hint=f"{kind} commitment's terms here: {', '.join(allowed)}",
                )
    return Base(version=model, index=len(found[0].versions))


_COMMITMENT = re.compile(r"(availability|support)\[(\d+)\](?:\.(.*))?")
_WORDING = ("displayName", "terms")


def draft_path(path: str, *, index: int) -> str | None:
    """A problem's ``field`` (a path into the agreement document) below the drafted version
    (at ``index`` of the agreement's versions): ``fees.checkout``; None for any other path."""
    head = f"spec.versions[{index}]."
    return path.removeprefix(head) if path.startswith(head) else None


def commitment_path(rest: str, *, version: AgreementVersion) -> tuple[str, str] | None:
    """``availability[0].cap.amount`` (below a version) → the commitment's name and what is
    below it (``cap.amount``; "" for the commitment itself); None for any other path."""
    found = _COMMITMENT.fullmatch(rest)
    if found is None:
        return None
    items = version.availability if found.group(1) == "availability" else version.support
    position = int(found.group(2))
    if position >= len(items):
        return None
    return items[position].name, found.group(3) or ""


def request_field(path: str, *, base: Base, whole: bool = False) -> str | None:
    """The request's field that a problem's ``field`` (a path into the agreement document)
    is about, when it is about the draft: None for any other path. ``whole``: the request
    gave the draft's ``terms`` (``terms.support[0].targets``)."""
    rest = draft_path(path, index=base.index)
    if rest is None:
        return "terms" if whole and path == f"spec.versions[{base.index}]" else None
    if whole:
        return rest if rest in OWN else f"terms.{rest}"
    if rest.split(".")[0] in ("fees", "cap", "effectiveFrom", "reason"):
        return rest
    found = commitment_path(rest, version=base.version)
    if found is None or not found[1]:
        return None
    name, below = found
    term = re.split(r"[.\[]", below)[0]
    if term == "level":
        return f"levels.{name}"
    if term in _WORDING:
        return f"wording.{name}.{term}"
    if term in AVAILABILITY_TERMS or term in SUPPORT_TERMS:
        return f"commitments.{name}.{below}"
    return None


def in_request(error: DefinitionError, *, base: Base, whole: bool = False) -> DefinitionError:
    """``error`` with each problem about the draft naming the request's field."""
    moved = []
    for problem in error.problems:
        field = request_field(problem.field, base=base, whole=whole)
        moved.append(problem if field is None else dataclasses.replace(problem, field=field))
    return DefinitionError(problems=moved, applying=error.applying)


def version_terms(
    engine: Engine, *, workspace: Workspace, name: str, number: int
) -> dict[str, Any]:
    """Version ``number``'s terms as the store recorded its definition (camelCase keys, as an
    Agreement's YAML writes a version), without what an amendment sets itself (its number,
    status, signatories, effectiveFrom and reason): what an amendment's ``terms`` replace."""
    with engine.connect() as conn:
        found = repo.load_agreements(conn, names=[name])
        if not found:
            raise NotFoundError(f"no agreement named {name!r} is stored")
        doc = recorded_document(name, found[0], workspace, recorded_specs(history_of(conn, found)))
    item = next((v for v in doc["spec"]["versions"] if v["version"] == number), None)
    if item is None:
        raise NotFoundError(f"agreement {name!r} has no version {number}")
    skipped = (*NOT_TERMS, *OWN)
    return {key: value for key, value in item.items() if key not in skipped}


def whole_problems(terms: Mapping[str, Any], *, effective_from: str, reason: str) -> list[Problem]:
    """What the complete new terms of an amendment may not hold (``invalid-input`` naming
    ``terms.KEY``): a version number, status or signatories, or an effectiveFrom or reason
    other than the amendment's own."""
    problems = [
        Problem(
            code="invalid-input",
            field=f"terms.{key}",
            message=f"terms.{key}: an amendment's terms do not hold its {key}",
            fix=f"leave {key} out: {why}",
        )
        for key, why in NOT_TERMS.items()
        if key in terms
    ]
    if not set(terms) - set(OWN):  # a client's slip, never a contract: it would drop every term
        problems.append(
            Problem(
                code="invalid-input",
                field="terms",
                message="terms is empty: the amendment would have no fees and no commitments",
                fix="give the version's complete terms: its terms as recorded (GET "
                ".../versions/{n}/terms) with your changes",
            )
        )
    for key, given in zip(OWN, (effective_from, reason), strict=True):
        written = str(terms.get(key, given)).strip()
        if written != given.strip():
            problems.append(
                Problem(
                    code="invalid-input",
                    field=f"terms.{key}",
                    message=f"terms.{key} is {written[:60]!r}, the amendment's {key} "
                    f"{given.strip()[:60]!r}",
                    fix=f"leave {key} out of the terms (the amendment's own is used), "
                    "or give the same",
                )
            )
    return problems


def whole_terms(terms: Mapping[str, Any], *, effective_from: str, reason: str) -> dict[str, Any]:
    """``terms`` (a version's complete body) without effectiveFrom and reason, the
    amendment's own; ``invalid-input`` naming the field when :func:`whole_problems` finds one."""
    for problem in whole_problems(terms, effective_from=effective_from, reason=reason):
        raise InputError(problem.message, hint=problem.fix)
    return {key: value for key, value in terms.items() if key not in OWN}


def one_form(given: Iterable[str]) -> None:
    """``terms`` replaces the whole version, so it comes without the piecewise changes
    (``invalid-input`` naming both)."""
    pieces = [key for key in PIECES if key in set(given)]
    if "terms" in set(given) and pieces:
        raise InputError(
            f"terms and {pieces[0]} were both given: terms is the whole new version, "
            f"{pieces[0]} a change of version n",
            hint=f"send either terms (with the {pieces[0]} you want written in it) or "
            f"the changes ({', '.join(PIECES)}), not both",
        )
