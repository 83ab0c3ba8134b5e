"""Statements' support penalties against a brute-force reference (tests/core/penalty_reference.py),
through ``sla_statement`` — what `covenant report sla` runs once the workspace is checked
against the store.

Fixed seeds draw one customer per case in one workspace and store: an agreement in Berlin,
New York or UTC time, per month (October or November 2026, each with its DST change) or per
quarter; one version or an amendment that starts at an instant inside the period (with other
targets, attainment and penalty terms), sometimes a first version that starts mid-period; fees
in EUR, JPY or KWD; targets per priority (first response and/or resolution, some priorities
without one); an attainment with decimals; a penalty as a percent, an amount, both, or none;
24×7 or a Monday–Friday 09:00–17:00 desk; sometimes a second agreement of the customer in
another zone and currency. Tickets are created before, in and after the
period, for the customer or another, answered or not, paused, resolved, reopened; the
statement is read after the period or inside it. Each version's met and penalty, the counts
per priority and timer, and the statement's penalty totals must equal the reference's.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

from covenant.config import sqlite_url
from covenant.core.tickets import StatusChange, Ticket
from covenant.services.agreements import sync_agreements, with_recorded_agreements
from covenant.services.ingest import open_store
from covenant.services.recorded_definitions import with_recorded_definitions
from covenant.services.sla import sla_statement
from covenant.services.sla_clocks import calendar_clocks
from covenant.services.workspace import load_workspace
from covenant.store.records import save_tickets
from tests.core import penalty_reference as ref

CASES = 240
H, DAY = 3600, 86400
ZONES = ("Europe/Berlin", "America/New_York", "UTC")
DURATIONS = (15 * 60, 30 * 60, H, 4 * H, 8 * H, DAY)
ATTAINMENTS = ("50", "66.67", "75", "90", "95", "100")
PERCENTS = ("5", "7.5", "10", "12.345")
AMOUNTS = {"EUR": ("100.00", "250.50"), "JPY": ("5000",), "KWD": ("12.345",)}
FEES = {"EUR": ("1200.00", "333.33", "999.99"), "JPY": ("12330", "98765"), "KWD": ("1000.010",)}


def _duration(seconds: int) -> str:
    return f"{seconds // 60}m"


class Case:
    def __init__(
        self, n: int, rng: random.Random, *, second: tuple[bool, int] | None = None
    ) -> None:
        self.customer = f"c{n}"
        self.name = f"sla-{n}" if second is None else f"sla-{n}-b"
        self.zone = rng.choice(ZONES)
        self.quarterly = rng.random() < 0.2 if second is None else second[0]
        month = (10 if self.quarterly else rng.choice((10, 11))) if second is None else second[1]
        self.period = "2026-Q4" if self.quarterly else f"2026-{month:02d}"
        self.p0 = ref.local_midnight(date(2026, month, 1), self.zone)
        self.p1 = ref.local_midnight(
            date(2027, 1, 1) if self.quarterly or month == 12 else date(2026, month + 1, 1),
            self.zone,
        )
        self.currency = rng.choice(("EUR", "EUR", "JPY", "KWD"))
        fees = (rng.choice(FEES[self.currency]), rng.choice(FEES[self.currency]))
        minute = 60
        span = (self.p1 - self.p0) // minute
        starts = [ref.local_midnight(date(2026, 1, 1), self.zone)]
        if rng.random() < 0.15:  # the contract itself starts inside the period
            starts = [self.p0 + rng.randrange(1, span) * minute]
        if rng.random() < 0.5:  # an amendment inside the period
            starts.append(max(starts[0] + minute, self.p0 + rng.randrange(1, span) * minute))
        ends: list[int | None] = [None] * len(starts)
        if rng.random() < 0.15:  # the last version ends inside the period (effectiveTo)
            ends[-1] = max(starts[-1], self.p0) + rng.randrange(1, 10 * DAY // minute) * minute
        self.versions: list[ref.Version] = []
        texts = []
        for k, start in enumerate(starts):
            business = self.zone if rng.random() < 0.4 else None
            targets = []
            for priority in ("P1", "P2", "P3"):
                if rng.random() < 0.2:
                    continue
                first = rng.choice((*DURATIONS, None))
                resolution = rng.choice((*DURATIONS, None)) if first else rng.choice(DURATIONS)
                targets.append(ref.Target(priority, first, resolution))
            if not targets:
                targets.append(ref.Target("P1", H, 4 * H))
            percent = amount = None
            terms = rng.choice(("percent", "amount", "both", "none", "percent", "both"))
            if terms in ("percent", "both"):
                percent = Decimal(rng.choice(PERCENTS))
            if terms in ("amount", "both"):
                amount = Decimal(rng.choice(AMOUNTS[self.currency]))
            version = ref.Version(
                number=k + 1,
                start=start,
                end=ends[k],
                fee=Decimal(fees[0]) + Decimal(fees[1]),
                quarterly=self.quarterly,
                currency=self.currency,
                targets=tuple(targets),
                attainment=Decimal(rng.choice(ATTAINMENTS)),
                percent=percent,
                amount=amount,
                business=business,
            )
            self.versions.append(version)
            lines = [
                f"    - version: {k + 1}",
                "      status: signed",
                f'      effectiveFrom: "{ref.iso(start)}"',
            ]
            if ends[k] is not None:
                lines.append(f'      effectiveTo: "{ref.iso(ends[k])}"')
            if k:
                lines.append("      reason: amended")
            lines += [
                f"      currency: {self.currency}",
                f'      fees: {{desk: "{fees[0]}", api: "{fees[1]}"}}',
                f"      period: {{unit: {'quarter' if self.quarterly else 'month'}, "
                f"timeZone: {self.zone}}}",
                '      signatories: [{name: A, signedAt: "2025-12-01T00:00:00Z"}]',
                "      support:",
                "        - name: tickets",
            ]
            if business:
                lines.append(f"          calendar: {CALENDARS[business]}")
            lines.append("          targets:")
            for t in targets:
                parts = []
                if t.first_response is not None:
                    parts.append(f"firstResponse: {_duration(t.first_response)}")
                if t.resolution is not None:
                    parts.append(f"resolution: {_duration(t.resolution)}")
                lines.append(f"            {t.priority}: {{{', '.join(parts)}}}")
            lines.append(f"          attainment: {version.attainment}")
            penalty = []
            if percent is not None:
                penalty.append(f"percent: {percent}")
            if amount is not None:
                penalty.append(f'amount: "{amount}"')
            if penalty:
                lines.append(f"          penalty: {{{', '.join(penalty)}}}")
            texts.append("\n".join(lines))
        self.document = (
            f"apiVersion: covenant/v1\nkind: Agreement\nmetadata: {{name: {self.name}}}\nspec:\n"
            f"  customer: {self.customer}\n  versions:\n" + "\n".join(texts)
        )
        self.tickets = [self._ticket(n, k, rng) for k in range(rng.randrange(0, 14))]
        self.at = self.p1 + rng.randrange(0, 3 * DAY // minute) * minute
        if rng.random() < 0.2:  # a statement of the period in progress
            self.at = self.p0 + rng.randrange(1, span) * minute
        self.now = self.at
        if rng.random() < 0.15:  # read at an instant after now: measured up to now only
            self.now = self.p0 + rng.randrange(1, (self.at - self.p0) // minute + 1) * minute
        self.agreements = [(self.name, self.versions, self.p0, self.p1)]
        self.documents = [self.document]
        if second is None and rng.random() < 0.15:  # another agreement, its own zone, currency
            other = Case(n, rng, second=(self.quarterly, month))
            self.agreements.append((other.name, other.versions, other.p0, other.p1))
            self.documents.append(other.document)
            if other.p0 > self.now:  # its period has not begun at now: read at the later start
                self.now = self.at = max(self.at, other.p0 + 60)

    def _ticket(self, n: int, k: int, rng: random.Random) -> ref.RefTicket:
        minute = 60
        created = self.p0 + rng.randrange(-2 * DAY, self.p1 - self.p0 + DAY) // minute * minute
        if rng.random() < 0.3:  # near (or at) where a version starts or ends
            edges = [v.start for v in self.versions] + [v.end for v in self.versions if v.end]
            created = rng.choice(edges) + rng.choice(
                (0, rng.randrange(-4 * H, 4 * H) // minute * minute)
            )
        history = [(created, "open")]
        moment = created
        first_response = None
        if rng.random() < 0.7:
            first_response = created + rng.choice((0, 5, 20, 31, 60, 240, 600)) * minute
        for _ in range(rng.choice((0, 1, 1, 1, 2, 3))):
            if rng.random() < 0.3:
                moment += rng.randrange(1, 300) * minute
                history.append((moment, "waiting-on-customer"))
                moment += rng.randrange(1, 600) * minute
                history.append((moment, "open"))
            moment += rng.choice((1, 10, 29, 30, 31, 60, 239, 240, 241, 480, 481, 2000)) * minute
            history.append((moment, rng.choice(("resolved", "resolved", "closed"))))
            if rng.random() < 0.4:
                moment += rng.randrange(1, 3000) * minute
                history.append((moment, "open"))
        customer = self.customer if rng.random() < 0.9 else "nobody"
        return ref.RefTicket(
            id=f"T-{n}-{k}",
            customer=customer,
            priority=rng.choice(("P1", "P1", "P2", "P3", "P4")),
            created=created,
            history=tuple(history),
            first_response=first_response,
        )


CALENDARS = {z: "desk-" + z.replace("/", "-").replace("_", "-").lower() for z in ZONES}


def _calendar(zone: str) -> str:
    weekly = "\n".join(f'    {d}: "09:00-17:00"' for d in ("mon", "tue", "wed", "thu", "fri"))
    return (
        f"apiVersion: covenant/v1\nkind: Calendar\nmetadata: {{name: {CALENDARS[zone]}}}\n"
        f"spec:\n  timeZone: {zone}\n  weekly:\n{weekly}"
    )


def _when(t: int) -> datetime:
    return datetime.fromtimestamp(t, UTC)


def _store_ticket(t: ref.RefTicket) -> Ticket:
    resolutions = [m for m, s in t.history if s in ref.RESOLVED]
    return Ticket(
        id=t.id,
        customer=t.customer,
        priority=t.priority,
        created=_when(t.created),
        history=tuple(StatusChange(at=_when(m), status=s) for m, s in t.history),
        first_response=None if t.first_response is None else _when(t.first_response),
        resolved=_when(resolutions[-1]) if resolutions else None,  # as an export gives it
    )


def _kind(timer: object) -> str:
    return str(getattr(timer, "value", timer))


def test_support_penalties_equal_the_reference(tmp_path: Path) -> None:
    rng = random.Random(43)
    cases = [Case(n, rng) for n in range(CASES)]
    docs = [
        f"apiVersion: covenant/v1\nkind: Customer\nmetadata: {{name: {c.customer}}}\n"
        f"spec: {{currency: {c.currency}}}"
        for c in cases
    ]
    docs.append(
        "apiVersion: covenant/v1\nkind: Customer\nmetadata: {name: nobody}\nspec: {currency: EUR}"
    )
    docs += [_calendar(z) for z in ZONES]
    docs += [d for c in cases for d in c.documents]
    (tmp_path / "contracts.yaml").write_text("\n---\n".join(docs) + "\n")
    engine = open_store(sqlite_url(tmp_path))
    latest = max(c.at for c in cases)
    try:
        workspace = load_workspace(tmp_path)
        sync_agreements(engine, workspace=workspace, at=_when(latest), actor="test")
        with engine.begin() as conn:
            save_tickets(
                conn,
                tickets=[_store_ticket(t) for c in cases for t in c.tickets],
                at=_when(latest),
            )
        # what report_statement runs after its one check of the workspace against the store
        # (done once here: it reads every agreement, 240 of them)
        recorded = with_recorded_definitions(engine, with_recorded_agreements(engine, workspace))
        clocks = calendar_clocks(recorded)
        penalised = both = split = agreements = 0
        for c in cases:
            statement = sla_statement(
                engine,
                workspace=recorded,
                customer=c.customer,
                period=c.period,
                at=_when(c.at),
                clock_for=clocks,
                now=_when(c.now),
            )
            want = [
                (name, o)
                for name, versions, p0, p1 in c.agreements
                for o in ref.outcomes(versions, c.tickets, c.customer, p0, p1, c.now)
            ]
            got = sorted(
                (
                    s.agreement,
                    s.version,
                    s.met,
                    None if s.penalty is None else s.penalty.amount,
                    {
                        (a.priority, _kind(a.kind)): (a.met, a.breached)
                        for a in s.attainment
                        if a.met + a.breached
                    },
                )
                for s in statement.support
            )
            expected = sorted(
                (name, o.version, o.met, o.penalty, {k: v for k, v in o.counts.items() if sum(v)})
                for name, o in want
            )
            assert got == expected, (c.customer, c.period, ref.iso(c.at), c.documents)
            terms = {(name, v.number): v for name, versions, *_ in c.agreements for v in versions}
            owed: dict[str, Decimal] = {}
            for name, o in want:
                if o.penalty is not None:
                    currency = terms[(name, o.version)].currency
                    owed[currency] = owed.get(currency, Decimal(0)) + o.penalty
            totals = [(m.amount, m.currency) for m in statement.penalties]
            assert totals == [(v, k) for k, v in sorted(owed.items())], c.customer
            penalised += bool(owed)
            both += any(
                o.penalty is not None
                and terms[(name, o.version)].percent is not None
                and terms[(name, o.version)].amount is not None
                for name, o in want
            )
            split += len(want) > 1 and any(o.penalty for _, o in want)
            agreements += len(c.agreements) > 1 and len(owed) > 1
        # the cases reach what they are meant to: penalties, both terms, amended periods
        assert penalised > CASES // 5, penalised
        assert both > 10, both
        assert split > 10, split
        assert agreements > 1, agreements  # two currencies owed in one statement
    finally:
        engine.dispose()


def test_reference_penalty_by_hand() -> None:
    """The reference's arithmetic on docs/sla.md's worked example: 5 % of 1,500.00 USD pro
    rata 1,296,000 s of November's 2,595,600 s (New York) is 37.44799… → 37.45."""
    share = Fraction(1_296_000, 2_595_600)
    assert ref.half_up(Fraction(5, 100) * 1500 * share, "USD") == Decimal("37.45")
    assert ref.half_up(Fraction(5, 100) * 12330, "JPY") == Decimal("617")
