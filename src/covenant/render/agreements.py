"""Agreements for people: the stored list, one version's terms, a version history.

Each function takes the data and the console to print on. The list and the history take any
objects with the fields they show (the services' and the store's records), so this module
needs neither.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from decimal import Decimal
from fractions import Fraction
from typing import Any, Protocol

from rich.console import Console

from covenant.core.agreements import AgreementVersion, SupportTarget
from covenant.core.timeutil import shorthand, utc_iso, utc_text
from covenant.render.tables import Cell, Col, print_notes, print_table, text


class _Status(Protocol):
    @property
    def value(self) -> str: ...


class _InForce(Protocol):
    @property
    def version(self) -> int: ...

    @property
    def status(self) -> _Status: ...


class AgreementRow(Protocol):
    """What the list shows of one stored agreement."""

    @property
    def name(self) -> str: ...

    @property
    def customer(self) -> str: ...

    @property
    def versions(self) -> int: ...

    @property
    def in_force(self) -> _InForce | None: ...

    @property
    def latest_status(self) -> str: ...

    @property
    def tampered(self) -> Exception | None: ...


def list_json(
    rows: Sequence[AgreementRow], *, at: datetime, error_text: bool = True
) -> dict[str, Any]:
    """What `covenant agreements list --format json` prints and ``GET /agreements`` answers:
    ``at`` and the ``agreements``, also under ``items`` (a tampered one with its error's code,
    and, when ``error_text``, its message and hint: a customer is told the code only)."""
    listed = []
    for r in rows:
        error = None
        if r.tampered is not None:
            error = {
                "code": getattr(r.tampered, "code", "tampered"),
                "message": getattr(r.tampered, "message", str(r.tampered)) if error_text else "",
                "hint": getattr(r.tampered, "hint", "") if error_text else "",
            }
        listed.append(
            {
                "agreement": r.name,
                "customer": r.customer,
                "versions": r.versions,
                "in_force": None if r.in_force is None else r.in_force.version,
                "status": None if r.in_force is None else r.in_force.status.value,
                "latest_status": r.latest_status,
                "error": error,
            }
        )
    # ``items``: the same rows under every list's key (GET /agreements answered it alone once;
    # the command printed ``agreements`` alone until stop 44)
    return {"at": utc_iso(at), "agreements": listed, "items": listed}


class HistoryRow(Protocol):
    """What the history shows of one recorded event."""

    @property
    def seq(self) -> int: ...

    @property
    def at(self) -> datetime: ...

    @property
    def version(self) -> int | None: ...

    @property
    def event(self) -> str: ...

    @property
    def from_status(self) -> str | None: ...

    @property
    def to_status(self) -> str | None: ...

    @property
    def actor(self) -> str | None: ...

    @property
    def details(self) -> dict[str, Any]: ...

    @property
    def hash(self) -> str: ...


def percent_text(value: Fraction) -> str:
    """An exact ratio as a percentage without rounding artefacts: 999/1000 → ``99.9 %``."""
    number = Decimal(value.numerator) * 100 / Decimal(value.denominator)
    digits = f"{number:f}"
    if "." in digits:
        digits = digits.rstrip("0").rstrip(".")
    return f"{digits} %"


def target_text(target: SupportTarget) -> str:
    """``P1 response 30m resolution 4h``."""
    parts = [target.priority]
    if target.first_response_s is not None:
        parts.append(f"response {shorthand(target.first_response_s)}")
    if target.resolution_s is not None:
        parts.append(f"resolution {shorthand(target.resolution_s)}")
    return " ".join(parts)


def render_agreement_list(
    console: Console, at: datetime, summaries: Sequence[AgreementRow]
) -> None:
    print_table(
        console,
        [
            Col("agreement", name=True),
            Col("customer", name=True),
            Col("in force", wrap=False),
            Col("status", wrap=False),
            Col("versions", "right", wrap=False),
        ],
        [
            [
                s.name,
                s.customer,
                "—" if s.in_force is None else f"v{s.in_force.version}",
                text("tampered", "bold red")
                if s.tampered is not None
                else "—"
                if s.in_force is None
                else s.in_force.status.value,
                str(s.versions),
            ]
            for s in summaries
        ],
        title=f"Agreements at {utc_iso(at)}",
    )


def render_version(console: Console, v: AgreementVersion, *, wide: bool = False) -> None:
    """The version's terms; the compact form lists each commitment's credit tiers as a note
    below the table, ``wide`` in a column (with the services)."""
    end = utc_text(v.effective_to) if v.effective_to else "open"
    lines = [
        f"{v.agreement} v{v.version} ({v.status.value}) for {v.customer}",
        f"  in force {utc_text(v.effective_from)} → {end}; {v.period.value}ly periods in "
        f"{v.zone}; {v.currency}",
    ]
    if v.reason:
        lines.append(f"  reason: {v.reason}")
    lines += [f"  fee {svc}: {amount} {v.currency}" for svc, amount in v.fees]
    lines += [f"  signed by {p.name}" + (f", {p.role}" if p.role else "") for p in v.signatories]
    for text_line in lines:
        console.print(text(text_line))
    rows: list[list[Cell]] = []
    notes: list[str] = []
    for a in v.availability:
        measured = a.measurement.source.value
        if a.measurement.series:
            measured += f" on {a.measurement.series}"
        if a.measurement.minimum_run_s is not None:  # only runs this long are down
            measured += f", runs ≥ {shorthand(a.measurement.minimum_run_s)}"
        tiers = [str(t) for t in a.remedies.tiers]
        row: list[Cell] = [a.name]
        if wide:
            row.append(", ".join(a.services))
        row += [percent_text(a.level), measured]
        if wide:
            row.append("\n".join(tiers))
        elif tiers:
            notes.append(f"{a.name} credits: " + "; ".join(tiers))
        row.append(", ".join(a.backing_slos) or "—")
        rows.append(row)
    if v.availability:
        print_table(
            console,
            [
                Col("commitment", name=True),
                *([Col("services")] if wide else []),
                Col("level", "right", wrap=False),
                Col("measured by"),
                *([Col("credits", wrap=False)] if wide else []),
                Col("backed by"),
            ],
            rows,
            title="Availability",
            wide=wide,
        )
        print_notes(console, notes)
    if v.support:
        print_table(
            console,
            [
                Col("commitment", name=True),
                Col("calendar", name=True),
                Col("targets"),
                Col("attainment", "right", wrap=False),
            ],
            [
                [
                    s.name,
                    s.calendar or "24×7",
                    "\n".join(target_text(t) for t in s.targets),
                    percent_text(s.attainment),
                ]
                for s in v.support
            ],
            title="Support",
            lines_between=True,
            wide=wide,
        )


def history_json(name: str, events: Sequence[HistoryRow], problems: list[str]) -> dict[str, Any]:
    """The history as `agreements history --format json` and the API give it."""
    rows = [
        {
            "seq": e.seq,
            "version": e.version,
            "event": e.event,
            "from_status": e.from_status,
            "to_status": e.to_status,
            "at": utc_iso(e.at),
            "actor": e.actor,
            "details": e.details,
            "hash": e.hash,
        }
        for e in events
    ]
    return {"agreement": name, "intact": not problems, "problems": problems, "events": rows}


def render_history(
    console: Console, name: str, events: Sequence[HistoryRow], *, wide: bool = False
) -> None:
    """One row per event, oldest first; ``wide`` adds the full instant and the hash."""
    print_table(
        console,
        [
            Col("#", "right", wrap=False),
            Col("at (UTC)", wrap=False),
            Col("version", wrap=False),
            Col("event", name=True),
            Col("status", wrap=False),
            Col("actor", name=True),
            *([Col("hash", wrap=False)] if wide else []),
        ],
        [
            [
                str(e.seq),
                utc_iso(e.at) if wide else e.at.astimezone(UTC).strftime("%Y-%m-%d %H:%M"),
                "" if e.version is None else f"v{e.version}",
                e.event,
                f"{e.from_status or '∅'} → {e.to_status}" if e.to_status else "",
                e.actor or "",
                *([e.hash[:16]] if wide else []),
            ]
            for e in events
        ],
        title=f"History of {name}",
        wide=wide,
    )
