"""Random agreements, incidents and maintenance windows for test_sla_reference: each drawn
as the reference's model (tests/core/sla_reference.py) and as the workspace YAML the engine
reads."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from hypothesis import strategies as st

from tests.core import sla_reference as ref

H = 3600
DAY = 86400
CUSTOMER = "acme"
SERVICES = ("checkout", "search")
COMPONENTS = ("az1", "az2", "az3")
# (zone, quarterly, year, first month) of the periods drawn, and the DST changes near them.
PERIODS = [
    ("Europe/Berlin", False, 2026, 3),
    ("Europe/Berlin", False, 2026, 10),
    ("Europe/Berlin", True, 2026, 10),
    ("America/New_York", False, 2026, 11),
    ("America/New_York", False, 2026, 3),
    ("America/New_York", True, 2026, 1),
    ("Australia/Lord_Howe", False, 2026, 4),
    ("Australia/Lord_Howe", False, 2026, 10),
    ("Australia/Lord_Howe", True, 2026, 10),
    ("UTC", False, 2026, 2),
    ("Asia/Kolkata", False, 2026, 9),
]
CHANGES = [
    ref.epoch(t)
    for t in (
        "2026-03-29T01:00:00Z",
        "2026-10-25T01:00:00Z",
        "2026-03-08T07:00:00Z",
        "2026-11-01T06:00:00Z",
        "2026-04-04T15:00:00Z",
        "2026-10-03T15:30:00Z",
    )
]
CURRENCIES = {
    "EUR": (["1000.00", "1234.57", "0.07", "99.99"], ["300.00", "0.05", "12.34"]),
    "JPY": (["123457", "12330", "7"], ["5000", "3"]),
    "KWD": (["1000.010", "0.333"], ["12.345"]),
}
PERCENTS = ["5", "10", "12.5", "25", "33.33", "50", "100", "0.5"]
LEVELS = ["99.99", "99.9", "99.5", "99", "95"]
BOUNDS = ["99.95", "99.9", "99.5", "99.0", "98", "95.0", "90", "50"]


@dataclass(frozen=True)
class Case:
    zone: str
    quarterly: bool
    year: int
    month: int
    currency: str
    versions: list[ref.Version]
    documents: list[str]  # each agreement's YAML
    incidents: list[ref.Incident]
    windows: list[ref.Window]
    at: int
    now: int

    @property
    def period(self) -> str:
        if self.quarterly:
            return f"{self.year}-Q{(self.month - 1) // 3 + 1}"
        return f"{self.year}-{self.month:02d}"


def iso(t: int) -> str:
    return datetime.fromtimestamp(t, UTC).isoformat().replace("+00:00", "Z")


@st.composite
def instants(draw: st.DrawFn, p0: int, p1: int) -> int:
    """An instant near the period's edges, a DST change, or anywhere around the period."""
    kind = draw(st.sampled_from(["start", "end", "change", "inside", "inside"]))
    if kind == "start":
        base = p0
    elif kind == "end":
        base = p1
    elif kind == "change":
        base = draw(st.sampled_from([c for c in CHANGES if p0 - DAY < c < p1 + DAY] or [p0]))
    else:
        base = draw(st.integers(p0, p1))
    offset = draw(
        st.one_of(
            st.sampled_from([0, 0, 1, -1, 60, -60, 1800, -1800, H, -H]),
            st.integers(-6 * H, 6 * H),
        )
    )
    t = base + offset
    if draw(st.booleans()):
        t -= t % 60  # on a whole minute, as most records are
    return t


@st.composite
def tiers(draw: st.DrawFn, level: str) -> list[tuple[ref.Tier, str]]:
    """Tiers top-down from the committed level: each bounded above by the last one's lower
    bound, written with every bound kind; the last may have no lower bound."""
    below = [b for b in BOUNDS if Decimal(b) < Decimal(level)]
    count = draw(st.integers(0, min(3, len(below))) | st.integers(1, min(3, len(below))))
    lows = sorted(
        draw(st.sets(st.sampled_from(below), min_size=count, max_size=count)),
        key=Decimal,
        reverse=True,
    )
    out = []
    upper, upper_text = level, "below"
    for k in range(count + 1 if count else draw(st.integers(0, 1))):
        low = lows[k] if k < len(lows) else None
        percent = draw(st.sampled_from(PERCENTS))
        low_key = draw(st.sampled_from(["atLeast", "above"]))
        parts = [f"{upper_text}: {upper}"]
        if low is not None:
            parts.append(f"{low_key}: {low}")
        parts.append(f"credit: {percent}")
        tier = ref.Tier(
            credit=Decimal(percent),
            below=Decimal(upper),
            below_inclusive=upper_text == "atMost",
            low=None if low is None else Decimal(low),
            low_inclusive=low_key == "atLeast",
        )
        out.append((tier, "{" + ", ".join(parts) + "}"))
        if low is None:
            break
        upper = low
        # the next tier's upper bound, either kind: with this one's lower bound it may leave
        # a gap or an overlap at one level (a warning; the first tier wins)
        upper_text = draw(st.sampled_from(["below", "atMost"]))
    return out


@st.composite
def commitments(
    draw: st.DrawFn, name: str, zone: str, p0: int, p1: int, currency: str
) -> tuple[ref.Commitment, str]:
    services = draw(st.sampled_from([("checkout",), ("search",), SERVICES]))
    k_of_n = draw(st.integers(0, 4)) == 0
    level = draw(st.sampled_from(LEVELS))
    drawn = draw(tiers(level))
    severities = draw(st.sampled_from([frozenset(), frozenset({"sev1"})]))
    records = draw(st.sampled_from(["long-ago"] * 4 + ["inside", "date", "first-incident"]))
    day = datetime.fromtimestamp(p0, ZoneInfo(zone)).date() + timedelta(
        days=draw(st.integers(0, 20))
    )
    records_from = {
        "long-ago": ref.epoch("2020-01-01T00:00:00Z"),
        "inside": draw(instants(p0, p1)),
        "date": ref.local_midnight(day, zone),  # a date: midnight in the period's zone
        "first-incident": None,
    }[records]
    notice = draw(st.sampled_from([None, DAY, 5 * DAY, H]))
    customer_caused = draw(st.booleans())
    force_majeure = draw(st.booleans())
    less = draw(st.booleans())
    digits = ref.MINOR_UNITS.get(currency, 2)
    amount = Decimal(draw(st.sampled_from(["1", "7", "150", "12"]))).quantize(
        Decimal(1).scaleb(-digits)
    )
    cap_kind = draw(st.sampled_from(["none", "percent", "amount", "both"]))
    cap_percent = Decimal(draw(st.sampled_from(["15", "2.5", "33.33"])))
    minimum_kind = draw(st.sampled_from(["none", "atLeast", "above"]))
    minimum = Decimal(draw(st.sampled_from(["1", "10", "30"]))).quantize(Decimal(1).scaleb(-digits))
    claim = draw(st.sampled_from([None, ("periods", 1), ("periods", 2), ("days", 30)]))
    c = ref.Commitment(
        name=name,
        services=services,
        level=Decimal(level),
        tiers=tuple(t for t, _ in drawn),
        severities=severities,
        records_from=records_from,
        notice=notice,
        customer_caused=customer_caused,
        force_majeure=force_majeure,
        less_exclusions=less,
        cap_percent=cap_percent if cap_kind in ("percent", "both") else None,
        cap_amount=amount if cap_kind in ("amount", "both") else None,
        minimum=minimum if minimum_kind != "none" else None,
        minimum_inclusive=minimum_kind != "above",
        claim=claim,
        components=COMPONENTS if k_of_n else (),
        at_least_down=draw(st.integers(1, 3)) if k_of_n else 0,
    )
    measurement = ["source: incidents"]
    if records == "date":
        measurement.append(f"recordsFrom: {day.isoformat()}")
    elif records_from is not None:
        measurement.append(f'recordsFrom: "{iso(records_from)}"')
    if k_of_n:
        measurement.append(f"components: [{', '.join(COMPONENTS)}], atLeastDown: {c.at_least_down}")
    if severities:
        measurement.append("severities: [sev1]")
    exclusions = [
        f"customerCaused: {str(customer_caused).lower()}",
        f"forceMajeure: {str(force_majeure).lower()}",
    ]
    if notice is not None:
        exclusions.append(f"maintenanceNotice: {notice // H}h")
    lines = [
        f"        - name: {name}",
        f"          services: [{', '.join(services)}]",
        f"          level: {level}",
        f"          measurement: {{{', '.join(measurement)}}}",
        f"          exclusions: {{{', '.join(exclusions)}}}",
        f"          eligible: {'period-less-exclusions' if less else 'period'}",
    ]
    if drawn:
        lines.append("          credits:")
        lines += [f"            - {text}" for _, text in drawn]
    cap = []
    if c.cap_percent is not None:
        cap.append(f"percent: {c.cap_percent}")
    if c.cap_amount is not None:
        cap.append(f'amount: "{c.cap_amount}"')
    if cap:
        lines.append(f"          cap: {{{', '.join(cap)}}}")
    if minimum_kind == "atLeast":
        lines.append(f'          minimumCredit: "{minimum}"')
    elif minimum_kind == "above":
        lines.append(f'          minimumCredit: {{above: "{minimum}"}}')
    if claim is not None:
        key = "periodsAfter" if claim[0] == "periods" else "daysAfterPeriod"
        lines.append(f"          claimDeadline: {{{key}: {claim[1]}}}")
    return c, "\n".join(lines)


@st.composite
def versions(
    draw: st.DrawFn, name: str, zone: str, quarterly: bool, p0: int, p1: int, currency: str
) -> tuple[list[ref.Version], str]:
    """One agreement's versions, and its YAML document."""
    shape = draw(
        st.sampled_from(["whole", "whole", "starts", "ends", "amended", "gap", "date", "draft"])
    )
    long_ago = ref.local_midnight(date(2025, 1, 1), zone)
    starts = [long_ago]
    ends: list[int | None] = [None]
    froms = ["2025-01-01"]
    inside = st.integers(p0 + 1, p1 - 1)
    if shape == "starts":
        starts[0] = draw(instants(p0, p1).filter(lambda t: p0 - DAY < t < p1))
        froms[0] = f'"{iso(starts[0])}"'
    elif shape == "date":  # a date: midnight in the zone
        first = datetime.fromtimestamp(p0, ZoneInfo(zone)).date()
        day = first + timedelta(days=draw(st.integers(0, 27)))
        starts[0] = ref.local_midnight(day, zone)
        froms[0] = day.isoformat()
    elif shape == "ends":
        ends[0] = draw(inside)
    elif shape in ("amended", "draft"):  # a draft is never in force
        t = draw(inside)
        starts.append(t)
        ends.append(None)
        froms.append(f'"{iso(t)}"')
    elif shape == "gap":  # version 1 ends, version 2 starts later: nothing in force between
        t1, t2 = sorted(draw(st.lists(inside, min_size=2, max_size=2, unique=True)))
        ends[0] = t1
        starts.append(t2)
        ends.append(None)
        froms.append(f'"{iso(t2)}"')
    out, texts = [], []
    for k, (start, end, written) in enumerate(zip(starts, ends, froms, strict=True)):
        binding = not (shape == "draft" and k == 1)
        fees_checkout, fees_search = CURRENCIES[currency]
        fees = (
            ("checkout", Decimal(draw(st.sampled_from(fees_checkout)))),
            ("search", Decimal(draw(st.sampled_from(fees_search)))),
        )
        drawn = [
            draw(commitments(f"c{k + 1}{j}", zone, p0, p1, currency))
            for j in range(draw(st.integers(1, 2)))
        ]
        cap_kind = draw(st.sampled_from(["none", "none", "percent", "amount", "both"]))
        cap_percent = Decimal("20") if cap_kind in ("percent", "both") else None
        cap_amount = (
            Decimal(draw(st.sampled_from(["50", "150"]))).quantize(
                Decimal(1).scaleb(-ref.MINOR_UNITS.get(currency, 2))
            )
            if cap_kind in ("amount", "both")
            else None
        )
        version = ref.Version(
            agreement=name,
            number=k + 1,
            effective_from=start,
            effective_to=end,
            zone=zone,
            currency=currency,
            fees=fees,
            commitments=tuple(c for c, _ in drawn),
            quarterly=quarterly,
            cap_percent=cap_percent,
            cap_amount=cap_amount,
            binding=binding,
        )
        out.append(version)
        lines = [
            f"    - version: {k + 1}",
            f"      status: {'signed' if binding else 'draft'}",
            f"      effectiveFrom: {written}",
        ]
        if end is not None:
            lines.append(f'      effectiveTo: "{iso(end)}"')
        if k:
            lines.append("      reason: amended")
        lines += [
            f"      currency: {currency}",
            f'      fees: {{checkout: "{fees[0][1]}", search: "{fees[1][1]}"}}',
            f"      period: {{unit: {'quarter' if quarterly else 'month'}, timeZone: {zone}}}",
        ]
        if binding:
            lines.append('      signatories: [{name: A, signedAt: "2024-12-01T00:00:00Z"}]')
        cap = []
        if cap_percent is not None:
            cap.append(f"percent: {cap_percent}")
        if cap_amount is not None:
            cap.append(f'amount: "{cap_amount}"')
        if cap:
            lines.append(f"      cap: {{{', '.join(cap)}}}")
        lines.append("      availability:")
        lines += [text for _, text in drawn]
        texts.append("\n".join(lines))
    document = (
        f"apiVersion: covenant/v1\nkind: Agreement\nmetadata: {{name: {name}}}\nspec:\n"
        f"  customer: {CUSTOMER}\n  versions:\n" + "\n".join(texts)
    )
    return out, document


@st.composite
def cases(draw: st.DrawFn) -> Case:
    zone, quarterly, year, month = draw(st.sampled_from(PERIODS))
    p0, p1 = ref.period_of(year, month, zone, quarterly)
    currency = draw(st.sampled_from(["EUR", "EUR", "JPY", "KWD"]))
    drawn_versions, document = draw(versions("a-sla", zone, quarterly, p0, p1, currency))
    documents = [document]
    if draw(st.integers(0, 3)) == 0:  # a second agreement, in its own zone's period
        other = draw(st.sampled_from(sorted({z for z, *_ in PERIODS})))
        q0, q1 = ref.period_of(year, month, other, quarterly)
        more, document = draw(versions("b-sla", other, quarterly, q0, q1, currency))
        drawn_versions += more
        documents.append(document)
    incidents = []
    for k in range(draw(st.integers(1, 8))):
        start = draw(instants(p0, p1))
        length = draw(
            st.one_of(
                st.sampled_from([0, 1, 59, 60, 432 * 60, 433 * 60, None]),
                st.integers(1, 2 * DAY),
                st.integers(1, 4 * H),
                st.integers(H, 3 * DAY),
            )
        )
        touching = incidents and draw(st.booleans())
        if touching:  # starts where an earlier one ends
            earlier = incidents[-1]
            start = earlier.end if earlier.end is not None else start
        incidents.append(
            ref.Incident(
                id=f"INC-{k}",
                services=draw(
                    st.sampled_from(
                        [("checkout",), ("search",), SERVICES, SERVICES, ("other",)]
                        + [("az1",), ("az2",), ("az3",), ("az1", "az2"), ("az3", "checkout")] * 2
                    )
                ),
                start=start,
                end=None if length is None else start + length,
                severity=draw(st.sampled_from(["", "sev1", "sev2"])),
                customer_caused=draw(st.integers(0, 5)) == 0,
                force_majeure=draw(st.integers(0, 5)) == 0,
                planned_maintenance=draw(st.integers(0, 5)) == 0,
                customers=draw(st.sampled_from([(), (), (), (CUSTOMER,), ("other",)])),
            )
        )
    windows: list[ref.Window] = []
    for _ in range(draw(st.integers(0, 3))):
        start = draw(instants(p0, p1))
        end = start + draw(st.sampled_from([60, 1800, 2 * H, 6 * H, 1]))
        ahead = draw(
            st.sampled_from([0, -H, H, H - 1, DAY, DAY - 1, 5 * DAY, 5 * DAY - 1, 30 * DAY])
        )
        services = draw(
            st.sampled_from([("checkout",), ("search",), SERVICES, COMPONENTS[:1], COMPONENTS])
        )
        customers = draw(st.sampled_from([(), (CUSTOMER,), ("other",)]))
        window = ref.Window(services, start, end, start - ahead, customers)
        # windows on a service for the same customers never overlap (validation)
        if not any(
            set(w.services) & set(services) and w.start < end and start < w.end for w in windows
        ):
            windows.append(window)
    now = draw(
        st.sampled_from([p1 + 3 * DAY, p1 + 3 * DAY, p1])
        | instants(p0, p1).map(lambda t: max(t, p0))
    )
    at = draw(
        st.sampled_from([now, now, p1 + 10 * DAY]) | instants(p0, p1).map(lambda t: max(t, now))
    )
    return Case(
        zone=zone,
        quarterly=quarterly,
        year=year,
        month=month,
        currency=currency,
        versions=drawn_versions,
        documents=documents,
        incidents=incidents,
        windows=windows,
        at=at,
        now=now,
    )


def workspace_text(case: Case) -> str:
    docs = [
        f"apiVersion: covenant/v1\nkind: Customer\nmetadata: {{name: {CUSTOMER}}}\n"
        f"spec: {{currency: {case.currency}}}",
        f"apiVersion: covenant/v1\nkind: Customer\nmetadata: {{name: other}}\n"
        f"spec: {{currency: {case.currency}}}",
    ]
    for k, w in enumerate(case.windows):
        customers = f"\n  customers: [{', '.join(w.customers)}]" if w.customers else ""
        docs.append(
            f"apiVersion: covenant/v1\nkind: MaintenanceWindow\nmetadata: {{name: mw{k}}}\n"
            f"spec:\n  services: [{', '.join(w.services)}]\n  start: {iso(w.start)}\n"
            f"  end: {iso(w.end)}\n  announcedAt: {iso(w.announced)}{customers}"
        )
    docs += case.documents
    return "\n---\n".join(docs) + "\n"
