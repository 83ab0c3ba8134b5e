"""The agreement page's amendment form: every term a version holds that a person amends —
committed levels, credit tiers, the commitments' words, support attainment, the monthly fee
per service, each commitment's credit cap and minimum credit, support penalties and the
agreement-wide cap.

The form is filled from the version it amends (sent back unchanged it drafts the same terms).
What it sends is read here only as far as the form's own shapes go (a date, a tier a line);
money and percentages are passed on as typed, and the draft is validated by
``services.agreement_writes.amend_version`` exactly as the API and ``covenant validate``
validate a version: its problems (``money-precision``, ``invalid-type``…) come back with the
field they name, which :func:`field_of` turns into the form field beside which they are shown.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Any

from covenant.core.agreements import AgreementVersion
from covenant.errors import CovenantError, DefinitionError, InputError
from covenant.services.agreement_amendments import commitment_path, draft_path


@dataclass(frozen=True, slots=True, kw_only=True)
class FieldProblem:
    code: str
    message: str
    hint: str


@dataclass(slots=True, kw_only=True)
class AmendmentForm:
    """What the form shows: its fields' text, and the problems of a refused submit by field
    (``general``: those no single field holds)."""

    base: int
    values: dict[str, str]
    problems: dict[str, list[FieldProblem]] = field(default_factory=dict)
    general: list[FieldProblem] = field(default_factory=list)

    def add(self, name: str | None, error: CovenantError | FieldProblem) -> None:
        found = (
            error
            if isinstance(error, FieldProblem)
            else FieldProblem(code=error.code, message=error.message, hint=error.hint)
        )
        if name is None:
            self.general.append(found)
        else:
            self.problems.setdefault(name, []).append(found)

    @property
    def refused(self) -> bool:
        return bool(self.problems or self.general)


@dataclass(frozen=True, slots=True, kw_only=True)
class Amendment:
    """The form read: what ``amend_version`` is given."""

    base: int
    effective_from: str
    reason: str
    levels: dict[str, str]
    edits: dict[str, dict[str, Any]]
    terms: dict[str, Any]


def field_id(name: str) -> str:
    """An element id for the field ``name`` (``fee:checkout`` → ``amend-fee-checkout``)."""
    return "amend-" + re.sub(r"[^A-Za-z0-9_-]", "-", name)


def level_field(level: Fraction) -> str:
    """A committed level as the percent a person types (9995/10000 → ``99.95``)."""
    found = Decimal(level.numerator * 100) / Decimal(level.denominator)
    return format(found.normalize(), "f")


def percent_text(value: Fraction | Decimal | None) -> str:
    """A percentage as a person types it (Fraction: a ratio, ×100; Decimal: already percent)."""
    if value is None:
        return ""
    if isinstance(value, Fraction):
        return level_field(value)
    return format(value.normalize(), "f")


def money_text(value: Decimal | None) -> str:
    """An amount as written in the contract, with its decimals (``8000.00``)."""
    return "" if value is None else format(value, "f")


TIER_KEYS = ("below", "atMost", "atLeast", "above", "credit")
_NUMBER = re.compile(r"\d{1,3}(\.\d{1,6})?")
MINIMUM_RULES = ("atLeast", "above")


def tier_lines(tiers: Any) -> str:
    """Credit tiers as the amendment form's text: one per line, the contract's keys."""
    lines = []
    for t in tiers:
        parts = []
        if t.below is not None:
            parts.append(f"{'atMost' if t.below_inclusive else 'below'}: {percent_text(t.below)}")
        if t.at_least is not None:
            key = "atLeast" if t.at_least_inclusive else "above"
            parts.append(f"{key}: {percent_text(t.at_least)}")
        parts.append(f"credit: {percent_text(t.credit)}")
        lines.append(", ".join(parts))
    return "\n".join(lines)


def prefilled(version: AgreementVersion) -> AmendmentForm:
    """The form of an amendment of ``version``: its terms as a person would type them."""
    values = {
        "base": str(version.version),
        "effective_from": "",
        "reason": "",
        "cap-percent": percent_text(version.cap_percent),
        "cap-amount": money_text(version.cap_amount),
        "fee-service": "",
        "fee-amount": "",
    }
    values.update({f"fee:{s}": money_text(amount) for s, amount in version.fees})
    for c in version.availability:
        r = c.remedies
        values.update(
            {
                f"level:{c.name}": level_field(c.level),
                f"tiers:{c.name}": tier_lines(r.tiers),
                f"terms:{c.name}": c.terms,
                f"cap-percent:{c.name}": percent_text(r.cap_percent),
                f"cap-amount:{c.name}": money_text(r.cap_amount),
                f"minimum:{c.name}": money_text(r.minimum_credit),
                f"minimum-rule:{c.name}": "atLeast" if r.minimum_inclusive else "above",
            }
        )
    for s in version.support:
        values.update(
            {
                f"attainment:{s.name}": percent_text(s.attainment),
                f"terms:{s.name}": s.terms,
                f"penalty-percent:{s.name}": percent_text(s.penalty_percent),
                f"penalty-amount:{s.name}": money_text(s.penalty_amount),
            }
        )
    return AmendmentForm(base=version.version, values=values)


def parse_tiers(commitment: str, text: str) -> list[dict[str, str]]:
    """The form's credit tiers (``below: 99.95, atLeast: 99.9, credit: 10`` a line) as the
    contract's list; a line that does not read is ``invalid-input`` naming it."""
    tiers = []
    for number, written in enumerate(text.splitlines(), start=1):
        line = written.strip().strip("-{} ")
        if not line:
            continue
        tier: dict[str, str] = {}
        for part in line.split(","):
            key, colon, value = (x.strip() for x in part.partition(":"))
            if not colon or key not in TIER_KEYS or not _NUMBER.fullmatch(value) or key in tier:
                raise InputError(
                    f"credit tiers of {commitment}, line {number}: {part.strip()[:60]!r} is not "
                    "one of below, atMost, atLeast, above, credit with a number",
                    hint="write a tier like: below: 99.95, atLeast: 99.9, credit: 10",
                )
            tier[key] = value
        if "credit" not in tier:
            raise InputError(
                f"credit tiers of {commitment}, line {number}: the tier has no credit",
                hint="add the credit in percent of the fee, e.g. credit: 10",
            )
        tiers.append(tier)
    return tiers


def _amount(fields: dict[str, str], suffix: str) -> dict[str, str] | None:
    """``{percent, amount}`` from the fields ``cap-percent…``/``cap-amount…`` (or penalty):
    None when both are blank (no cap, no penalty)."""
    kind = suffix.partition(":")[0]
    rest = suffix.partition(":")[2]
    tail = f":{rest}" if rest else ""
    found = {
        key: fields[f"{kind}-{key}{tail}"].strip()[:40]
        for key in ("percent", "amount")
        if fields.get(f"{kind}-{key}{tail}", "").strip()
    }
    return found or None


def _has(fields: dict[str, str], *names: str) -> bool:
    return any(n in fields for n in names)


MAX_TERMS = 10_000
"""The longest terms text, as the API takes it (routes_lifecycle)."""


def read_form(fields: dict[str, str], base: AgreementVersion) -> tuple[Amendment, AmendmentForm]:
    """The amendment the form asks for, and the form as typed with the problems the form's
    own shapes have. A field the form did not send keeps the base version's term; one sent
    blank removes it (no cap, no minimum, no penalty, no fee)."""
    shown = AmendmentForm(base=base.version, values=prefilled(base).values)
    shown.values.update({k: v for k, v in fields.items() if k != "csrf"})
    start = fields.get("effective_from", "").strip()
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", start):
        shown.add(
            "effective_from",
            InputError(
                f"effective from {start[:40]!r} is not a date", hint="give a date like 2027-01-01"
            ),
        )
    reason = fields.get("reason", "")[:500]
    try:
        from covenant.services.agreement_writes import check_reason

        check_reason(reason)
    except InputError as error:
        shown.add("reason", error)
    levels = {
        k.removeprefix("level:"): v.strip() for k, v in fields.items() if k.startswith("level:")
    }
    edits: dict[str, dict[str, Any]] = {}
    for c in base.availability:
        edit = edits.setdefault(c.name, {})
        if f"tiers:{c.name}" in fields:
            try:
                edit["credits"] = parse_tiers(c.name, fields[f"tiers:{c.name}"])
            except InputError as error:
                shown.add(f"tiers:{c.name}", error)
        if _has(fields, f"cap-percent:{c.name}", f"cap-amount:{c.name}"):
            edit["cap"] = _amount(fields, f"cap:{c.name}")
        if f"minimum:{c.name}" in fields:
            minimum = fields[f"minimum:{c.name}"].strip()[:40]
            rule = fields.get(f"minimum-rule:{c.name}", shown.values[f"minimum-rule:{c.name}"])
            if rule not in MINIMUM_RULES:
                shown.add(
                    f"minimum-rule:{c.name}",
                    InputError(
                        f"minimum credit rule {rule[:20]!r} is not atLeast or above",
                        hint="choose 'at least' or 'more than'",
                    ),
                )
            edit["minimumCredit"] = (
                None if not minimum else minimum if rule == "atLeast" else {"above": minimum}
            )
    for s in base.support:
        edit = edits.setdefault(s.name, {})
        if f"attainment:{s.name}" in fields:
            value = fields[f"attainment:{s.name}"].strip()
            if _NUMBER.fullmatch(value):
                edit["attainment"] = value
            else:
                shown.add(
                    f"attainment:{s.name}",
                    InputError(
                        f"attainment of {s.name} {value[:20]!r} is not a percentage",
                        hint="give the share of tickets that must meet their targets, e.g. 95",
                    ),
                )
        if _has(fields, f"penalty-percent:{s.name}", f"penalty-amount:{s.name}"):
            edit["penalty"] = _amount(fields, f"penalty:{s.name}")
    for named in [c.name for c in base.availability] + [s.name for s in base.support]:
        if f"terms:{named}" in fields:
            text = fields[f"terms:{named}"].strip()
            if len(text) > MAX_TERMS:  # never cut: the contract's words are kept whole
                shown.add(
                    f"terms:{named}",
                    InputError(
                        f"the terms of {named} are {len(text):,} characters, more than "
                        f"{MAX_TERMS:,}",
                        hint="shorten them, or amend the agreement's file and sync it",
                    ),
                )
            else:
                edits[named]["terms"] = text
    terms: dict[str, Any] = {}
    if any(k.startswith("fee:") for k in fields) or fields.get("fee-service", "").strip():
        fees = {
            k.removeprefix("fee:"): v.strip()[:40]
            for k, v in fields.items()
            if k.startswith("fee:") and v.strip()
        }
        extra = fields.get("fee-service", "").strip()[:100]
        if extra:
            amount = fields.get("fee-amount", "").strip()[:40]
            if not amount:
                shown.add(
                    "fee-amount",
                    InputError(
                        f"the fee of {extra} is missing",
                        hint='give its monthly fee, e.g. "500.00", or leave the service blank',
                    ),
                )
            fees[extra] = amount
        terms["fees"] = fees
    if _has(fields, "cap-percent", "cap-amount"):
        terms["cap"] = _amount(fields, "cap")
    found = Amendment(
        base=base.version,
        effective_from=start,
        reason=reason,
        levels=levels,
        edits={k: v for k, v in edits.items() if v},
        terms=terms,
    )
    return found, shown


_COMMITMENT_FIELDS = (  # (path below a commitment, form field kind)
    ("level", "level"),
    ("credits", "tiers"),
    ("terms", "terms"),
    ("cap.amount", "cap-amount"),
    ("cap", "cap-percent"),
    ("minimumCredit", "minimum"),
    ("attainment", "attainment"),
    ("penalty.amount", "penalty-amount"),
    ("penalty", "penalty-percent"),
)


def field_of(path: str, *, index: int, base: AgreementVersion, form: AmendmentForm) -> str | None:
    """The form field a validation problem's ``field`` (``spec.versions[2].fees.checkout``)
    names, when it is about the drafted version (at ``index`` of the agreement's versions)."""
    rest = draft_path(path, index=index)
    if rest is None:
        return None
    if rest.startswith("fees."):
        name = f"fee:{rest.removeprefix('fees.')}"
        return name if name in form.values and name != "fee:" else "fee-amount"
    simple = {
        "effectiveFrom": "effective_from",
        "reason": "reason",
        "cap": "cap-percent",
        "cap.percent": "cap-percent",
        "cap.amount": "cap-amount",
    }
    if rest in simple:
        return simple[rest]
    found = commitment_path(rest, version=base)
    if found is None:
        return None
    name, below = found
    for prefix, kind in _COMMITMENT_FIELDS:
        if below == prefix or below.startswith((f"{prefix}.", f"{prefix}[")):
            candidate = f"{kind}:{name}"
            return candidate if candidate in form.values else None
    return None


def add_problems(
    form: AmendmentForm, error: CovenantError, *, index: int, base: AgreementVersion
) -> None:
    """The problems of a refused draft, each beside the form field it names."""
    if not isinstance(error, DefinitionError):
        form.add(None, error)
        return
    for p in error.problems:
        if p.severity != "error":
            continue
        found = FieldProblem(code=p.code, message=p.message, hint=p.fix)
        form.add(field_of(p.field, index=index, base=base, form=form), found)
