"""The alert history (``alert_transitions``): the worker records every transition — a tier
that goes pending and drops without firing, another that goes pending, fires and resolves —
with no delivery target at all; a replica that computes a tick again records nothing twice;
the history is pruned past its retention."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.engine import Engine

from covenant.core.alert_state import PhaseChange
from covenant.core.notices import AlertNotice
from covenant.definitions.workspace import Workspace, analyse_text
from covenant.services.worker import Worker
from covenant.store import alert_transitions
from covenant.store.db import write_transaction
from tests.checkout import CHECKOUT_SLO, put

T0 = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
M = timedelta(minutes=1)
FAST = "burn-rate/checkout-availability/fast-burn"  # alertAfter 2m: fires
SLOW = "burn-rate/checkout-availability/slow-confirm"  # alertAfter 30m: never fires
WORKSPACE = (
    """\
apiVersion: openslo/v1
kind: Service
metadata: {name: shop}
---
apiVersion: openslo/v1
kind: AlertCondition
metadata: {name: fast-burn}
spec:
  severity: page
  condition: {kind: burnrate, op: gte, threshold: 14.4, lookbackWindow: 1h, alertAfter: 2m}
---
apiVersion: openslo/v1
kind: AlertCondition
metadata: {name: slow-confirm}
spec:
  severity: ticket
  condition: {kind: burnrate, op: gte, threshold: 14.4, lookbackWindow: 1h, alertAfter: 30m}
---
apiVersion: openslo/v1
kind: AlertPolicy
metadata: {name: paging}
spec:
  conditions: [{conditionRef: fast-burn}]
  notificationTargets: [{targetRef: oncall}]  # named, never defined: nothing is delivered
---
apiVersion: openslo/v1
kind: AlertPolicy
metadata: {name: confirming}
spec:
  conditions: [{conditionRef: slow-confirm}]
  notificationTargets: [{targetRef: oncall}]
---
"""
    + CHECKOUT_SLO
    + "  alertPolicies: [{alertPolicyRef: paging}, {alertPolicyRef: confirming}]\n"
)


def scenario(engine: Engine) -> tuple[Workspace, list[AlertNotice]]:
    """Clean until T0 - 10 min, then 50 % failing for 16 minutes (to T0 + 6 min), clean after.
    Both conditions (1 h burn and its 5 min short window >= 14.4) hold from the first tick at
    T0 while the 5 minutes before the tick hold a failing minute: until T0 + 10 min; at
    T0 + 11 min the minutes T0 + 6 … T0 + 10 are clean."""
    workspace, problems = analyse_text(WORKSPACE)
    assert workspace is not None, problems
    put(engine, T0 - timedelta(hours=3), 170, bad=0)
    put(engine, T0 - 10 * M, 16, bad=50)
    put(engine, T0 + 6 * M, 6, bad=0)
    inbox: list[AlertNotice] = []
    worker = Worker(engine, notify=inbox.extend, catch_up=False)  # no outbox (enqueue)
    for minute in (0, 1, 2, 5, 11):
        worker.tick(workspace, T0 + minute * M)
    return workspace, inbox


def steps(engine: Engine) -> list[tuple[str, str | None, str, datetime]]:
    with engine.connect() as conn:
        found = alert_transitions.load(conn)
    return [(c.key, c.from_state, c.to_state, c.at) for c in found]


def test_every_transition_is_recorded_without_a_delivery_target(engine: Engine) -> None:
    _, inbox = scenario(engine)
    # fast: pending at T0, fires once held 2 min (T0 + 2), resolves at T0 + 11;
    # slow: pending at T0, its condition ends at T0 + 11 before its 30 min: dropped
    assert steps(engine) == [
        (SLOW, "pending", "dropped", T0 + 11 * M),
        (FAST, "firing", "resolved", T0 + 11 * M),
        (FAST, "pending", "firing", T0 + 2 * M),
        (SLOW, None, "pending", T0),
        (FAST, None, "pending", T0),
    ]
    assert [(n.key, n.state.value) for n in inbox] == [(FAST, "firing"), (FAST, "resolved")]
    with engine.connect() as conn:
        (dropped, resolved, fired, *_) = alert_transitions.load(conn)
    assert (dropped.severity, dropped.starts_at) == ("ticket", None)
    assert dropped.labels["covenant_tier"] == "slow-confirm"
    assert (resolved.severity, resolved.starts_at) == ("page", T0 + 2 * M)
    assert fired.labels["covenant_tier"] == "fast-burn"


def test_a_transition_computed_again_is_not_recorded_twice(engine: Engine) -> None:
    scenario(engine)
    before = steps(engine)
    with engine.connect() as conn:
        again: list[PhaseChange] = alert_transitions.load(conn)
    with write_transaction(engine) as conn:  # what a replica taking over would append again
        assert alert_transitions.record(conn, again) == 0
    assert steps(engine) == before


def test_the_history_is_pruned_past_its_retention(engine: Engine) -> None:
    workspace, _ = scenario(engine)
    assert timedelta(days=400) == alert_transitions.RETENTION
    # a tick 400 days after T0 + 1 min: only the transitions at T0 + 2 and T0 + 11 are kept
    Worker(engine, catch_up=False).tick(workspace, T0 + timedelta(days=400) + M)
    assert [at for *_, at in steps(engine)] == [T0 + 11 * M, T0 + 11 * M, T0 + 2 * M]
