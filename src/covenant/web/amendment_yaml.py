"""The agreement page's "Edit all terms (YAML)" form: an amendment that writes version n's
complete terms, not only the ones the amendment form has fields for (claim deadlines,
measurement, exclusions, services, support targets and calendars, commitments added or
removed), as the API's amendment with ``terms`` does.

The textarea is filled with version n's terms as the store recorded its definition (the YAML
of a version in an Agreement, without its number, status, signatories, start and reason: the
form's own fields). What is sent is read by the project's YAML reader (safe: plain data only,
numbers exact, the line of every field kept), and the draft is validated as any version; each
problem is shown beside the textarea with the line of the field it names (for a field that is
missing, the line of the one that holds it), the field, the problem and the fix. A refused
submit keeps the text as typed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import yaml

from covenant.definitions.yamlsource import SourceDocument, plain_tag, read_text
from covenant.errors import CovenantError, DefinitionError, InputError, Problem
from covenant.services.agreement_amendments import OWN, draft_path, whole_problems

FIELDS = ("effective_from", "reason", "terms")  # the form's fields
MAX_REASON = 1000  # as the API takes it (routes_lifecycle.AmendIn)
_OWN_FIELD = {"effectiveFrom": "effective_from", "reason": "reason"}  # a version's → the form's
_FIRST = (  # a version's keys in the order a contract reads (the others follow as recorded)
    "effectiveTo",
    "currency",
    "period",
    "fees",
    "cap",
    "approvals",
    "availability",
    "support",
)
_PART = re.compile(r"\[([^\]]*)\]|([^.\[\]]+)")
STR_TAG = "tag:yaml.org,2002:str"


@dataclass(frozen=True, slots=True, kw_only=True)
class TermsProblem:
    line: int | None  # of the YAML, for a problem about a field of the terms
    field: str  # below the version: ``support[0].targets.P1``; "" for the form's own fields
    code: str
    message: str
    hint: str


@dataclass(slots=True, kw_only=True)
class TermsForm:
    """What the form shows: the text of its fields, and a refused submit's problems by field
    (``effective_from``, ``reason``, ``terms``)."""

    base: int
    values: dict[str, str]
    problems: dict[str, list[TermsProblem]] = field(default_factory=dict)

    def add(self, name: str, problem: TermsProblem) -> None:
        self.problems.setdefault(name, []).append(problem)

    @property
    def refused(self) -> bool:
        return bool(self.problems)


# Where a version's terms hold money or a percentage (definitions/agreements.py: ``Money``,
# ``Percent``, ``Level``, ``PositivePercent``), as ``_shape`` writes a path: the store keeps
# them as decimal text ("8000.00"), which the form shows as the contract writes it (8000.00).
DECIMAL_FIELDS = frozenset(
    {
        "fees.*",
        "cap.percent",
        "cap.amount",
        "availability[].level",
        *(f"availability[].credits[].{k}" for k in ("below", "atMost", "atLeast", "above")),
        "availability[].credits[].credit",
        "availability[].cap.percent",
        "availability[].cap.amount",
        "availability[].minimumCredit",
        "availability[].minimumCredit.atLeast",
        "availability[].minimumCredit.above",
        "availability[].measurement.errorRateAtLeast",
        "availability[].measurement.errorRateAbove",
        "support[].attainment",
        "support[].penalty.percent",
        "support[].penalty.amount",
    }
)


class _Number(str):
    """Decimal text written unquoted: a plain YAML number."""

    __slots__ = ()


class _Dumper(yaml.SafeDumper):  # type: ignore[misc]  # pyyaml ships no types
    """Plain YAML; a text of several lines as a block (``|``), as a person writes it; a text
    the project's reader would read as something else unquoted (``1e3``: a number in YAML
    1.2, text in PyYAML's 1.1) quoted."""


def _text(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = "|" if "\n" in value else None
    if style is None and plain_tag(value) != STR_TAG:
        style = "'"
    return dumper.represent_scalar(STR_TAG, value, style=style)


def _number(dumper: yaml.SafeDumper, value: _Number) -> yaml.Node:
    text = str.__str__(value)
    tag = dumper.resolve(yaml.ScalarNode, text, (True, False))  # so that no tag is written
    return dumper.represent_scalar(tag, text, style=None)


_Dumper.add_representer(str, _text)
_Dumper.add_representer(_Number, _number)


def reads_back_exactly(text: str) -> bool:
    """Whether ``text``, written unquoted, is read by the project's YAML reader (the one the
    form's answer goes through) as a ``Decimal`` whose text is ``text``: ``99.95``,
    ``8000.00``, ``99.0``; not ``8000`` (an integer), ``.5`` (0.5), ``5.`` (5) or ``1_200.00``
    (1200.00), which stay quoted text, read exactly as the store keeps them."""
    documents, problems = read_text(f"value: {text}\n", file="<number>")
    if problems or len(documents) != 1 or not isinstance(documents[0].data, dict):
        return False
    found = documents[0].data.get("value")
    return isinstance(found, Decimal) and str(found) == text


def _shape(path: tuple[str | int, ...]) -> str:
    """``("availability", 0, "credits", 1, "below")`` → ``availability[].credits[].below``;
    a fee's service is ``*`` (``fees.*``)."""
    parts: list[str] = []
    for position, part in enumerate(path):
        if isinstance(part, int):
            parts.append("[]")
        else:
            name = "*" if path[:position] == ("fees",) else part
            parts.append(f".{name}" if parts else name)
    return "".join(parts)


def _numbers(value: Any, path: tuple[str | int, ...] = ()) -> Any:
    """``value`` with the decimal text of its money and percentages (``DECIMAL_FIELDS``)
    marked to be written unquoted, where that reads back exactly (:func:`reads_back_exactly`)."""
    if isinstance(value, Mapping):
        return {k: _numbers(v, (*path, str(k))) for k, v in value.items()}
    if isinstance(value, list):
        return [_numbers(v, (*path, i)) for i, v in enumerate(value)]
    if isinstance(value, str) and _shape(path) in DECIMAL_FIELDS and reads_back_exactly(value):
        return _Number(value)
    return value


def _readable(value: Any) -> Any:
    """``value`` with each item's ``name`` and ``displayName`` first."""
    if isinstance(value, Mapping):
        first = [k for k in ("name", "displayName") if k in value]
        return {k: _readable(value[k]) for k in [*first, *(k for k in value if k not in first)]}
    if isinstance(value, list):
        return [_readable(v) for v in value]
    return value


def terms_text(terms: Mapping[str, Any]) -> str:
    """A version's terms (its recorded definition) as the YAML the form shows: money and
    percentages unquoted (``level: 99.95``, ``checkout: 8000.00``) where the form's reader
    reads them back as the same decimal text, quoted text otherwise."""
    ordered = {k: terms[k] for k in _FIRST if k in terms}
    ordered.update({k: v for k, v in terms.items() if k not in ordered})
    text: str = yaml.dump(
        _readable(_numbers(ordered)),
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=False,
        width=100,
    )
    return text


def prefilled_terms(terms: Mapping[str, Any], *, base: int) -> TermsForm:
    """The form of an amendment of version ``base`` whose terms are ``terms``."""
    values = {"base": str(base), "effective_from": "", "reason": "", "terms": terms_text(terms)}
    return TermsForm(base=base, values=values)


def path_key(path: str) -> tuple[str | int, ...]:
    """``support[0].targets.P1`` → ``("support", 0, "targets", "P1")`` (the inverse of
    ``yamlsource.field_path``)."""
    parts: list[str | int] = []
    for bracketed, plain in _PART.findall(path):
        if plain:
            parts.append(plain)
        else:
            parts.append(int(bracketed) if bracketed.isdigit() else bracketed)
    return tuple(parts)


def _line(where: str) -> int | None:
    found = re.search(r":(\d+)$", where)
    return int(found.group(1)) if found else None


def _problem(p: Problem, *, line: int | None, field: str) -> TermsProblem:
    return TermsProblem(line=line, field=field, code=p.code, message=p.message, hint=p.fix)


def read_terms(
    fields: Mapping[str, str], *, base: int
) -> tuple[dict[str, Any] | None, SourceDocument | None, TermsForm]:
    """The terms the form asks for (None when refused), the YAML as read (its lines), and
    the form as typed with the problems the form's own checks find."""
    values = {name: fields.get(name, "") for name in FIELDS}
    shown = TermsForm(base=base, values={"base": str(base), **values})
    start = values["effective_from"].strip()
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", start):
        shown.add(
            "effective_from",
            TermsProblem(
                line=None,
                field="",
                code=InputError.code,
                message=f"effective from {start[:40]!r} is not a date",
                hint="give a date like 2027-01-01",
            ),
        )
    reason = values["reason"].strip()
    if not reason or len(reason) > MAX_REASON:
        shown.add(
            "reason",
            TermsProblem(
                line=None,
                field="",
                code=InputError.code,
                message="an amendment needs its reason"
                if not reason
                else f"the reason is {len(reason):,} characters, more than {MAX_REASON:,}",
                hint="say what changes and why" if not reason else "say it in fewer words",
            ),
        )
    documents, problems = read_text(values["terms"], file="terms")
    for p in problems:
        shown.add("terms", _problem(p, line=_line(p.where), field=p.field))
    if problems:
        return None, None, shown
    if len(documents) != 1 or not isinstance(documents[0].data, dict):
        shown.add(
            "terms",
            TermsProblem(
                line=None,
                field="",
                code=InputError.code,
                message="the terms are not one YAML mapping (a version's fields)",
                hint="write the version's fields, one a line (fees:, availability:, …), "
                "as the form was filled",
            ),
        )
        return None, None, shown
    source = documents[0]
    for p in whole_problems(source.data, effective_from=start, reason=values["reason"]):
        rest = p.field.removeprefix("terms.")
        shown.add("terms", _problem(p, line=source.line_of(path_key(rest)), field=rest))
    if shown.refused:
        return None, source, shown
    whole = {k: v for k, v in source.data.items() if k not in OWN}
    return whole, source, shown


def add_terms_problems(
    form: TermsForm, error: CovenantError, *, index: int, source: SourceDocument | None
) -> None:
    """The problems of a refused draft (the draft at ``index`` of the agreement's versions),
    each with the YAML line of the field it names."""
    if not isinstance(error, DefinitionError):
        form.add(
            "terms",
            TermsProblem(
                line=None, field="", code=error.code, message=error.message, hint=error.hint
            ),
        )
        return
    for p in error.problems:
        if p.severity != "error":
            continue
        rest = draft_path(p.field, index=index)
        if rest in _OWN_FIELD:
            form.add(_OWN_FIELD[rest], _problem(p, line=None, field=""))
        elif rest is not None:
            line = None if source is None else source.line_of(path_key(rest))
            form.add("terms", _problem(p, line=line, field=rest))
        else:  # about the agreement, not this version's fields (overlapping versions…)
            form.add("terms", _problem(p, line=None, field=p.field))
