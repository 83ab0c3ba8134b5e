"""A customer's SLA statement as a table, as JSON (``covenant.statement/v1``) and as HTML.

The statement is customer-facing: commitments, measured levels, evidence, credits and
penalties — never internal SLO names, series, burn rates or error budgets.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from decimal import ROUND_DOWN, Decimal
from fractions import Fraction
from typing import Any
from zoneinfo import ZoneInfo

from rich.console import Console

from covenant.core.availability import AvailabilityResult, Evidence
from covenant.core.credits import ProRata
from covenant.core.money import Money, minor_units
from covenant.core.statement import Statement
from covenant.core.support import Attainment, SupportResult
from covenant.render.evaluation import exact, iso, target_percent
from covenant.render.statement_doc import statement_fragment, statement_html, statement_pdf
from covenant.render.statement_format import EXACT_DIGITS, duration_words
from covenant.render.tables import Cell, Col, line, print_notes, print_table, text

SCHEMA = "covenant.statement/v1"
__all__ = ["statement_fragment", "statement_html", "statement_json", "statement_pdf"]


def money_text(m: Money | None) -> str:
    """An amount with its currency's decimals (ISO 4217: 1,235 JPY, 1,234.57 EUR)."""
    return "—" if m is None else f"{m.amount:,.{minor_units(m.currency)}f} {m.currency}"


def level_text(value: Fraction | None, digits: int = 3) -> str:
    """A level as a percentage, truncated (never rounded up): 98.9999 % shows as 98.999 %, so
    the figure never looks as if it met a bound it missed."""
    if value is None:
        return "—"
    scale = 10**digits
    truncated = Decimal(math.floor(value * 100 * scale)) / scale
    return f"{truncated:.{digits}f} %"


def deadline_text(moment: datetime | None, zone: str) -> str:
    """A claim deadline as the contract's local date and time, and the UTC instant."""
    if moment is None:
        return "—"
    local = moment.astimezone(ZoneInfo(zone))
    return f"{local:%Y-%m-%d %H:%M} {zone} ({iso(moment)})"


def committed_text(value: Fraction) -> str:
    """A committed level or target as written, every digit (``render.evaluation``)."""
    return target_percent(value)


def minutes_text(seconds: int) -> str:
    """A duration as the HTML and PDF statement show it (English units): ``29 d 17 h 36 min``."""
    return duration_words(seconds)


def duration_text(seconds: int) -> str:
    sign = "-" if seconds < 0 else ""
    d = timedelta(seconds=abs(seconds))
    hours, rest = divmod(int(d.total_seconds()), 3600)
    return f"{sign}{hours}h {rest // 60:02d}m"


def money_json(m: Money | None) -> dict[str, str] | None:
    return None if m is None else {"amount": str(m.amount), "currency": m.currency}


def attainment_json(a: Attainment) -> dict[str, Any]:
    """One priority's attainment of one timer, as statements and exposure answer it."""
    return {
        "priority": a.priority,
        "timer": a.kind.value,
        "met": a.met,
        "breached": a.breached,
        "running": a.running,
        "share": exact(a.share),
        "required": exact(a.required),
        "ok": a.ok,
    }


def exact_money_text(amount: Decimal, currency: str) -> str:
    """An amount as computed (a pro-rated fee, ``166.665 EUR``): every digit it has, at least
    the currency's decimals; one that never ends cut after four more, followed by ``…``."""
    digits = minor_units(currency)
    decimals = max(-amount.normalize().as_tuple().exponent, digits)  # type: ignore[operator]
    if decimals > digits + EXACT_DIGITS:
        cut = amount.quantize(Decimal(1).scaleb(-(digits + EXACT_DIGITS)), rounding=ROUND_DOWN)
        return f"{cut:,.{digits + EXACT_DIGITS}f}… {currency}"
    return f"{amount:,.{decimals}f} {currency}"


def pro_rata_text(pro: ProRata, currency: str, start: datetime, end: datetime) -> str:
    """``166.665 EUR (333.33 EUR pro rata 15 d of 30 d)``: the fee a percentage is taken of."""
    whole = int((end - start).total_seconds())
    part = minutes_text(int(pro.share * whole))
    full = exact_money_text(pro.full, currency)
    return (
        f"{exact_money_text(pro.fee, currency)} ({full} pro rata {part} of {minutes_text(whole)})"
    )


def pro_rata_json(pro: ProRata | None, start: datetime, end: datetime) -> dict[str, Any] | None:
    """How a fee is pro rata: the whole period's fee × in-force seconds / period seconds = the
    exact fee a percentage is taken of."""
    if pro is None:
        return None
    whole = int((end - start).total_seconds())
    return {
        "period_fee": str(pro.full),
        "in_force_seconds": int(pro.share * whole),
        "period_seconds": whole,
        "fee": str(pro.fee),
    }


def _evidence(items: tuple[Evidence, ...]) -> list[dict[str, Any]]:
    return [
        {"start": iso(e.start), "end": iso(e.end), "seconds": e.seconds, "reason": e.reason}
        for e in items
    ]


def _runs_note(a: AvailabilityResult, minimum_s: int) -> str:
    """What a minimum run did to the bad intervals: the runs counted (each a row of ``down``)
    and the shorter ones not counted (``short_runs``); the evidence names each."""

    def runs(n: int, what: str) -> str:
        return f"{n} {what}{'' if n == 1 else 's'}"

    short_s = sum(e.seconds for e in a.short_runs)
    return (
        f"minimumRun {minutes_text(minimum_s)}: {runs(len(a.down), 'run')} of bad intervals "
        f"counted ({minutes_text(a.downtime_s)} in the period), "
        f"{runs(len(a.short_runs), 'shorter run')} not counted ({minutes_text(short_s)})"
    )


def availability_json(a: AvailabilityResult) -> dict[str, Any]:
    credit = a.credit
    return {
        "agreement": a.agreement,
        "version": a.version,
        "commitment": a.commitment,
        "services": list(a.services),
        "committed": exact(a.level_committed),
        "eligible_start": iso(a.eligible_start),
        "eligible_end": iso(a.eligible_end),
        "complete": a.complete,
        "eligible_seconds": a.eligible_s,
        "downtime_seconds": a.downtime_s,
        "excluded_seconds": a.excluded_s,
        "level": exact(a.level),
        "no_data": a.no_data,
        "coverage": a.coverage,
        "uncovered_seconds": a.uncovered_s,
        "uncovered": _evidence(a.uncovered),
        "met": a.met,
        "credit": None
        if credit is None
        else {
            "tier": str(credit.tier) if credit.tier else None,
            "percent": str(credit.percent),
            "fee": money_json(credit.fee),
            "uncapped": money_json(credit.uncapped),
            "amount": money_json(credit.amount),
            "notes": list(credit.notes),
            # only when the fee is pro rata: other statements' JSON (and digests) stay the same
            **(
                {"pro_rata": pro_rata_json(credit.pro_rata, a.period_start, a.period_end)}
                if credit.pro_rata is not None
                else {}
            ),
        },
        "claim_deadline": iso(a.claim_deadline) if a.claim_deadline else None,
        "downtime": _evidence(a.down),
        "exclusions": _evidence(a.exclusions),
        "not_excluded": _evidence(a.not_excluded),
        # with a minimum run: the bad intervals whose run was too short to be downtime (other
        # statements' JSON, and digests, stay the same)
        **({"short_runs": _evidence(a.short_runs)} if a.minimum_run_s is not None else {}),
    }


def support_json(s: SupportResult) -> dict[str, Any]:
    return {
        "agreement": s.agreement,
        "version": s.version,
        "commitment": s.commitment,
        "met": s.met,
        "penalty": money_json(s.penalty),
        **(
            {"penalty_pro_rata": pro_rata_json(s.pro_rata, s.period_start, s.period_end)}
            if s.pro_rata is not None
            else {}
        ),
        "attainment": [attainment_json(a) for a in s.attainment],
        "tickets": [
            {
                "ticket": t.ticket,
                "priority": t.priority,
                "timer": t.kind.value,
                "cycle": t.cycle,
                "started": iso(t.started),
                "stopped": iso(t.stopped) if t.stopped else None,
                "target_seconds": t.target_s,
                "elapsed_seconds": t.elapsed_s,
                "paused_seconds": t.paused_s,
                "paused_now": t.paused_now,
                "remaining_seconds": t.remaining_s,
                "deadline": iso(t.deadline),
                "state": t.state.value,
                "superseded": t.superseded,
                "breached_cycle": t.breached_cycle,
            }
            for t in s.timers
        ],
        # absent when every ticket was measured: issued statements of others stay the same
        **(
            {
                "not_measured": [
                    {
                        "ticket": n.ticket,
                        "priority": n.priority,
                        "created": iso(n.created),
                        "reason": n.reason,
                    }
                    for n in s.not_measured
                ]
            }
            if s.not_measured
            else {}
        ),
    }


def without_pro_rata(document: dict[str, Any]) -> dict[str, Any]:
    """``document`` (a statement's JSON) without its ``pro_rata`` and ``penalty_pro_rata``
    blocks: how a fee is pro rata, shown since stop 39 and derived from the version's fee and
    dates, so a statement issued before then, the same in every figure, still compares equal."""
    out = {**document}
    out["availability"] = [
        {**a, "credit": {k: v for k, v in a["credit"].items() if k != "pro_rata"}}
        if isinstance(a.get("credit"), dict)
        else a
        for a in document.get("availability", [])
    ]
    out["support"] = [
        {k: v for k, v in s.items() if k != "penalty_pro_rata"} for s in document.get("support", [])
    ]
    return out


def statement_json(st: Statement) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "schema": SCHEMA,
        "number": st.presentation.number,
        "locale": st.presentation.locale,
        "customer": st.customer,
        "customer_name": st.customer_name,
        "period": st.period_label,
        "period_start": iso(st.period_start),
        "period_end": iso(st.period_end),
        "time_zone": st.zone,
        "generated_at": iso(st.generated_at),
        "measured_until": iso(st.until),
        "not_yet_note": st.not_yet_note,
        "complete": st.complete,
        "partial_coverage": st.partial,
        "agreements": [{"agreement": a, "version": v} for a, v in st.agreements],
        "availability": [availability_json(a) for a in st.availability],
        "support": [support_json(s) for s in st.support],
        "credits": [money_json(m) for m in st.credits],
        "penalties": [money_json(m) for m in st.penalties],
        "owed": [money_json(m) for m in st.owed],
    }
    if st.not_included:  # absent when nothing is: issued statements of others stay the same
        doc["not_included"] = [
            {"agreement": n.agreement, "reports_per": n.reports_per, "periods": list(n.periods)}
            for n in st.not_included
        ]
    return doc


def _of_fee(a: AvailabilityResult) -> str:
    """`` of 166.665 EUR (333.33 EUR pro rata 15 d of 30 d)`` when the fee is pro rata."""
    credit = a.credit
    if credit is None or credit.pro_rata is None:
        return ""
    return " of " + pro_rata_text(
        credit.pro_rata, credit.fee.currency, a.period_start, a.period_end
    )


def _credit_text(a: AvailabilityResult) -> str:
    credit = a.credit
    if credit is None:
        return "—"
    return money_text(credit.amount)


def render_statement_table(
    console: Console, st: Statement, *, wide: bool = False, selected: bool = False
) -> None:
    """The statement for people. The compact form fits 80 columns (agreement, commitment,
    levels, downtime, credit; the credit tier, exclusions and claim deadline as notes below);
    ``wide`` shows every column. ``selected``: the rows are a selection (the totals stay the
    whole statement's, and say so)."""
    state = "final" if st.complete else f"provisional, as of {iso(st.generated_at)}"
    if st.not_yet_note:  # an --at after now: measured up to now only
        state = f"provisional, measured up to {iso(st.until)}: {iso(st.generated_at)} is after now"
    if st.partial and all(a.coverage == "none" for a in st.availability):
        state += "; no coverage: the stored records cover none of it"
    elif st.partial:
        state += "; partial coverage: the stored records do not cover all of it"
    elif not st.complete and st.until >= st.period_end and st.running_timers:
        timers = "timer is" if st.running_timers == 1 else "timers are"
        state += f"; {st.running_timers} support {timers} still running"
    console.print(
        line(
            (st.customer_name, "bold"),
            " — service level statement for ",
            (st.period_label, "bold"),
            f" ({st.zone}, {state})",
        )
    )
    for n in st.not_included:
        console.print(
            text(
                f"{n.agreement} reports per {n.reports_per}: not in this statement; see "
                + ", ".join(n.periods)
            )
        )
    cols = [
        *(
            [Col("agreement", name=True), Col("commitment", name=True), Col("services")]
            if wide
            else [Col("agreement\ncommitment", name=True)]
        ),
        Col("committed", "right", wrap=False),
        Col("measured", "right", wrap=not wide),
        *([Col("eligible", "right", wrap=False)] if wide else []),
        Col("downtime", "right", wrap=False),
        *([Col("excluded", "right", wrap=False)] if wide else []),
        Col("credit", "right", wrap=False),
        *([Col("claim by")] if wide else []),
    ]
    rows: list[list[Cell]] = []
    notes: list[str] = []
    for a in st.availability:
        credit = a.credit
        measured = level_text(a.level) if a.level is not None else "no data"
        key = f"{a.agreement} v{a.version} {a.commitment}"
        if a.level is None and a.no_data:
            notes.append(f"{key}: no data: {a.no_data}")
        elif a.uncovered:
            measured += "\npartial" if not wide else " (partial coverage)"
            notes.append(f"{key}: partial coverage: {coverage_text(a)}")
        if a.minimum_run_s is not None and (a.down or a.short_runs):
            notes.append(f"{key}: {_runs_note(a, a.minimum_run_s)}")
        row: list[Cell] = (
            [f"{a.agreement} v{a.version}", a.commitment, ", ".join(a.services)]
            if wide
            else [f"{a.agreement} v{a.version}\n{a.commitment}"]
        )
        row += [committed_text(a.level_committed), measured]
        # no records cover any of it: nothing was measured, so no "0 min" of downtime
        unmeasured = a.level is None and a.coverage == "none"
        if wide:
            row.append(minutes_text(a.eligible_s))
        row.append("—" if unmeasured else minutes_text(a.downtime_s))
        if wide:
            row.append("—" if unmeasured else minutes_text(a.excluded_s))
        if wide and credit is not None:
            extra = f" ({'; '.join(credit.notes)})" if credit.notes else ""
            of = _of_fee(a)
            row.append(f"{credit.percent} %{of} = {money_text(credit.amount)}{extra}")
        else:
            row.append(_credit_text(a))
        if wide:
            row.append(deadline_text(a.claim_deadline, st.zone))
        rows.append(row)
        if not wide:
            details = []
            if credit is not None:
                details.append(
                    f"credit {credit.percent} %{_of_fee(a)}"
                    + "".join(f"; {n}" for n in credit.notes)
                )
            if a.excluded_s:
                details.append(f"{minutes_text(a.excluded_s)} excluded")
            if a.claim_deadline is not None:
                details.append(f"claim by {deadline_text(a.claim_deadline, st.zone)}")
            if details:
                notes.append(f"{key}: " + ", ".join(details))
    if rows:
        print_table(console, cols, rows, title="Availability", lines_between=not wide, wide=wide)
        print_notes(console, notes)
    else:  # a table of headings alone reads as if something failed to print
        none = "no commitment selected" if selected else "no availability commitment"
        console.print(text(f"Availability: {none} in this statement"))
    for s in st.support:
        rows = [
            [
                share.priority,
                share.kind.value,
                str(share.met),
                str(share.breached),
                str(share.running),
                level_text(share.share, 1),
                level_text(share.required, 1),
            ]
            for share in s.attainment
        ]
        print_table(
            console,
            [
                Col("priority", name=True),
                Col("timer", name=True),
                *(Col(h, "right", wrap=False) for h in ("met", "breached", "open")),
                Col("attained", "right", wrap=False),
                Col("required", "right", wrap=False),
            ],
            rows,
            title=f"Support — {s.agreement} v{s.version} {s.commitment}",
            wide=wide,
        )
        if not rows:  # a table of headings alone reads as if something failed to print
            console.print(
                text("  no ticket under these targets was created while this version was in force")
            )
        if s.not_measured:
            tickets = ", ".join(f"{n.ticket} ({n.priority})" for n in s.not_measured)
            print_notes(
                console,
                [
                    f"not measured (no target in v{s.version} for their priority; neither met "
                    f"nor missed): {tickets}"
                ],
                style="",
            )
        if s.penalty is not None:
            of = ""
            if s.pro_rata is not None:
                fee = pro_rata_text(s.pro_rata, s.penalty.currency, s.period_start, s.period_end)
                of = f" (a percentage of {fee})"
            print_notes(console, [f"support penalty owed: {money_text(s.penalty)}{of}"], style="")
    whole = " (whole statement)" if selected else ""
    console.print(
        text(f"credits owed{whole}: " + (", ".join(money_text(m) for m in st.credits) or "none"))
    )
    if st.penalties:
        console.print(
            text(f"penalties owed{whole}: " + ", ".join(money_text(m) for m in st.penalties))
        )


def coverage_text(a: AvailabilityResult) -> str:
    """What the stored records do not cover of ``a``'s eligible time ('' when they cover it)."""
    if not a.uncovered:
        return ""
    reasons = "; ".join(dict.fromkeys(e.reason for e in a.uncovered))
    return f"{minutes_text(a.uncovered_s)} not covered ({reasons})"
