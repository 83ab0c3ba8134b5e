"""An agreement-wide credit cap in the forecast, applied as ``report sla`` applies it: credits
kept in the order the commitments are written until the cap is reached.

The tier chances are written by hand (probabilities that are exact binary fractions, so every
expected figure below is exact), and every expected number is derived in the comments.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from fractions import Fraction

from covenant.core.agreements import AgreementVersion, DowntimeSource, VersionStatus
from covenant.core.forecast import CommitmentExposure, TierCrossing
from covenant.core.forecast_cap import cap_exposures, in_force_share
from covenant.core.forecast_model import TierChance
from covenant.core.money import Money

NOV = datetime(2026, 11, 1, tzinfo=UTC)
DEC = datetime(2026, 12, 1, tzinfo=UTC)


def eur(amount: str) -> Money:
    return Money(amount=Decimal(amount), currency="EUR")


def version(*, cap_percent: str | None = None, cap_amount: str | None = None) -> AgreementVersion:
    return AgreementVersion(
        agreement="acme",
        version=1,
        customer="acme",
        status=VersionStatus.ACTIVE,
        effective_from=datetime(2026, 1, 1, tzinfo=UTC),
        effective_to=None,
        currency="EUR",
        fees=(("api", Decimal("1000.00")), ("web", Decimal("1000.00"))),
        cap_percent=None if cap_percent is None else Decimal(cap_percent),
        cap_amount=None if cap_amount is None else Decimal(cap_amount),
    )


def exposure(
    name: str, chances: list[tuple[float, str]], *, owed: str = "0.00", worst: str
) -> CommitmentExposure:
    """A commitment's forecast: (probability, credit) per tier, as the model gives them."""
    tiers = tuple(
        TierChance(
            tier=None if i == 0 else f"t{i}", percent=Decimal(i), probability=p, credit=eur(c)
        )
        for i, (p, c) in enumerate(chances)
    )
    expected = sum((Decimal(p) * Decimal(c) for p, c in chances), start=Decimal(0))
    return CommitmentExposure(
        agreement="acme",
        version=1,
        customer="acme",
        commitment=name,
        services=(name,),
        source=DowntimeSource.INCIDENTS,
        committed=Fraction(999, 1000),
        zone="UTC",
        period_start=NOV,
        period_end=DEC,
        at=NOV + timedelta(days=10),
        eligible_so_far_s=10 * 86400,
        eligible_total_s=30 * 86400,
        downtime_so_far_s=0,
        level_so_far=Fraction(1),
        owed_now=eur(owed),
        tiers=tiers,
        expected_credit=eur(str(expected.quantize(Decimal("0.01")))),
        worst_case_credit=eur(worst),
        crossings=(
            TierCrossing(
                at=NOV + timedelta(days=20), percent=Decimal(10), credit=eur(worst), projected=True
            ),
        ),
    )


# api: no credit or 100.00, half and half (expected 50.00); web: 100.00 with chance 1/4
# (expected 25.00). Both worst cases are 100.00.
API = exposure("api", [(0.5, "0.00"), (0.5, "100.00")], worst="100.00")
WEB = exposure("web", [(0.75, "0.00"), (0.25, "100.00")], worst="100.00")


def figures(items: list[CommitmentExposure]) -> list[tuple[Decimal, Decimal, Decimal]]:
    out = []
    for e in items:
        assert e.owed_now is not None
        assert e.expected_credit is not None
        assert e.worst_case_credit is not None
        out.append((e.owed_now.amount, e.expected_credit.amount, e.worst_case_credit.amount))
    return out


def test_without_a_cap_nothing_changes() -> None:
    assert cap_exposures(version(), [API, WEB]) == [API, WEB]


def test_a_cap_splits_the_worst_case_and_the_expected_credit_in_order() -> None:
    # cap 7.5 % of the 2000.00 fee = 150.00.
    # api first: min(credit, 150) is its credit: expected 50.00, worst 100.00.
    # web: api paid 0 (chance 1/2) → web keeps 1/4 × 100 = 25; api paid 100 (1/2) → web gets
    # at most 50: 1/4 × 50 = 12.5. Expected ½ × 25 + ½ × 12.5 = 18.75. Worst: 150 − 100 = 50.
    for v in (version(cap_percent="7.5"), version(cap_amount="150.00")):
        api, web = cap_exposures(v, [API, WEB])
        assert figures([api, web]) == [
            (Decimal("0.00"), Decimal("50.00"), Decimal("100.00")),
            (Decimal("0.00"), Decimal("18.75"), Decimal("50.00")),
        ]
        assert any("caps all credits of the period at 150.00 EUR" in n for n in web.notes)
        assert not api.notes
        # a tier row or an alert never promises more than the cap
        assert [t.credit.amount for t in web.tiers] == [Decimal("0.00"), Decimal("100.00")]


def test_the_lower_cap_wins_and_a_cap_reached_leaves_nothing_for_the_rest() -> None:
    # api has 100.00 locked in; the cap is min(10 % of 2000.00 = 200.00, 100.00) = 100.00:
    # api keeps 100.00 owed/expected/worst, web gets nothing in any case.
    locked = exposure("api", [(1.0, "100.00")], owed="100.00", worst="100.00")
    api, web = cap_exposures(version(cap_percent="10", cap_amount="100.00"), [locked, WEB])
    assert figures([api, web]) == [
        (Decimal("100.00"), Decimal("100.00"), Decimal("100.00")),
        (Decimal("0.00"), Decimal("0.00"), Decimal("0.00")),
    ]


def test_one_commitment_expects_the_capped_credit() -> None:
    # no credit ½, 100.00 ¼, 250.00 ¼ (expected 87.50, worst 250.00); cap 150.00:
    # E[min(X, 150)] = ¼ × 100 + ¼ × 150 = 62.50; worst 150.00; the 250.00 tier shows 150.00.
    one = exposure("api", [(0.5, "0.00"), (0.25, "100.00"), (0.25, "250.00")], worst="250.00")
    (capped,) = cap_exposures(version(cap_amount="150.00"), [one])
    assert figures([capped]) == [(Decimal("0.00"), Decimal("62.50"), Decimal("150.00"))]
    assert [t.credit.amount for t in capped.tiers] == [
        Decimal("0.00"),
        Decimal("100.00"),
        Decimal("150.00"),
    ]
    assert [c.credit.amount for c in capped.crossings] == [Decimal("150.00")]


def test_the_percent_cap_is_pro_rata_the_time_in_force() -> None:
    # in force for the second half of a 30-day November: the cap is 7.5 % of 1000.00 = 75.00.
    share = in_force_share((NOV, DEC), (NOV + timedelta(days=15), DEC + timedelta(days=99)))
    assert share == Fraction(1, 2)
    (api,) = cap_exposures(version(cap_percent="7.5"), [API], share=share)
    # expected E[min(X, 75)] = ½ × 75 = 37.50; worst 75.00
    assert figures([api]) == [(Decimal("0.00"), Decimal("37.50"), Decimal("75.00"))]


def test_a_commitment_without_a_forecast_or_a_credit_so_far_is_left_alone() -> None:
    quiet = replace(WEB, no_forecast="mean-error-rate", owed_now=None)
    assert cap_exposures(version(cap_amount="10.00"), [quiet]) == [quiet]


def _unforecast(owed: str) -> CommitmentExposure:
    """A mean-error-rate commitment: no forecast, only the credit its level locks in so far."""
    return replace(
        WEB,
        source=DowntimeSource.MEAN_ERROR_RATE,
        no_forecast="mean-error-rate",
        owed_now=eur(owed),
        tiers=(),
        expected_credit=None,
        worst_case_credit=None,
        crossings=(),
    )


def test_a_commitment_without_a_forecast_takes_its_credit_so_far_of_the_cap() -> None:
    # cap 150.00. web (mean-error-rate, written first) has 80.00 locked in: it keeps 80.00,
    # and api, after it, has 70.00 of the cap left. api: no credit ½, 100.00 ½ →
    # owed 0.00, expected ½ × min(100, 70) = 35.00, worst min(100, 70) = 70.00.
    web, api = cap_exposures(version(cap_amount="150.00"), [_unforecast("80.00"), API])
    assert web.owed_now == eur("80.00")
    assert (web.expected_credit, web.worst_case_credit, web.tiers) == (None, None, ())
    assert not web.notes
    assert figures([api]) == [(Decimal("0.00"), Decimal("35.00"), Decimal("70.00"))]
    assert any("caps all credits of the period at 150.00 EUR" in n for n in api.notes)


def test_a_credit_so_far_past_the_cap_is_cut_to_it() -> None:
    # cap 50.00: api (first) expects ½ × 50 = 25.00 with worst 50.00; web (after it) has
    # 80.00 locked in, cut to what api's owed-now credit (0.00) leaves: 50.00.
    api, web = cap_exposures(version(cap_amount="50.00"), [API, _unforecast("80.00")])
    assert figures([api]) == [(Decimal("0.00"), Decimal("25.00"), Decimal("50.00"))]
    assert web.owed_now == eur("50.00")
    assert web.notes == (
        *WEB.notes,
        "the agreement caps all credits of the period at 50.00 EUR: the credit owed so far "
        "80.00 EUR becomes 50.00",
    )


def test_a_later_commitment_is_shown_only_what_the_credits_locked_in_before_it_leave() -> None:
    # cap 150.00. api (first) has 100.00 locked in, certain. web (after it) has 80.00 locked
    # in: 80.00 or 200.00, half and half (worst 200.00). A statement pays api 100.00 and web
    # at most 150 − 100 = 50.00 whatever happens, so every figure of web is at most 50.00:
    # owed min(80, 50) = 50.00 (cut, with a note as the statement's), expected
    # ½ × min(80, 50) + ½ × min(200, 50) = 50.00, worst 50.00, and its tier rows and its
    # alert show min(credit, 50) — 50.00, never the 80.00 / 150.00 the cap alone would allow.
    locked = exposure("api", [(1.0, "100.00")], owed="100.00", worst="100.00")
    more = exposure("web", [(0.5, "80.00"), (0.5, "200.00")], owed="80.00", worst="200.00")
    api, web = cap_exposures(version(cap_amount="150.00"), [locked, more])
    assert figures([api, web]) == [
        (Decimal("100.00"), Decimal("100.00"), Decimal("100.00")),
        (Decimal("50.00"), Decimal("50.00"), Decimal("50.00")),
    ]
    assert api == locked
    assert [t.credit.amount for t in web.tiers] == [Decimal("50.00"), Decimal("50.00")]
    assert [c.credit.amount for c in web.crossings] == [Decimal("50.00")]
    assert (
        "the agreement caps all credits of the period at 150.00 EUR: the credit owed so far "
        "80.00 EUR becomes 50.00"
    ) in web.notes


def test_what_a_later_commitment_is_shown_never_exceeds_what_a_statement_could_pay() -> None:
    # cap 12 % of the 2000.00 fee = 240.00, lower than the amount 300.00. Three commitments in
    # the order written, with credits locked in 90.00, 0.00 and 120.00: a statement pays at
    # least 90 to the first, so the second can be paid at most 240 − 90 = 150.00 in any tier;
    # the third at most 240 − 90 − 0 = 150.00, its locked-in 120.00 is kept whole.
    first = exposure("api", [(0.5, "90.00"), (0.5, "180.00")], owed="90.00", worst="180.00")
    second = exposure("web", [(0.5, "0.00"), (0.5, "200.00")], worst="200.00")
    third = exposure("cdn", [(1.0, "120.00")], owed="120.00", worst="120.00")
    v = version(cap_percent="12", cap_amount="300.00")
    a, b, c = cap_exposures(v, [first, second, third])
    assert [t.credit.amount for t in a.tiers] == [Decimal("90.00"), Decimal("180.00")]
    assert [t.credit.amount for t in b.tiers] == [Decimal("0.00"), Decimal("150.00")]
    assert [t.credit.amount for t in c.tiers] == [Decimal("120.00")]
    # owed: 90 + 0 + 120 = 210 ≤ 240, none cut; worst in order: 180, then 240 − 180 = 60, then 0
    assert [e.owed_now.amount for e in (a, b, c) if e.owed_now is not None] == [
        Decimal("90.00"),
        Decimal("0.00"),
        Decimal("120.00"),
    ]
    assert [e.worst_case_credit.amount for e in (a, b, c) if e.worst_case_credit] == [
        Decimal("180.00"),
        Decimal("60.00"),
        Decimal("0.00"),
    ]


def test_what_is_left_is_of_the_pro_rated_cap() -> None:
    # in force for the last 10 of November's 30 days: the fee is 2000.00 × 1/3, its 12 % is
    # 80.00, below the amount 120.00. api has 60.00 locked in (certain); web, after it, is
    # shown at most 80 − 60 = 20.00: its 50.00 tier at 20.00, expected ½ × 20 = 10.00.
    share = in_force_share((NOV, DEC), (NOV + timedelta(days=20), DEC))
    assert share == Fraction(1, 3)
    locked = exposure("api", [(1.0, "60.00")], owed="60.00", worst="60.00")
    web = exposure("web", [(0.5, "0.00"), (0.5, "50.00")], worst="50.00")
    api, later = cap_exposures(
        version(cap_percent="12", cap_amount="120.00"), [locked, web], share=share
    )
    assert figures([api, later]) == [
        (Decimal("60.00"), Decimal("60.00"), Decimal("60.00")),
        (Decimal("0.00"), Decimal("10.00"), Decimal("20.00")),
    ]
    assert [t.credit.amount for t in later.tiers] == [Decimal("0.00"), Decimal("20.00")]
