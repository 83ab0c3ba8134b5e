"""A brute-force reference for availability commitments and their credits: mark every second
of the reporting period and count, applying the rules of docs/sla.md ("The period",
"Availability", "Coverage", "Credits") and docs/agreements.md ("Meaning, field by field",
"Version in force at an instant") directly.

Independent of the code under test: nothing from ``covenant`` is imported. Instants are epoch
seconds; the wall clock is read with ``zoneinfo`` alone; money is exact (``Fraction``) until
it is rounded half up to the currency's minor unit, once, where the docs say it is.

The rules, as the docs write them:

* the period is a calendar month or quarter of the agreement's zone, from local midnight of its
  first day to local midnight of the next period's first day;
* the version in force at an instant is the highest-numbered binding version whose
  ``effectiveFrom`` is at or before it — none when the instant is at or after that version's
  ``effectiveTo`` (an earlier version does not come back);
* a second is *measured* when the version is in force, the second has happened (before ``at``,
  or before now when ``at`` is after now) and the records cover it (incidents: from
  ``recordsFrom``, else from the start of the first incident on record on the commitment's
  services or k-of-n components, for the customer or everyone, before the instant measured up
  to); in force and happened but not covered is *uncovered*;
* a second is *excluded* when a maintenance window on the commitment's services or components
  (for the customer or everyone) announced at least ``maintenanceNotice`` before its start
  covers it (no notice: never), or an incident on the services or components flagged
  customer-caused (force majeure) covers it and the commitment excludes those (whatever its
  severity); an open incident runs until the instant measured up to;
* a second is *down* when an incident on the services (for the customer or everyone, of one
  of the ``severities`` when given) covers it and it is not excluded; with ``components`` and
  ``atLeastDown: k``, when k or more of the components each have such an incident covering
  it (and it is not excluded);
* eligible = measured seconds (less the excluded ones with ``period-less-exclusions``);
  level = (eligible − down) / eligible exactly; no measured or no eligible second: no data;
  met when level ≥ the committed level;
* the credit: the first tier (in order) whose bounds contain the level; tier % × the period's
  fee for the commitment's services (monthly fee, ×3 for a quarter, × the in-force seconds ÷
  the period's seconds), rounded half up to the minor unit; then the cap (percent of that fee,
  rounded likewise, and/or an amount: the lower) when the credit is above it; then the
  minimum payable (a credit above 0 and below it — or not above it, for ``above`` — is 0);
* the version's own cap (percent of its whole period fee, pro rata, and/or an amount, the
  lower) bounds its commitments' credits together, kept in the order written;
* the claim deadline: ``periodsAfter: N`` the end of the N-th period after the period,
  ``daysAfterPeriod: N`` local midnight N days after the period's end.

The walk marks numpy arrays of one entry per second of the period (a quarter is under eight
million seconds), so every count is a count of seconds, with no interval arithmetic.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from math import floor
from zoneinfo import ZoneInfo

import numpy as np

MINOR_UNITS = {"JPY": 0, "KWD": 3, "BHD": 3}  # ISO 4217; every other currency used: 2


@dataclass(frozen=True)
class Tier:
    """``credit`` % when the level lies within the bounds (percentages as written)."""

    credit: Decimal
    below: Decimal | None = None  # upper bound
    below_inclusive: bool = False  # atMost
    low: Decimal | None = None  # lower bound
    low_inclusive: bool = True  # atLeast (else above)

    def contains(self, level: Fraction) -> bool:
        percent = level * 100
        if self.below is not None:
            bound = Fraction(self.below)
            if not (percent <= bound if self.below_inclusive else percent < bound):
                return False
        if self.low is not None:
            bound = Fraction(self.low)
            if not (percent >= bound if self.low_inclusive else percent > bound):
                return False
        return True


@dataclass(frozen=True)
class Commitment:
    name: str
    services: tuple[str, ...]
    level: Decimal  # percent
    tiers: tuple[Tier, ...] = ()
    severities: frozenset[str] = frozenset()
    records_from: int | None = None
    notice: int | None = None  # seconds; None: maintenance is never excluded
    customer_caused: bool = True
    force_majeure: bool = True
    less_exclusions: bool = False  # eligible: period-less-exclusions
    cap_percent: Decimal | None = None
    cap_amount: Decimal | None = None
    minimum: Decimal | None = None
    minimum_inclusive: bool = True  # False: paid only when above the minimum
    claim: tuple[str, int] | None = None  # ("periods", N) or ("days", N)
    components: tuple[str, ...] = ()  # k of n: down while at_least_down of these have one
    at_least_down: int = 0


@dataclass(frozen=True)
class Version:
    agreement: str
    number: int
    effective_from: int
    zone: str
    currency: str
    fees: tuple[tuple[str, Decimal], ...]
    commitments: tuple[Commitment, ...]
    effective_to: int | None = None
    quarterly: bool = False
    cap_percent: Decimal | None = None
    cap_amount: Decimal | None = None
    binding: bool = True


@dataclass(frozen=True)
class Incident:
    id: str
    services: tuple[str, ...]
    start: int
    end: int | None  # None: open
    severity: str = ""
    customer_caused: bool = False
    force_majeure: bool = False
    planned_maintenance: bool = False  # excludes nothing by itself (docs/sla.md)
    customers: tuple[str, ...] = ()  # empty: every customer


@dataclass(frozen=True)
class Window:
    services: tuple[str, ...]
    start: int
    end: int
    announced: int
    customers: tuple[str, ...] = ()


@dataclass(frozen=True)
class Result:
    agreement: str
    version: int
    commitment: str
    period_start: int
    period_end: int
    in_force_s: int
    measured_s: int
    uncovered_s: int
    eligible_s: int
    downtime_s: int
    excluded_s: int
    level: Fraction | None
    met: bool | None
    tier: int | None  # index of the tier applied
    percent: Decimal | None
    fee: Decimal | None  # the period's fee for the services, pro rata, rounded
    uncapped: Decimal | None
    credit: Decimal | None
    claim_deadline: int | None
    notes: tuple[str, ...] = field(default=())


def local_midnight(day: date, zone: str) -> int:
    """The instant of local midnight starting ``day`` (the zones used have no gap or fold
    at midnight: checked)."""
    tz = ZoneInfo(zone)
    local = datetime(day.year, day.month, day.day, tzinfo=tz)
    instant = int(local.timestamp())
    back = datetime.fromtimestamp(instant, tz)
    assert (back.date(), back.hour, back.minute, back.second) == (day, 0, 0, 0), (day, zone)
    return instant


def add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def period_of(year: int, month: int, zone: str, quarterly: bool) -> tuple[int, int]:
    """The period starting on the 1st of ``month`` (a quarter's first month when quarterly)."""
    first = date(year, month, 1)
    return (
        local_midnight(first, zone),
        local_midnight(add_months(first, 3 if quarterly else 1), zone),
    )


def half_up(value: Fraction, currency: str) -> Decimal:
    places = MINOR_UNITS.get(currency, 2)
    scaled = value * 10**places
    assert scaled >= 0
    return Decimal(floor(scaled + Fraction(1, 2))).scaleb(-places)


def _mark(mask: np.ndarray, origin: int, start: int, end: int) -> None:
    lo = min(max(start - origin, 0), mask.size)
    hi = min(max(end - origin, 0), mask.size)
    if hi > lo:
        mask[lo:hi] = True


def _for(customers: tuple[str, ...], customer: str) -> bool:
    return not customers or customer in customers


def statement(
    versions: list[Version],
    *,
    customer: str,
    year: int,
    month: int,
    at: int,
    now: int,
    incidents: list[Incident],
    windows: list[Window],
) -> list[Result]:
    """Every commitment of every version in force in the period, in version then written order,
    with the version's own cap applied."""
    until = min(at, now)
    out: list[Result] = []
    for version in versions:
        if not version.binding:
            continue
        p0, p1 = period_of(year, month, version.zone, version.quarterly)
        n = p1 - p0
        # The version in force, second by second: the highest-numbered binding version that
        # has started, unless the second is at or after its effectiveTo.
        top = np.zeros(n, dtype=np.int32)
        siblings = sorted(
            (v for v in versions if v.agreement == version.agreement and v.binding),
            key=lambda v: v.number,
        )
        for v in siblings:
            top[min(max(v.effective_from - p0, 0), n) :] = v.number
        in_force = top == version.number
        if version.effective_to is not None:
            ended = np.zeros(n, dtype=bool)
            _mark(ended, p0, version.effective_to, p1)
            in_force &= ~ended
        in_force_s = int(np.count_nonzero(in_force))
        if in_force_s == 0:
            continue
        happened = np.zeros(n, dtype=bool)
        _mark(happened, p0, p0, until)
        results = [
            _commitment(
                version,
                c,
                customer=customer,
                p0=p0,
                p1=p1,
                in_force=in_force & happened,
                in_force_s=in_force_s,
                until=until,
                incidents=incidents,
                windows=windows,
            )
            for c in version.commitments
        ]
        out += _version_cap(version, results, Fraction(in_force_s, n))
    return out


def _commitment(
    version: Version,
    c: Commitment,
    *,
    customer: str,
    p0: int,
    p1: int,
    in_force: np.ndarray,
    in_force_s: int,
    until: int,
    incidents: list[Incident],
    windows: list[Window],
) -> Result:
    n = p1 - p0
    watched = set(c.services) | set(c.components)  # k of n: the components' records too
    mine = [i for i in incidents if set(i.services) & watched and _for(i.customers, customer)]
    if c.records_from is not None:
        cover_from: int | None = c.records_from
    else:
        cover_from = min((i.start for i in mine if i.start < until), default=None)
    covered = np.zeros(n, dtype=bool)
    if cover_from is not None:
        _mark(covered, p0, cover_from, until)
    measured = in_force & covered
    uncovered = in_force & ~covered

    excluded = np.zeros(n, dtype=bool)
    for w in windows:
        if not (set(w.services) & watched and _for(w.customers, customer)):
            continue
        if c.notice is not None and w.start - w.announced >= c.notice:
            _mark(excluded, p0, w.start, w.end)
    for i in mine:
        if (i.customer_caused and c.customer_caused) or (i.force_majeure and c.force_majeure):
            _mark(excluded, p0, i.start, until if i.end is None else i.end)
    down = np.zeros(n, dtype=bool)
    counted = [
        i
        for i in incidents
        if _for(i.customers, customer) and (not c.severities or i.severity in c.severities)
    ]
    if c.components:  # k of n: count the components with an incident, second by second
        components_down = np.zeros(n, dtype=np.int32)
        for component in c.components:
            hit = np.zeros(n, dtype=bool)
            for i in counted:
                if component in i.services:
                    _mark(hit, p0, i.start, until if i.end is None else i.end)
            components_down += hit
        down = components_down >= c.at_least_down
    else:
        for i in counted:
            if set(i.services) & set(c.services):
                _mark(down, p0, i.start, until if i.end is None else i.end)

    measured_s = int(np.count_nonzero(measured))
    excluded_s = int(np.count_nonzero(measured & excluded))
    eligible_s = measured_s - excluded_s if c.less_exclusions else measured_s
    downtime_s = int(np.count_nonzero(measured & down & ~excluded))
    level = None if eligible_s == 0 else Fraction(eligible_s - downtime_s, eligible_s)

    tier = percent = fee = uncapped = credit = None
    notes: list[str] = []
    if level is not None:
        months = 3 if version.quarterly else 1
        share = Fraction(in_force_s, n)
        fee_exact = (
            sum((Fraction(a) for s, a in version.fees if s in c.services), Fraction(0))
            * months
            * share
        )
        fee = half_up(fee_exact, version.currency)
        tier = next((k for k, t in enumerate(c.tiers) if t.contains(level)), None)
        percent = Decimal(0) if tier is None else c.tiers[tier].credit
        uncapped = half_up(fee_exact * Fraction(percent) / 100, version.currency)
        credit = uncapped
        caps = []
        if c.cap_percent is not None:
            caps.append(half_up(fee_exact * Fraction(c.cap_percent) / 100, version.currency))
        if c.cap_amount is not None:
            caps.append(c.cap_amount)
        if caps and credit > min(caps):
            credit = min(caps)
            notes.append("cap")
        if (
            c.minimum is not None
            and credit > 0
            and (credit < c.minimum or (credit == c.minimum and not c.minimum_inclusive))
        ):
            credit = half_up(Fraction(0), version.currency)
            notes.append("minimum")
    return Result(
        agreement=version.agreement,
        version=version.number,
        commitment=c.name,
        period_start=p0,
        period_end=p1,
        in_force_s=in_force_s,
        measured_s=measured_s,
        uncovered_s=int(np.count_nonzero(uncovered)),
        eligible_s=eligible_s,
        downtime_s=downtime_s,
        excluded_s=excluded_s,
        level=level,
        met=None if level is None else level * 100 >= Fraction(c.level),
        tier=tier,
        percent=percent,
        fee=fee,
        uncapped=uncapped,
        credit=credit,
        claim_deadline=claim_deadline(version, c, p0),
        notes=tuple(notes),
    )


def _version_cap(version: Version, results: list[Result], share: Fraction) -> list[Result]:
    caps = []
    months = 3 if version.quarterly else 1
    if version.cap_percent is not None:
        whole = sum((Fraction(a) for _, a in version.fees), Fraction(0)) * months * share
        caps.append(half_up(whole * Fraction(version.cap_percent) / 100, version.currency))
    if version.cap_amount is not None:
        caps.append(version.cap_amount)
    if not caps:
        return results
    left = min(caps)
    out = []
    for result in results:
        r = result
        if r.credit is not None and r.credit > left:
            r = replace(r, credit=left, notes=(*r.notes, "agreement-cap"))
        if r.credit is not None:
            left -= r.credit
        out.append(r)
    return out


def claim_deadline(version: Version, c: Commitment, p0: int) -> int | None:
    if c.claim is None:
        return None
    rule, count = c.claim
    first = datetime.fromtimestamp(p0, ZoneInfo(version.zone)).date()
    months = 3 if version.quarterly else 1
    if rule == "periods":
        return local_midnight(add_months(first, months * (1 + count)), version.zone)
    end_day = add_months(first, months)
    return local_midnight(end_day + timedelta(days=count), version.zone)


def epoch(text: str) -> int:
    """``2026-10-25T01:00:00Z`` → epoch seconds (a helper for the tests)."""
    return int(datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC).timestamp())
