"""A late ticket that changes a support commitment's counts but neither its verdict nor its
penalty is named as what changed: the refusal to issue again said only "the evidence or
wording (no figure) changed" when the breached count went from 1 to 2.

globex-msa v2 (tests/render/test_statement_not_measured.py): P1 first response 30 min,
resolution 2 h. Issued: T-1 resolved in 5 h — resolution breached 1, met 0 (0 %), the commitment
missed, a 5 % penalty. Restated: T-5, created the same day and resolved in 3 h, arrives late —
resolution breached 2 (0 %), still missed, the same penalty (the same fee and share)."""

from __future__ import annotations

from datetime import UTC, datetime

from covenant.core.support import SupportResult, WallClock, support_compliance
from covenant.core.tickets import Ticket
from covenant.render.sla import support_json
from covenant.services.restatement import change_text, restatement
from tests.core.test_support import ticket
from tests.render.test_statement_not_measured import V2

PERIOD = (datetime(2026, 10, 1, tzinfo=UTC), datetime(2026, 11, 1, tzinfo=UTC))
AT = datetime(2026, 11, 2, tzinfo=UTC)
T1 = ticket("T-1", (0, "open"), (5, "resolved"), response=0.25)
T5 = ticket("T-5", (6, "open"), (9, "resolved"), response=6.25)


def _support(tickets: list[Ticket]) -> SupportResult:
    return support_compliance(V2, V2.support[0], tickets, clock=WallClock(), period=PERIOD, at=AT)


def _document(tickets: list[Ticket]) -> dict[str, object]:
    return {"support": [support_json(_support(tickets))], "penalties": [], "owed": []}


def test_a_changed_breach_count_is_named_old_to_new() -> None:
    issued, live = _support([T1]), _support([T1, T5])
    assert (issued.met, live.met) == (False, False)
    assert issued.penalty == live.penalty  # the verdict and the money are the same
    changes = restatement(_document([T1]), _document([T1, T5]))
    assert changes["differs"] is True
    texts = [change_text(c) for c in changes["changes"]]
    assert "globex-msa v2 support: P1 resolution breached 1 → 2" in texts, texts
    assert "globex-msa v2 support: P1 first-response met 1 → 2" in texts, texts
    assert not any("no figure" in t for t in texts), texts


def test_a_statement_issued_before_not_measured_existed_does_not_look_restated() -> None:
    """Issued before stop 43, a statement has no ``not_measured`` list; computed now it lists
    a P4 ticket (no target), which changes no figure: the two are the same statement."""
    p4 = ticket("T-9", (1, "open"), (2, "resolved"), priority="P4", response=1.5)
    live = _document([T1, p4])
    issued = _document([T1, p4])
    for s in issued["support"]:  # type: ignore[attr-defined]
        del s["not_measured"]
    assert live["support"][0]["not_measured"]  # type: ignore[index]
    assert restatement(issued, live) == {"differs": False, "changes": []}
