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
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sqlalchemy.engine import Engine

from covenant.core.agreements import AgreementVersion
from covenant.errors import DefinitionError, InputError, NotFoundError
from covenant.store import agreements as repo

AVAILABILITY_TERMS = ("credits", "cap", "minimumCredit")
SUPPORT_TERMS = ("attainment", "penalty")


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


def request_field(path: str, *, base: Base) -> str | None:
    """The request's field that a problem's ``field`` (a path into the agreement document)
    is about, when it is about the draft: None for any other path."""
    rest = draft_path(path, index=base.index)
    if rest is None:
        return None
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


def in_request(error: DefinitionError, *, base: Base) -> DefinitionError:
    """``error`` with each problem about the draft naming the request's field."""
    moved = []
    for problem in error.problems:
        field = request_field(problem.field, base=base)
        moved.append(problem if field is None else dataclasses.replace(problem, field=field))
    return DefinitionError(problems=moved)
