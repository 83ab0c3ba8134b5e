"""One definition document: its envelope checked, its spec validated against the kind's model."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import ValidationError

from covenant.definitions import checks
from covenant.definitions.diagnostics import WARNING, at, did_you_mean, problems_from
from covenant.definitions.extensions import sli_extensions
from covenant.definitions.field_rules import NAME_PATTERN, with_yaml11_flags
from covenant.definitions.fields import YAML11_CONTEXT, name_fix
from covenant.definitions.foreign import foreign_format, not_a_definition
from covenant.definitions.kinds import (
    ALPHA_VERSIONS,
    COVENANT_V1,
    FUTURE_KINDS,
    OPENSLO_V1,
    V2ALPHA,
    kind_names,
    model_for,
    nearest_api_version,
)
from covenant.definitions.misspelt import one_per_misspelling
from covenant.definitions.openslo import (
    AlertConditionDocument,
    AlertPolicyDocument,
    Document,
    SLIDocument,
    SLODocument,
)
from covenant.definitions.parsed import Definition, Parsed
from covenant.definitions.partial import Check, partial_checks, stand_in
from covenant.definitions.vendor_formats import fragment
from covenant.definitions.yamlsource import SourceDocument
from covenant.errors import Problem

UNSUPPORTED_VERSIONS = ("openslo/v2alpha", "openslo/v2alpha1")


def parse_document(doc: SourceDocument) -> tuple[Parsed | None, list[Problem]]:
    """The document checked and validated, and its problems (a misspelt required key told
    once: ``definitions.misspelt``)."""
    parsed, problems = _parse_document(doc)
    return parsed, one_per_misspelling(problems, [doc])


def _parse_document(doc: SourceDocument) -> tuple[Parsed | None, list[Problem]]:
    data = doc.data
    if not isinstance(data, dict):
        return None, [
            at(
                doc,
                (),
                code="not-a-definition",
                message="expected a mapping with apiVersion, kind, metadata and spec",
                fix="start the document with apiVersion: openslo/v1",
            )
        ]
    if (other := foreign_format(data)) is not None:
        what, fix = other
        code, path = "other-tool-format", ("apiVersion",) if "apiVersion" in data else ()
        return None, [at(doc, path, code=code, message=f"{what}, not OpenSLO", fix=fix)]
    if (none := not_a_definition(data) or fragment(data)) is not None:
        message, fix = none
        return None, [at(doc, (), code="not-a-definition", message=message, fix=fix)]
    problems: list[Problem] = []
    api, kind = data.get("apiVersion"), data.get("kind")
    for key, value in (("apiVersion", api), ("kind", kind)):
        if value is None:
            problems.append(_missing(doc, data, key))
        elif not isinstance(value, str):
            problems.append(
                at(
                    doc,
                    (key,),
                    code="invalid-type",
                    message=f"{key} must be a string",
                    fix=_fix(key),
                )
            )
    name = _name(data)
    if problems or not isinstance(api, str) or not isinstance(kind, str):
        return None, problems
    if api in ALPHA_VERSIONS:
        from covenant.definitions.alpha import convert_alpha  # noqa: PLC0415 - rare documents

        converted, notes = convert_alpha(doc, api, kind)
        problems += notes
        if converted is None:
            return None, problems + _name_problems(doc, name)
        doc, data, api = converted, converted.data, OPENSLO_V1
    if api in UNSUPPORTED_VERSIONS:
        problems.append(
            at(
                doc,
                ("apiVersion",),
                code="unsupported-api-version",
                message=f"{api} is not an OpenSLO version Covenant reads (the v2alpha draft is "
                f"{V2ALPHA})",
                fix=f"write apiVersion: {OPENSLO_V1} (or {V2ALPHA} for the v2alpha draft)",
            )
        )
        return None, problems + _name_problems(doc, name)
    kinds = kind_names(api)
    if not kinds:
        guess = nearest_api_version(api)
        problems.append(
            at(
                doc,
                ("apiVersion",),
                code="unknown-api-version",
                message=f"unknown apiVersion {api!r}",
                fix=f"did you mean {guess!r}?" if guess else "use openslo/v1 or covenant/v1",
            )
        )
        return None, problems + _name_problems(doc, name)
    if api == COVENANT_V1 and kind in FUTURE_KINDS:
        problems.append(
            at(
                doc,
                ("kind",),
                code="kind-not-yet-supported",
                message=f"covenant/v1 {kind} is not supported yet; the document is skipped",
                fix="keep it; a later Covenant version reads it",
                severity=WARNING,
            )
        )
        return None, problems
    model = model_for(api, kind)
    if model is None:
        return None, [*problems, _unknown_kind(doc, api, kind, kinds)]
    context = None
    if api == OPENSLO_V1:  # isRolling: yes read as the OpenSLO reference reads it
        data, context = with_yaml11_flags(data, doc.quoted_words), YAML11_CONTEXT
    definition = Definition(
        api_version=api, kind=kind, name=name or "", file=doc.file, line=doc.line, raw=data
    )
    try:
        validated = model.model_validate(data, context=context)
    except ValidationError as exc:
        found = problems + problems_from(exc, doc, model)
        named = _checked_past(exc, data, model, context, unknown=api.startswith("openslo"))
        if named is not None:  # names or unknown fields alone: the spec's own problems too
            found += _unsaid(found, _kind_checks(doc, named))
            if isinstance(named, SLODocument) and _policies_refused(exc):
                # the policies were left out of ``named``: their checks run on stand-ins,
                # so that fixing a policy's schema error reveals nothing more (but "needs
                # metadata" of an item whose kind a stand-in wrote: the refusal says it)
                stand = stand_in(doc, data, model, exc, context, unknown=True)
                found += [
                    p
                    for p in partial_checks(stand, _all_checks_of)
                    if p.field.startswith("spec.alertPolicies") and p.code != "missing-field"
                ]
        elif issubclass(model, CHECKED) or (api, kind) in COVENANT_CHECKED:
            # the checks of the valid parts, beside the errors
            stand = stand_in(doc, data, model, exc, context, unknown=api.startswith("openslo"))
            found += _unsaid(found, partial_checks(stand, _all_checks_of))
            return Parsed(source=doc, definition=definition, model=None, stand_in=stand), found
        return Parsed(source=doc, definition=definition, model=named), found
    found = problems + _kind_checks(doc, validated)
    return Parsed(source=doc, definition=definition, model=validated), found


def _policies_refused(error: ValidationError) -> bool:
    return any(tuple(d["loc"][:2]) == POLICIES for d in error.errors())


def _unsaid(found: Sequence[Problem], checked: Sequence[Problem]) -> list[Problem]:
    """``checked`` without a missing field where ``found`` has an unknown-field problem (an
    inline object written flat, told at the item: not also "give a reference or an inline
    object" there)."""
    said = {p.field for p in found if p.code == "unknown-field"}
    return [p for p in checked if p.code != "missing-field" or p.field not in said]


CHECKED = (SLODocument, SLIDocument, AlertPolicyDocument, AlertConditionDocument)
"""The kinds :func:`_kind_checks` checks."""
PLACEHOLDER_NAME = "x"  # a valid name, validated in place of an invalid one; never shown
POLICIES = ("spec", "alertPolicies")
Loc = tuple[str | int, ...]


def _checked_past(
    error: ValidationError,
    data: Mapping[str, Any],
    model: type[Document],
    context: dict[str, Any] | None,
    *,
    unknown: bool,
) -> Document | None:
    """The document validated as if its names were valid, its unknown fields absent and (an
    SLO) its alert policies too, when names (texts: its own, an inline SLI's or condition's
    ``metadata.name``), unknown fields and an SLO's ``alertPolicies`` are all that is wrong,
    with the names as written (None otherwise). Its checks and
    references are then reported with those problems, not after a fix. A caller must not use
    it when the problems hold an error (both are): the workspace is then not built, and
    ``--split-groups`` refuses its DataSource."""
    details = error.errors()
    # an SLO's alert policies are checked on their own: whatever is wrong in them (their
    # problems are reported), the SLO's objectives and window are checked without them
    policies = [d for d in details if tuple(d["loc"][:2]) == POLICIES]
    if policies and not issubclass(model, SLODocument):
        policies = []
    details = [d for d in details if d not in policies]
    locs: list[Loc] = [tuple(d["loc"]) for d in details if d["loc"][-2:] == ("metadata", "name")]
    # an unknown field of an OpenSLO document (checked for knock-on problems over the examples
    # and the corpus); a covenant/v1 term's misspelling leaves a default that would say more
    extra: list[Loc] = [
        tuple(d["loc"]) for d in details if unknown and d["type"] == "extra_forbidden"
    ]
    if len(locs) + len(extra) != len(details):
        return None
    written = [_get(data, loc) for loc in locs]
    if not all(isinstance(name, str) for name in written):
        return None
    patched: Any = data
    try:
        for loc in locs:
            patched = _put(patched, loc, PLACEHOLDER_NAME)
        for loc in extra:  # an unknown field is said once; the rest is checked without it
            patched = _put(patched, loc, DROP)
        if policies:
            patched = _put(patched, POLICIES, DROP)
        valid: Any = model.model_validate(patched, context=context)
    except (ValidationError, KeyError, IndexError, TypeError):
        return None
    try:
        for loc, name in zip(locs, written, strict=True):
            valid = _restore(valid, loc, name)
    except (StopIteration, AttributeError, IndexError, TypeError):  # a shape not foreseen
        return None
    return valid  # type: ignore[no-any-return]


def _get(value: Any, loc: Loc) -> Any:
    for key in loc:
        if isinstance(key, int) and isinstance(value, list) and 0 <= key < len(value):
            value = value[key]
        elif isinstance(key, str) and isinstance(value, dict):
            value = value.get(key)
        else:
            return None
    return value


DROP = object()  # _put's value that deletes the key


def _put(value: Any, loc: Loc, new: Any) -> Any:
    """``value`` with ``new`` at ``loc`` (``DROP``: the key deleted; copies along the way)."""
    key, rest = loc[0], loc[1:]
    copy = list(value) if isinstance(value, list) else dict(value)
    if not rest and new is DROP and isinstance(copy, dict):
        del copy[key]
    else:
        copy[key] = _put(value[key], rest, new) if rest else new  # type: ignore[index]
    return copy


def _restore(value: Any, loc: Loc, name: str) -> Any:
    """The validated ``value`` with ``name`` at ``loc`` (written keys: the fields' aliases)."""
    if not loc:
        return name
    key, rest = loc[0], loc[1:]
    if isinstance(key, int):
        items = list(value)
        items[key] = _restore(items[key], rest, name)
        return items
    field = next(f for f, info in type(value).model_fields.items() if (info.alias or f) == key)
    return value.model_copy(update={field: _restore(getattr(value, field), rest, name)})


def _kind_checks(doc: SourceDocument, model: Document) -> list[Problem]:
    """The checks of a valid OpenSLO document's fields (a covenant/v1 document's run when
    the contracts are resolved: ``contracts``)."""
    return [problem for check in _checks_of(model) for problem in check(doc, model)]


def _all_checks_of(model: Document) -> list[Check]:
    """The checks of ``model``'s kind, OpenSLO or covenant/v1, for a document with a schema
    error (``partial``, which runs them apart)."""
    return _checks_of(model) or _covenant_checks(model)


def _checks_of(model: Document) -> list[Check]:
    """The checks of an OpenSLO document's kind, each on its own."""
    if isinstance(model, SLODocument):
        return [
            lambda doc, m: checks.check_slo(doc, m.spec),
            lambda doc, m: checks.check_slo_extensions(doc, m.metadata, m.spec),
        ]
    if isinstance(model, SLIDocument):
        return [
            lambda doc, m: checks.check_sli(doc, m.spec),
            lambda doc, m: sli_extensions(doc, m.metadata, m.spec)[1],
        ]
    if isinstance(model, AlertPolicyDocument):
        return [lambda doc, m: checks.check_policy(doc, m.spec)]
    if isinstance(model, AlertConditionDocument):
        return [lambda doc, m: checks.check_condition(doc, m.spec)]
    return []


COVENANT_CHECKED = frozenset(
    (COVENANT_V1, kind) for kind in ("Agreement", "Calendar", "MaintenanceWindow", "Correction")
)
"""The covenant/v1 kinds whose fields are checked together (:func:`_covenant_checks`)."""


def _covenant_checks(model: Document) -> list[Check]:
    """The checks ``contracts`` (and ``corrections``) runs on a valid Agreement, Calendar,
    MaintenanceWindow or Correction's own fields (not its references): run here only on a
    document with a schema error, which they never see, so each problem is said once. Their
    modules are loaded only for such a document (a workspace of SLOs never loads them)."""
    kind = type(model).__name__
    if kind == "AgreementDocument":
        from covenant.definitions.agreement_checks import check_agreement  # noqa: PLC0415

        return [check_agreement]
    if kind == "CalendarDocument":
        from covenant.definitions.calendars import build_calendar  # noqa: PLC0415

        return [lambda doc, m: build_calendar(doc, m)[1]]
    if kind == "MaintenanceDocument":
        from covenant.definitions.contracts import maintenance_window  # noqa: PLC0415

        return [lambda doc, m: maintenance_window(doc, m)[1]]
    if kind == "CorrectionDocument":  # its SLO references are checked once it is valid
        from covenant.definitions.corrections import correction_problems  # noqa: PLC0415

        return [correction_problems]
    return []


def _name(data: Mapping[str, Any]) -> str | None:
    metadata = data.get("metadata")
    if isinstance(metadata, dict) and isinstance(metadata.get("name"), str):
        return str(metadata["name"])
    return None


def _name_problems(doc: SourceDocument, name: str | None) -> list[Problem]:
    if name is None or (len(name) <= 63 and NAME_PATTERN.match(name)):
        return []
    return [
        at(
            doc,
            ("metadata", "name"),
            code="invalid-name",
            message=f"name {name!r} is not a DNS label (RFC 1123)",
            fix=name_fix(name),
        )
    ]


def _unknown_kind(doc: SourceDocument, api: str, kind: str, kinds: list[str]) -> Problem:
    if api == COVENANT_V1 and kind in kind_names(OPENSLO_V1):
        fix = f"write {kind} as apiVersion: openslo/v1"
    else:
        guess = did_you_mean(kind, [*kinds, *(FUTURE_KINDS if api == COVENANT_V1 else ())])
        fix = f"did you mean {guess!r}?" if guess else f"use one of: {', '.join(kinds)}"
    return at(doc, ("kind",), code="unknown-kind", message=f"{api} has no kind {kind!r}", fix=fix)


ENVELOPE = ("apiVersion", "kind", "metadata", "spec")


def _missing(doc: SourceDocument, data: Mapping[str, Any], key: str) -> Problem:
    """``apiVersion`` or ``kind`` missing; written under a misspelt key (``kidn``,
    ``apiversion``), that key is the problem, named at its line with the rename."""
    for wrong in data:
        if isinstance(wrong, str) and wrong not in ENVELOPE and _likely(wrong) == key:
            return at(
                doc,
                (wrong,),
                code="unknown-field",
                message=f"unknown field {wrong!r}: likely the required field {key!r}, misspelt",
                fix=f"rename {wrong} to {key}",
            )
    return at(doc, (key,), code="missing-field", message=f"{key} is missing", fix=_fix(key))


def _likely(key: str) -> str:
    """The envelope key ``key`` likely is (``apiversion`` → ``apiVersion``), or ''."""
    same = [known for known in ENVELOPE if known.lower() == key.lower()]
    return same[0] if same else did_you_mean(key, ENVELOPE)


def _fix(key: str) -> str:
    return (
        "add apiVersion: openslo/v1" if key == "apiVersion" else "add kind: SLO (or SLI, Service…)"
    )
