"""The worker's default ``notify`` logs a tick's notices grouped: 1,000 tickets breaching at
once are one line with the count (not 1,000 lines), a lone alert keeps its own line."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import pytest

from covenant.core.notices import AlertNotice, NoticeKind, NoticeState
from covenant.services.notice_log import log_notices

T0 = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def ticket(i: int, *, name: str, severity: str, commitment: str = "tickets") -> AlertNotice:
    return AlertNotice(
        key=f"{name}/wombat-sla/B-{i}/resolution/1",
        kind=NoticeKind.TICKET_BREACHED if severity == "critical" else NoticeKind.TICKET_AT_RISK,
        state=NoticeState.FIRING,
        severity=severity,
        labels={
            "alertname": "TicketBreached" if severity == "critical" else "TicketAtRisk",
            "agreement": "wombat-sla",
            "customer": "wombat",
            "commitment": commitment,
            "ticket": f"B-{i}",
            "timer": "resolution",
        },
        annotations={},
        starts_at=T0,
    )


def test_many_ticket_alerts_are_one_line_per_group(caplog: pytest.LogCaptureFixture) -> None:
    notices = [ticket(i, name="ticket-breached", severity="critical") for i in range(1000)]
    notices += [ticket(i, name="ticket-at-risk", severity="warning") for i in range(600)]
    notices.append(ticket(7, name="ticket-breached", severity="critical", commitment="other"))
    with caplog.at_level(logging.WARNING, logger="covenant.worker"):
        log_notices(notices)
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == 3
    assert "1000 TicketBreached (critical) agreement=wombat-sla commitment=tickets" in lines[0]
    assert "ticket-breached/wombat-sla/B-0/resolution/1" in lines[0]
    assert "600 TicketAtRisk (warning)" in lines[1]
    # the lone alert of another commitment: its own line, with its labels
    assert lines[2].startswith("alert firing ticket-breached/wombat-sla/B-7/resolution/1")
    assert "'commitment': 'other'" in lines[2]


def test_a_few_alerts_keep_a_line_each(caplog: pytest.LogCaptureFixture) -> None:
    notices = [ticket(i, name="ticket-breached", severity="critical") for i in range(3)]
    with caplog.at_level(logging.WARNING, logger="covenant.worker"):
        log_notices(notices)
    assert [r.getMessage().split(" (")[0] for r in caplog.records] == [
        f"alert firing ticket-breached/wombat-sla/B-{i}/resolution/1" for i in range(3)
    ]


def slo_page(service: str) -> AlertNotice:
    return AlertNotice(
        key=f"burn-rate/{service}-availability/page",
        kind=NoticeKind.BURN_RATE,
        state=NoticeState.FIRING,
        severity="page",
        labels={
            "alertname": "AvailabilityBurnRate",
            "sloth_id": f"{service}-availability",
            "sloth_service": service,
            "sloth_slo": "availability",
        },
        annotations={},
        starts_at=T0,
    )


def test_pages_of_slos_in_different_services_are_never_folded_together(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Sloth names an SLO's alert after the SLO alone: five services' ``availability`` SLOs
    paging at once share ``AvailabilityBurnRate``; each SLO keeps its line (its ``sloth_id``)."""
    services = ["checkout", "payments", "search", "login", "cart"]
    with caplog.at_level(logging.WARNING, logger="covenant.worker"):
        log_notices([slo_page(s) for s in services])
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == 5
    for service in services:
        assert sum(f"burn-rate/{service}-availability/page" in line for line in lines) == 1
