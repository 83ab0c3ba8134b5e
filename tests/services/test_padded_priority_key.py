"""A support target written with a padded priority key (``"P1 "``) is stored and hashed as
written — an upgrade must not change a signed version's content hash — and measures tickets
of priority ``P1`` all the same (priorities compare stripped, where they are compared).

The version is first stored as the code before stop 44 stored it: the target's priority kept
as written, ``"P1 "``, in its content and its hash. The tickets and their figures are
``test_ticket_timer_stops``'s (a desk open Monday to Friday 09:00-17:00 UTC; P1 answered
within 2 business hours, resolved within 8; read on Friday 20 November 2026 at 12:00 UTC).
"""

from __future__ import annotations

import hashlib
import json

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from covenant.core.agreements import SupportTarget
from covenant.core.support import TimerKind
from covenant.definitions.workspace import analyse_text
from covenant.services.agreements import sync_agreements
from covenant.services.metrics_timers import ticket_timer_groups
from covenant.services.sla import report_statement
from covenant.services.ticket_timers import agreement_live_timers
from covenant.store.agreement_tables import agreement_versions
from tests.services.test_ticket_timer_stops import IN_FORCE, NOW, UNANSWERED, stored, workspace_of

PADDED = IN_FORCE.replace("P1: {firstResponse", '"P1 ": {firstResponse')


def test_a_version_signed_with_a_padded_priority_key_syncs_and_reports_unchanged(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert PADDED != IN_FORCE
    # as the code before stop 44 stored it: the priority kept as written
    monkeypatch.setattr(SupportTarget, "__post_init__", lambda self: None, raising=False)
    sync_agreements(engine, workspace=workspace_of(PADDED), at=NOW)
    monkeypatch.undo()
    with engine.connect() as conn:
        content, sha = conn.execute(
            sa.select(agreement_versions.c.content, agreement_versions.c.content_sha256)
        ).one()
    (target,) = json.loads(content)["support"][0]["targets"]
    assert target["priority"] == "P1 "
    assert sha == hashlib.sha256(content.encode("utf-8")).hexdigest()

    ws = workspace_of(PADDED)  # read by the code of today
    report = sync_agreements(engine, workspace=ws, at=NOW)
    assert (report.changes, report.unchanged) == ((), 1)
    stored(engine, UNANSWERED)
    st = report_statement(engine, workspace=ws, customer="acme", period="2026-11", at=NOW, now=NOW)
    (support,) = st.support
    assert support.not_measured == ()
    shares = {(a.priority, a.kind): (a.met, a.breached, a.running) for a in support.attainment}
    assert shares == {
        # QUIET-MET and QUIET-BACK answered in time, QUIET-LATE late (9,000 > 7,200 s)
        ("P1", TimerKind.FIRST_RESPONSE): (2, 1, 0),
        # QUIET-MET and QUIET-LATE resolved in time, QUIET-BACK's second cycle running
        ("P1", TimerKind.RESOLUTION): (2, 0, 1),
    }
    live = agreement_live_timers(engine, workspace=ws, name="acme-sla", at=NOW)
    assert len(live) == 6  # three tickets, two timers each
    groups = ticket_timer_groups(engine, workspace=ws, at=NOW)  # the /metrics gauges
    assert sorted((g.priority, g.timer, sum(g.counts.values())) for g in groups) == [
        ("P1", "first-response", 3),
        ("P1", "resolution", 3),
    ]


def _problems(text: str) -> list[tuple[str, str, str, str]]:
    _, problems = analyse_text(text, file="acme.yaml")
    return [
        (p.code, p.severity, p.where, p.field)
        for p in problems
        if p.code in {"padded-priority", "duplicate-priority"}
    ]


def test_a_padded_priority_key_is_warned_about() -> None:
    _, problems = analyse_text(PADDED, file="acme.yaml")
    (warning,) = [p for p in problems if p.code == "padded-priority"]
    assert warning.severity == "warning"
    assert warning.message.startswith("priority 'P1 ' has surrounding spaces; write 'P1'")
    line = PADDED.splitlines().index('            "P1 ": {firstResponse: 2h, resolution: 8h}')
    assert warning.where == f"acme.yaml:{line + 1}"
    assert warning.field == "spec.versions[0].support[0].targets[P1 ]"
    assert "amendment" in warning.fix  # the version is signed
    assert _problems(IN_FORCE) == []


def test_two_priority_keys_that_differ_by_spaces_are_refused_on_a_draft() -> None:
    both = (
        '            "P1": {firstResponse: 2h, resolution: 8h}\n            " P1": {firstResponse'
    )
    text = IN_FORCE.replace("            P1: {firstResponse", both)
    draft = text.replace("status: active", "status: draft").replace(
        "      signatories: [{name: A, signedAt: 2025-12-01}]\n", ""
    )
    ws, problems = analyse_text(draft, file="acme.yaml")
    (error,) = [p for p in problems if p.code == "duplicate-priority"]
    assert ws is None
    assert error.severity == "error"
    assert error.message == (
        "priorities 'P1' and ' P1' of commitment 'desk' are the same priority, P1 "
        "(a ticket's priority is compared without its surrounding spaces)"
    )
    # signed and in force already: refused, it would no longer sync; warned instead
    _, problems = analyse_text(text, file="acme.yaml")
    assert [p.severity for p in problems if p.code == "duplicate-priority"] == ["warning"]
