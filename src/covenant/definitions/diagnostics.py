"""Problems with a place: pydantic errors → ``Problem`` with ``file:line``, field and fix."""

from __future__ import annotations

import difflib
import re
import types
import typing
from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from covenant.definitions import alert_fixes
from covenant.definitions.field_rules import is_name
from covenant.definitions.fields import dns_label
from covenant.definitions.misplaced_fields import (
    INLINE_HEADER,
    MISPLACED,
    misplaced_number,
    one_per_ref,
    written_ref,
)
from covenant.definitions.missing_fixes import missing_fix
from covenant.definitions.slogen_keys import SLOGEN_KEYS, SLOGEN_WHOSE
from covenant.definitions.v2alpha_names import one_per_metric, v2alpha_name
from covenant.definitions.yamlsource import PathKey, SourceDocument, field_path
from covenant.errors import Problem

WARNING = "warning"


def at(
    doc: SourceDocument,
    path: Sequence[str | int],
    *,
    code: str,
    message: str,
    fix: str = "",
    severity: str = "error",
) -> Problem:
    """A Problem pointing at ``path`` inside ``doc``."""
    return Problem(
        code=code,
        message=message,
        where=doc.where(path),
        field=doc.field_of(path),
        fix=fix,
        severity=severity,
    )


def conflict(doc: SourceDocument, path: PathKey, first: str, second: str) -> Problem:
    """Two fields of which only one may be given (``below`` and ``atMost``…)."""
    return at(
        doc,
        path,
        code="conflicting-fields",
        message=f"give {first} or {second}, not both",
        fix=f"remove one of {first} and {second}",
    )


def did_you_mean(word: str, choices: Sequence[str]) -> str:
    same_letters = [choice for choice in choices if choice.casefold() == word.casefold()]
    if same_letters:  # `Slo` for `SLO`: too short for difflib, whose ratio counts case
        return same_letters[0]
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return close[0] if close else ""


def problems_from(
    error: ValidationError,
    doc: SourceDocument,
    model: type[BaseModel],
    *,
    prefix: PathKey = (),
) -> list[Problem]:
    """Every error pydantic found in ``doc`` (validated as ``model``), deduplicated.

    A union of a value and a mapping (``minimumCredit: "10.00"`` or ``{atLeast: …}``) refuses
    a bad input once per branch: a branch's "wrong kind of input" (the mapping branch's
    "should be a valid dictionary" for ``"-50.00"``, the value branch's "should be a number"
    for ``{atLeast: x}``) is kept only when nothing else was said about the field or inside
    it — it would ask for the other form where the input's own branch says what is wrong."""
    problems: list[Problem] = []
    branches: list[Problem] = []
    seen: set[tuple[str, str]] = set()
    for detail in error.errors(include_url=False):
        loc = (*prefix, *_clean(detail["loc"], doc, prefix))
        problem = _one(detail, doc, model, loc, prefix)
        key = (problem.code, problem.field)
        if key in seen:
            continue
        seen.add(key)
        if detail["type"].endswith("_type") and any(_is_branch(p) for p in detail["loc"]):
            branches.append(problem)
        else:
            problems.append(problem)
    said = [p.field for p in problems]
    problems += [b for b in branches if not any(_within(f, b.field) for f in said)]
    return one_per_ref(one_per_metric(problems))


def _within(field: str, outer: str) -> bool:
    return field == outer or field.startswith((f"{outer}.", f"{outer}["))


def _is_branch(part: str | int) -> bool:
    """A part of pydantic's loc that names a union's branch (its type), not a key."""
    return isinstance(part, str) and (
        "[" in part or part in {"str", "int", "bool"} or _is_tag(part)
    )


def _is_tag(part: str | int) -> bool:
    """A union branch pydantic names by its model class (``MinimumCreditSpec``), not a key (a
    key may be capitalised too: a priority ``P1`` or ``Critical``)."""
    return isinstance(part, str) and part[:1].isupper() and part in _model_names()


def _model_names() -> set[str]:
    """The names of Covenant's pydantic models (the definitions' schema)."""
    names: set[str] = set()
    todo: list[type[BaseModel]] = [BaseModel]
    while todo:
        for sub in todo.pop().__subclasses__():
            todo.append(sub)
            if sub.__module__.startswith("covenant."):
                names.add(sub.__name__)
    return names


def _clean(loc: tuple[str | int, ...], doc: SourceDocument, prefix: PathKey) -> PathKey:
    """Drop pydantic's internal loc parts (validator and union tags) that are not keys."""
    kept: list[str | int] = []
    for part in loc:
        if _is_branch(part):
            path = (*prefix, *kept, part)
            if path not in doc.lines:
                continue
        kept.append(part)
    return tuple(kept)


def _one(
    detail: ErrorDetails,
    doc: SourceDocument,
    model: type[BaseModel],
    loc: PathKey,
    prefix: PathKey,
) -> Problem:
    kind = detail["type"]
    ctx: dict[str, Any] = dict(detail.get("ctx") or {})
    name = str(loc[-1]) if loc else ""
    kind_of = doc.data.get("kind") if isinstance(doc.data, dict) else None
    if kind == "missing":
        return at(
            doc,
            loc,
            code="missing-field",
            message=f"required field {name!r} is missing",
            fix=alert_fixes.missing_fix(loc, kind_of) or missing_fix(loc, doc),
        )
    flat = alert_fixes.flat_inline(loc, doc.data) if kind == "extra_forbidden" else None
    if flat is not None:  # one problem per item, at the item (problems_from folds the rest)
        return at(doc, flat[0], code="unknown-field", message=flat[1], fix=flat[2])
    if kind == "extra_forbidden":
        allowed = _allowed_keys(model, loc[len(prefix) : -1])
        guess = did_you_mean(name, allowed)
        fix = f"did you mean {guess!r}?" if guess else "remove it"
        if guess and alert_fixes.in_alert(loc, kind_of):  # a fix to write, not a question
            fix = f"rename {name} to {guess}"
        if allowed and not guess:
            read_as = (
                f" in openslo/v1, which this {doc.converted_from} document is read as"
                if doc.converted_from
                else ""
            )
            fix += f"; allowed here{read_as}: {', '.join(allowed)}"
        misplaced = MISPLACED.get(name)
        if misplaced is not None and misplaced[0] in ("", *map(str, loc[:-1])):
            fix = misplaced[1]  # a field of another place or version: "did you mean" misleads
        fix = misplaced_number(name, loc, kind_of) or fix
        if name in ("apiVersion", "kind") and len(loc) > 1 and loc[-2] == "indicator":
            fix = INLINE_HEADER
        message = f"unknown field {name!r}"
        ref = written_ref(loc, detail.get("input"))
        if ref is not None:
            message, fix = ref
        newer = None if doc.converted_from else v2alpha_name(name, loc)
        if newer is not None:
            message, fix = f"{message}: {newer[0]}", newer[1]
        if len(loc) == 1 and name in SLOGEN_KEYS:  # beside the document: slogen's extension
            message, fix = f"{message}: {SLOGEN_WHOSE}", SLOGEN_KEYS[name]
        return at(doc, loc, code="unknown-field", message=message, fix=fix)
    if kind == "literal_error":
        choices = re.findall(r"'([^']*)'", str(ctx.get("expected", "")))
        given = detail.get("input")
        guess = did_you_mean(str(given), choices) or (choices[0] if len(choices) == 1 else "")
        key = "" if loc and isinstance(loc[-1], int) else f"{name}: "  # a list's item: no key
        fix = f"write {key}{guess}" if guess else f"write {key}one of {', '.join(choices)}"
        if guess and len(choices) > 1:
            fix += f" (one of: {', '.join(choices)})"
        message, fix = alert_fixes.literal_problem(loc, given) or (
            f"{given!r} is not allowed here",
            fix,
        )
        return at(doc, loc, code="invalid-value", message=message, fix=fix)
    if kind == "string_too_long" and isinstance(detail.get("input"), str):
        size, limit = len(detail["input"]), int(ctx["max_length"])
        return at(
            doc,
            loc,
            code="invalid-value",
            message=f"{name} is {size} characters long; at most {limit} are allowed",
            fix=f"shorten it by at least {size - limit} characters",
        )
    if kind in BOUND_FIXES:
        return at(
            doc,
            loc,
            code="invalid-value",
            message=_with_input(detail),
            fix=BOUND_FIXES[kind].format(**ctx),
        )
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        return _not_a_mapping(detail, doc, _allowed_keys(model, loc[len(prefix) :]), loc)
    if "fix" in ctx:  # one of ours (covenant.definitions.fields.problem)
        return at(doc, loc, code=kind, message=detail["msg"], fix=str(ctx["fix"]))
    given = detail.get("input")
    shown = "a mapping" if isinstance(given, dict) else yaml_value(given)
    told = alert_fixes.type_problem(loc, kind_of, given, shown)
    if told is not None:
        return at(doc, loc, code="invalid-type", message=told[0], fix=told[1])
    return at(
        doc,
        loc,
        code="invalid-type",
        message=_with_input(detail),
        fix=TYPE_FIXES.get(kind, "write a value of the type this field takes"),
    )


NUMBER_FIX = "write a plain number such as 0.999 (no % sign, no quotes)"
TYPE_FIXES = {
    "decimal_parsing": NUMBER_FIX,
    "decimal_type": NUMBER_FIX,
    "float_parsing": NUMBER_FIX,
    "float_type": NUMBER_FIX,
    "finite_number": "write a finite number (not .nan or .inf)",
    "int_parsing": "write a whole number such as 10",
    "int_type": "write a whole number such as 10",
    "int_from_float": "write a whole number such as 10",
    "string_type": "write text (quote it if YAML would read it as a number, a date or a list)",
    "bool_parsing": "write true or false",
    "bool_type": "write true or false",
    "list_type": "write a list: one '- item' per line",
}
"""The fix for pydantic's own type errors (the message alone says what is wrong, not how)."""

BOUND_FIXES = {
    "greater_than_equal": "use a value of at least {ge}",
    "greater_than": "use a value above {gt}",
    "less_than_equal": "use a value of at most {le}",
    "less_than": "use a value below {lt}",
    "too_short": "give at least {min_length}",
    "too_long": "give at most {max_length}",
    "string_too_long": "shorten it to at most {max_length} characters",
}


def _not_a_mapping(
    detail: ErrorDetails, doc: SourceDocument, allowed: list[str], loc: PathKey
) -> Problem:
    """A value where a mapping belongs, said without pydantic's class names; a bare name
    where the mapping takes a ``…Ref`` is shown as that reference."""
    given = detail.get("input")
    shown = yaml_value(given)
    fix = "write a mapping: one 'key: value' per line"
    if allowed:
        fix += f" ({', '.join(allowed)})"
    refs = [k for k in allowed if k.endswith("Ref")]
    if isinstance(given, str) and loc[-2:] == ("metricSource", "spec"):  # a query's text
        fix = (
            "write the query under query: spec: {query: …} (a metricSource's spec is a mapping "
            "of what its data source runs)"
        )
    elif isinstance(given, str) and len(refs) == 1:
        item = "- " if loc and isinstance(loc[-1], int) else ""
        name, why = given, "a reference is a mapping"
        if not is_name(given):  # written as is, it would name nothing: no document can have it
            name = dns_label(given, fallback="my-name")
            kind = REFERRED_KINDS.get(refs[0], "document")
            why += f"; names are lowercase DNS labels, so name the {kind} {name!r} too"
        fix = f"write {item}{refs[0]}: {name} ({why}), or the definition"
    return at(
        doc, loc, code="invalid-type", message=f"expected a mapping here, found {shown}", fix=fix
    )


REFERRED_KINDS = {
    "alertPolicyRef": "AlertPolicy",
    "conditionRef": "AlertCondition",
    "targetRef": "AlertNotificationTarget",
    "indicatorRef": "SLI",
    "metricSourceRef": "DataSource",
}
"""The kind each reference names."""


def number_text(number: Decimal) -> str:
    """A number for a message: ``0.00001`` rather than ``1E-5``, ``90`` rather than ``9E+1``,
    and a huge exponent as written (``1E+400``, not 401 digits)."""
    fixed = f"{number:f}"
    return fixed if len(fixed) <= 40 else str(number)


def yaml_value(given: Any) -> str:
    """A value as YAML wrote it, for a message: ``true``, ``1000``, ``'text'`` (shortened)."""
    if isinstance(given, list):
        return "a list"
    if given is None:
        return "nothing (null)"
    if isinstance(given, bool):
        return "true" if given else "false"
    if isinstance(given, Decimal):
        return number_text(given)
    shown = repr(given) if isinstance(given, str) else str(given)
    return shown if len(shown) <= 40 else shown[:37] + "..."


def not_a_query(given: Any) -> str | None:
    """What ``given`` holds where a PromQL query string belongs ("the number 5", "the boolean
    true", "a list", "a mapping"); None for text or nothing (then the query is missing)."""
    if given is None or isinstance(given, str):
        return None
    if isinstance(given, bool):
        return f"the boolean {yaml_value(given)}"
    if isinstance(given, (int, float, Decimal)):
        return f"the number {yaml_value(given)}"
    if isinstance(given, list):
        return "a list"
    return "a mapping" if isinstance(given, dict) else f"{given!r}"


def query_expected(name: str, given: Any, *, what: str = "PromQL query") -> str:
    """``NAME holds the number 5 where a PromQL query string is expected``."""
    return f"{name} holds {not_a_query(given)} where a {what} string is expected"


def query_fix(key: str, example: str, *, what: str = "PromQL query") -> str:
    """The fix for a query field that holds no text: the query written there, as text."""
    return (
        f"write the {what} there as text, e.g. {key}: {example} (a number or other value "
        "is not a query)"
    )


def _with_input(detail: ErrorDetails) -> str:
    """Pydantic's message with the value as written (shortened), so the reader sees it."""
    given = detail.get("input")
    if isinstance(given, dict | list):
        return str(detail["msg"])
    return f"{detail['msg']} (found {yaml_value(given)})"


def _allowed_keys(model: type[BaseModel], loc: PathKey) -> list[str]:
    """The keys the model accepts at ``loc`` (for "did you mean")."""
    current: Any = model
    for part in loc:
        current = _unwrap(current, part)
        if current is None:
            return []
    current = _unwrap(current, None)
    if isinstance(current, type) and issubclass(current, BaseModel):
        return [info.alias or name for name, info in current.model_fields.items()]
    return []


def _unwrap(annotation: Any, part: str | int | None) -> Any:
    """Step from a type to the type of ``part`` inside it (None: just strip wrappers)."""
    for _ in range(6):
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in {typing.Union, types.UnionType}:
            members = [a for a in typing.get_args(annotation) if a is not type(None)]
            annotation = members[0] if len(members) == 1 else None
        else:
            break
    if part is None:
        return annotation
    origin = typing.get_origin(annotation)
    if origin is list and isinstance(part, int):
        return typing.get_args(annotation)[0]
    if origin is dict and isinstance(part, str):
        return typing.get_args(annotation)[1]
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        for name, info in annotation.model_fields.items():
            if (info.alias or name) == part:
                return info.annotation
    return None


@dataclass(frozen=True, slots=True)
class OneKeyItems:
    """A list of one-key mappings (the OpenSLO Go SDK's ``connectionDetails: [{url: …},
    {timeout: …}]``) read as the one mapping it stands for, with the places of its keys.

    Problems found in ``mapping`` are made with ``source`` (each key's lines, and the lines
    under it, also at its path in the mapping), so they point at the item's line, not the
    list's; :meth:`as_written` then names their field as written (``…[1].timeout``)."""

    mapping: dict[str, Any]
    source: SourceDocument
    fields: tuple[tuple[str, str], ...]  # (field in the mapping, field as written)

    def as_written(self, problem: Problem) -> Problem:
        for merged, written in self.fields:
            if problem.field == merged or problem.field.startswith((f"{merged}.", f"{merged}[")):
                return replace(problem, field=written + problem.field[len(merged) :])
        return problem


def one_key_items(doc: SourceDocument, path: PathKey, items: Sequence[Any]) -> OneKeyItems | None:
    """``items`` (at ``path`` in ``doc``) as one mapping, or None unless each item is a
    mapping of one key; a key given twice is the last item's (as a mapping's would be)."""
    if not all(isinstance(item, dict) and len(item) == 1 for item in items):
        return None
    mapping: dict[str, Any] = {}
    index: dict[str, int] = {}
    for i, item in enumerate(items):
        ((key, value),) = item.items()
        mapping[str(key)] = value
        index[str(key)] = i
    lines = dict(doc.lines)
    size = len(path) + 2
    for written, line in doc.lines.items():
        if written[: len(path)] == path and len(written) >= size:
            item, key = written[len(path)], written[len(path) + 1]
            if isinstance(key, str) and index.get(key) == item:
                lines[(*path, key, *written[size:])] = line
    fields = tuple(
        (field_path((*path, key)), field_path((*path, i, key))) for key, i in index.items()
    )
    return OneKeyItems(mapping=mapping, source=replace(doc, lines=lines), fields=fields)
