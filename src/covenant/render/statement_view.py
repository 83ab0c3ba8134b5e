"""A statement as the document a customer files: every figure formatted, every label in the
agreement's language, ready for the Jinja2 template (``templates/statement.html``).

Evidence a customer can check: one row per downtime interval with its duration and whether and
why it was excluded; the arithmetic of each credit (level → tier → percent × fee → cap and
minimum); the late tickets behind each support penalty with their timers; one total owed; the
claim deadline. Names are the contract's (display names), never internal SLO names.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

from covenant.core.availability import AvailabilityResult, Evidence
from covenant.core.credits import CreditLimit, ProRata
from covenant.core.money import Money, quantum
from covenant.core.statement import IssueMark, Statement
from covenant.core.support import SupportResult
from covenant.render.statement_format import Formats
from covenant.render.statement_labels import (
    catalogue,
    fill,
    html_lang,
    plural,
    translate_reason,
)

_RUN = re.compile(r"; (?=\d+-minute interval with )")
_RUN_PART = re.compile(r"(?P<intervals>.+); (?P<run>part of a \d+-minute run of bad intervals, .+)")
_INTERVAL = re.compile(
    r"^(\d+)-minute interval with ([0-9.]+) % errors \(\d+/\d+; threshold ([0-9.]+) %\)$"
)


@dataclass(frozen=True, slots=True)
class Row:
    cells: tuple[str, ...]
    utc: tuple[str, ...] = ()
    kind: str = ""  # css class: counted, excluded, not-excluded, uncovered, late


@dataclass(slots=True)
class Section:
    title: str
    terms: str
    facts: list[tuple[str, str, str]] = field(default_factory=list)  # label, value, css class
    rows: list[Row] = field(default_factory=list)
    steps: list[tuple[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def statement_view(st: Statement, issued: IssueMark | None = None) -> dict[str, Any]:
    """Everything the template shows, as text (the template only lays it out); ``issued``: the
    issue line of an issued copy (its date, revision and digest), else none."""
    pres = st.presentation
    words = catalogue(pres.locale)
    fmt = Formats(pres.locale, st.zone, words)
    quarter = "Q" in st.period_label
    status = _status(st, fmt, words, issued=issued is not None)
    sections = [_availability(st, a, fmt, words) for a in st.availability]
    support = [_support(st, s, fmt, words) for s in st.support]
    items = [
        (words["credit_item"].format(name=_title(st, a.agreement, a.version, a.commitment)), a)
        for a in st.availability
        if a.credit is not None and a.credit.amount.amount
    ]
    lines = [(text, fmt.money(a.credit.amount if a.credit else None)) for text, a in items]
    lines += [
        (
            words["penalty_item"].format(name=_title(st, s.agreement, s.version, s.commitment)),
            fmt.money(s.penalty),
        )
        for s in st.support
        if s.penalty is not None and s.penalty.amount
    ]
    deadlines = sorted({a.claim_deadline for _, a in items if a.claim_deadline is not None})
    example = Fraction(999499, 1000000)
    return {
        "lang": html_lang(pres.locale),
        "w": words,
        "title": words["title"],
        "number": pres.number,
        "issuer": pres.issuer,
        "customer": pres.customer,
        "period": fmt.period(st.period_start, quarter),
        "period_heading": words["period_days"].format(
            period=fmt.period(st.period_start, quarter),
            days=fmt.days(st.period_start, st.period_end),
        ),
        "period_exact": words["separator"].join(
            (
                words["period_range"].format(
                    start=fmt.when(st.period_start), end=fmt.when(st.period_end, end=True)
                ),
                words["period_range"].format(
                    start=fmt.utc(st.period_start), end=fmt.utc(st.period_end)
                ),
            )
        ),
        "zone_note": words["zone"].format(zone=st.zone),
        "convention": words["convention"],
        # a draft (computed, never issued) never says "Issued": only an issued copy does
        "generated_label": words["generated"] if issued else words["computed"],
        "generated": _with_utc(st.generated_at, fmt, words)
        if issued is None
        else words["issued_at"].format(
            at=_with_utc(issued.issued_at, fmt, words), revision=issued.revision
        ),
        "draft": words["draft"] if issued is None else None,
        "status": status,
        "final": st.complete,
        "agreements": words["separator"].join(
            words["agreement_version"].format(name=pres.agreement_name(a), version=v)
            for a, v in st.agreements
        ),
        "not_included": [
            words[f"not_included_{n.reports_per}"].format(
                name=n.display_name, periods=fmt.period_names(n.periods)
            )
            for n in st.not_included
        ],
        "lines": lines,
        "totals": [fmt.money(m) for m in st.owed],
        "claim": [
            words["claim_note"].format(deadline=_with_utc(d, fmt, words, end=True))
            for d in deadlines
        ],
        "availability": sections,
        "support": support,
        "issued": None
        if issued is None
        else words["issued_line"].format(
            date=fmt.when(issued.issued_at), revision=issued.revision, digest=issued.digest
        ),
        "issued_short": None
        if issued is None
        else words["issued_short"].format(
            date=fmt.when(issued.issued_at), revision=issued.revision
        ),
        "truncated": words["truncated"].format(
            example_exact=fmt.exact_percent(example), example_shown=fmt.level(example)
        ),
    }


def _with_utc(
    moment: datetime, fmt: Formats, words: Mapping[str, str], *, end: bool = False
) -> str:
    """A local time with its UTC instant: ``31 Dec 2026, 24:00 (2026-12-31 23:00 UTC)``."""
    return words["with_utc"].format(local=fmt.when(moment, end=end), utc=fmt.utc(moment))


def _title(st: Statement, agreement: str, version: int, name: str) -> str:
    text = st.presentation.commitment(agreement, version, name)
    return text.display_name or name


def _status(st: Statement, fmt: Formats, words: Mapping[str, str], *, issued: bool) -> str:
    at = _with_utc(st.until, fmt, words)  # an instant after now: as of now, what is measured
    if st.complete:  # only an issued copy is final: a draft of a closed period says it is not
        return words["final"] if issued else words["final_draft"]
    if st.partial:
        return words["partial"].format(at=at)
    if st.until >= st.period_end and st.running_timers:
        template = plural(words, "timers", st.running_timers, fmt.locale)
        return template.format(count=fmt.number(st.running_timers), at=at)
    return words["in_progress"].format(at=at)


def _availability(
    st: Statement,
    a: AvailabilityResult,
    fmt: Formats,
    words: Mapping[str, str],
) -> Section:
    text = st.presentation.commitment(a.agreement, a.version, a.commitment)
    section = Section(title=text.display_name or a.commitment, terms=text.terms)
    state = "" if a.met is None else ("met" if a.met else "missed")
    measured = (
        fmt.level(a.level)
        if a.level is not None
        else words["no_data"].format(why=translate_reason(a.no_data or "", words))
    )
    if state:
        measured = words["level_state"].format(level=measured, state=words[state])
    section.facts = [
        (words["services"], ", ".join(a.services), ""),
        (words["committed"], fmt.exact_percent(a.level_committed), ""),
        (words["measured"], measured, state),
        (words["eligible"], fmt.duration(a.eligible_s), ""),
        (words["downtime"], fmt.duration(a.downtime_s), ""),
        (words["excluded"], fmt.duration(a.excluded_s), ""),
    ]
    if a.uncovered:
        section.facts.append((words["uncovered"], fmt.duration(a.uncovered_s), "missed"))
    if a.claim_deadline is not None:
        deadline = _with_utc(a.claim_deadline, fmt, words, end=True)
        section.facts.append((words["claim_by"], deadline, ""))
    evidence: list[tuple[Evidence, str]] = [
        *((e, "counted") for e in a.down),
        *((e, "excluded") for e in a.exclusions),
        *((e, "not-excluded") for e in a.not_excluded),
        *((e, "uncovered") for e in a.uncovered),
        *((e, "short-run") for e in a.short_runs),  # bad, but its run was too short
    ]
    treatment = {
        "counted": words["counted"],
        "short-run": words["short_run_row"],
        "excluded": words["excluded_row"],
        "not-excluded": words["not_excluded_row"],
        "uncovered": words["uncovered_row"],
    }
    for e, kind in sorted(evidence, key=lambda item: (item[0].start, item[0].end)):
        section.rows.append(
            Row(
                cells=(
                    fmt.when(e.start),
                    fmt.when(e.end, end=True),
                    fmt.duration(e.seconds),
                    treatment[kind],
                    _reason(e.reason, fmt, words, seconds=e.seconds),
                ),
                utc=(fmt.utc(e.start), fmt.utc(e.end)),
                kind=kind,
            )
        )
    if not section.rows:
        section.notes.append(words["no_evidence"])
    section.steps = _credit_steps(a, fmt, words)
    return section


def _reason(reason: str, fmt: Formats, words: Mapping[str, str], *, seconds: int) -> str:
    """A record's reason for a customer: a row of ``seconds`` of bad measurement intervals as
    one line (how many, their error rates; then, with a minimum run, the run they are part of
    and whether it counted), anything else as recorded (phrases in the statement's language)."""
    bad, run = reason, ""
    if (split := _RUN_PART.fullmatch(reason)) is not None:
        bad, run = split["intervals"], split["run"]
    parts = _RUN.split(bad)
    found = [_INTERVAL.match(p) for p in parts]
    if parts and all(found):
        matches = [m for m in found if m is not None]
        rates = [Decimal(m[2]) / 100 for m in matches]
        size = int(matches[0][1])
        count = seconds // (size * 60)  # intervals of equal error rates share one reason
        text = fill(
            plural(words, "intervals", count, fmt.locale),
            fmt.locale,
            count=fmt.number(count),
            size=fmt.number(size),
            threshold=fmt.exact_percent(Decimal(matches[0][3]), of_one=False),
            low=fmt.exact_percent(min(rates)),
            high=fmt.exact_percent(max(rates)),
        )
        return words["reason_join"].join([text, translate_reason(run, words)]) if run else text
    return translate_reason(reason, words)


def _credit_steps(
    a: AvailabilityResult, fmt: Formats, words: Mapping[str, str]
) -> list[tuple[str, str]]:
    """level → tier → percent × fee → cap and minimum → credit owed."""
    credit = a.credit
    if credit is None:
        return []
    steps = [(words["step_level"], fmt.level(a.level))]
    if credit.tier is None:
        steps.append((words["step_tier"], words["no_tier"]))
        return steps
    steps.append((words["step_tier"], fmt.tier(credit.tier)))
    percent = fmt.exact_percent(credit.percent, of_one=False)
    fee = fmt.money(credit.fee)
    if credit.pro_rata is not None:
        period = (a.period_start, a.period_end)
        step, fee = _pro_rata(credit.pro_rata, credit.fee.currency, period, fmt, words)
        steps.append(step)
    steps.append(
        (
            words["step_percent"].format(percent=percent, fee=fee),
            fmt.money(credit.uncapped),
        )
    )
    currency = credit.amount.currency
    steps += [
        (_limit_text(limit, currency, fmt, words), _money(limit.after, currency, fmt))
        for limit in credit.limits
    ]
    if credit.amount != credit.uncapped and not credit.limits:
        steps.append((words["step_limits"], fmt.money(credit.amount)))
    steps.append((words["step_owed"], fmt.money(credit.amount)))
    return steps


def _pro_rata(
    pro: ProRata,
    currency: str,
    period: tuple[datetime, datetime],
    fmt: Formats,
    words: Mapping[str, str],
) -> tuple[tuple[str, str], str]:
    """The step that pro-rates a fee (``€333.33 for the whole period, pro rata 15 d of 30 d``
    → ``€166.665``), and that fee exactly as a percentage is taken of it (never rounded: the
    next line's arithmetic must add up)."""
    whole = int((period[1] - period[0]).total_seconds())
    part = pro.share * whole  # the seconds in force: share is their ratio to the period's
    exact = fmt.exact_money(pro.fee, currency)
    text = words["step_pro_rata"].format(
        fee=fmt.exact_money(pro.full, currency),
        part=fmt.duration(int(part)),
        whole=fmt.duration(whole),
    )
    return (text, exact), exact


def _money(amount: Decimal, currency: str, fmt: Formats) -> str:
    return fmt.money(Money(amount=amount, currency=currency))


def _limit_text(limit: CreditLimit, currency: str, fmt: Formats, words: Mapping[str, str]) -> str:
    """A cap or minimum that changed the credit, worded in full with its figures."""
    figures = {
        "before": _money(limit.before, currency, fmt),
        # a pro-rated bound exactly, as the pro-rated fee is shown (rounded only when applied)
        "bound": _money(limit.bound, currency, fmt)
        if limit.exact is None
        else fmt.exact_money(limit.exact, currency),
        "after": _money(limit.after, currency, fmt),
    }
    if limit.kind == "cap" and limit.percent is not None:
        percent = fmt.exact_percent(limit.percent, of_one=False)
        return words["limit_cap_percent"].format(percent=percent, **figures)
    key = {
        "cap": "limit_cap",
        "minimum": "limit_minimum",
        "minimum-exclusive": "limit_minimum_exclusive",
        "agreement-cap": "limit_agreement_cap",
    }[limit.kind]
    return words[key].format(**figures)


def _support(st: Statement, s: SupportResult, fmt: Formats, words: Mapping[str, str]) -> Section:
    text = st.presentation.commitment(s.agreement, s.version, s.commitment)
    section = Section(title=text.display_name or s.commitment, terms=text.terms)
    section.notes.append(
        words["clock_calendar"].format(calendar=text.calendar)
        if text.calendar
        else words["clock_wall"]
    )
    if s.not_measured:
        tickets = ", ".join(f"{n.ticket} ({n.priority})" for n in s.not_measured)
        section.notes.append(words["not_measured"].format(tickets=tickets))
    for share in s.attainment:
        ok = share.ok
        section.facts.append(
            (
                words["priority_timer"].format(
                    priority=share.priority, timer=words[share.kind.value]
                ),
                "  ·  ".join(
                    [
                        f"{words['decided_met']} {fmt.number(share.met)}",
                        f"{words['decided_missed']} {fmt.number(share.breached)}",
                        f"{words['open']} {fmt.number(share.running)}",
                        f"{words['attained']} "
                        + ("—" if share.share is None else fmt.truncated_percent(share.share, 1)),
                        f"{words['required']} {fmt.exact_percent(share.required)}",
                    ]
                ),
                "" if ok is None else ("met" if ok else "missed"),
            )
        )
    late = sorted(
        (t for t in s.timers if t.late),  # each cycle that ran past its target
        key=lambda t: (t.started, t.ticket, t.kind.value, t.cycle),
    )
    for t in late:
        section.rows.append(
            Row(
                cells=(
                    t.ticket,
                    words["priority_timer"].format(priority=t.priority, timer=words[t.kind.value]),
                    fmt.when(t.started),
                    fmt.when(t.stopped, end=True) if t.stopped else words["running"],
                    fmt.duration(t.target_s),
                    fmt.duration(t.elapsed_s),
                    fmt.duration(t.paused_s),
                    fmt.duration(t.elapsed_s - t.target_s),
                ),
                kind="late",
            )
        )
    if s.penalty is not None:
        currency = s.penalty.currency
        if text.penalty_percent is not None and s.penalty_fee is not None:
            percent = fmt.exact_percent(text.penalty_percent, of_one=False)
            part = (s.penalty_fee.amount * text.penalty_percent / 100).quantize(
                quantum(currency), rounding=ROUND_HALF_UP
            )  # as the penalty is rounded (core.support)
            fee = fmt.money(s.penalty_fee)
            if s.pro_rata is not None:
                period = (s.period_start, s.period_end)
                step, fee = _pro_rata(s.pro_rata, currency, period, fmt, words)
                section.steps.append(step)
            section.steps.append(
                (
                    words["step_percent"].format(percent=percent, fee=fee),
                    fmt.money(Money(amount=part, currency=currency)),
                )
            )
        if text.penalty_amount is not None:
            amount = Money(amount=text.penalty_amount, currency=currency)
            section.steps.append((words["penalty_amount"], fmt.money(amount)))
        section.steps.append((words["penalty"], fmt.money(s.penalty)))
    elif s.met:
        section.steps.append((words["no_penalty"], ""))
    return section
