"""Alert conditions from engine results: the forecast credit alert's text and key."""

from __future__ import annotations

from dataclasses import replace

from covenant.core.alert_rules_sla import forecast_conditions
from covenant.core.forecast_portfolio import portfolio
from covenant.core.notices import NoticeKind
from tests.core.test_forecast import heading_for_ten_percent


def test_forecast_crossing_into_a_credit_tier_alerts() -> None:
    # 25 min down in the first 10 days of November, heading for 75 min: the 10 % tier is
    # crossed on 2026-11-18 06:43:13 UTC (tests/core/test_forecast.py derives it by hand)
    e = heading_for_ten_percent()
    exposure = portfolio(at=e.at, commitments=[e], names={"acme": "Acme"})
    (c,) = forecast_conditions(exposure)
    assert c.active
    assert c.kind is NoticeKind.FORECAST_CREDIT
    assert c.key == f"forecast-credit/acme-sla/{e.commitment}/2026-11"
    assert (
        c.annotations["summary"] == "At this rate, Acme's November credit becomes 10 % on the 18th."
    )
    assert dict(c.labels) == {
        "alertname": "AgreementCreditForecast",
        "agreement": "acme-sla",
        "customer": "acme",  # the id: routes match it; the display name is an annotation
        "commitment": e.commitment,
        "severity": "warning",
    }
    assert c.annotations["customer_display_name"] == "Acme"


def test_no_alert_when_the_tier_is_already_owed() -> None:
    e = heading_for_ten_percent()
    owed = replace(e, owed_now_percent=e.crossings[0].percent)
    (c,) = forecast_conditions(portfolio(at=e.at, commitments=[owed], names={}))
    assert not c.active
