"""A customer-facing notice hides an internal name (a service, SLO or SLI) where it stands as a
whole word of a label or a text — ``api`` hides ``api-uptime`` — never where it is only part of
a word: ``api`` is not in ``rapid-response``."""

from __future__ import annotations

from datetime import UTC, datetime

from covenant.core.notices import AlertNotice, NoticeKind, NoticeState
from covenant.services.senders import customer_view

AT = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def notice(commitment: str, summary: str) -> AlertNotice:
    return AlertNotice(
        key=f"ticket-breached/globex-sla/T-1/resolution/1/{commitment}",
        kind=NoticeKind.TICKET_BREACHED,
        state=NoticeState.FIRING,
        severity="critical",
        labels={
            "alertname": "TicketBreached",
            "agreement": "globex-sla",
            "customer": "globex",
            "commitment": commitment,
            "ticket": "T-1",
            "severity": "critical",
        },
        annotations={"summary": summary},
        starts_at=AT,
    )


def test_a_name_inside_a_word_is_not_hidden() -> None:
    seen = customer_view(notice("rapid-response", "Ticket T-1 (P1): rapid response due."), {"api"})
    assert seen.labels["commitment"] == "rapid-response"
    assert seen.labels["agreement"] == "globex-sla"
    assert seen.annotations["summary"] == "Ticket T-1 (P1): rapid response due."


def test_a_name_that_is_a_word_is_hidden() -> None:
    seen = customer_view(notice("api-uptime", "Ticket T-1 (P1): the api is slow."), {"api"})
    assert "commitment" not in seen.labels
    assert seen.labels["agreement"] == "globex-sla"  # the routing labels stay
    assert seen.annotations["summary"] != "Ticket T-1 (P1): the api is slow."
    for separated in ("api_uptime", "api.uptime", "uptime/api", "api uptime"):
        assert "commitment" not in customer_view(notice(separated, "-"), {"api"}).labels


def test_a_name_of_several_words_is_hidden_where_they_stand_together() -> None:
    internal = {"checkout-availability"}
    seen = customer_view(notice("rapid-response", "checkout-availability burns."), internal)
    assert "summary" not in seen.annotations or "checkout" not in seen.annotations["summary"]
    kept = customer_view(notice("rapid-response", "checkout and availability"), internal)
    assert kept.annotations["summary"] == "checkout and availability"
