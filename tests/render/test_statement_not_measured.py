"""A ticket whose priority has no target in the agreement version in force when it was created
is not measured, and the statement says so — in its JSON (``support[].not_measured``), in every
language of the document and in the terminal table — never counting it as met or missed. It was
left out silently: a P2 ticket created while v2 (P1 targets only) was in force vanished.

v2 of globex-msa: P1 first response 30 min, resolution 2 h, 24×7. Tickets created on
2026-10-05 (UTC): T-1 (P1) answered after 10 min and resolved after 1 h — both timers met;
T-2 (P2) and T-3 (P3) — no target for either, whatever their timers would say (T-2 sat open for
20 h, which a P1 target would have breached). So: P1 met 1 of 1 on each timer, nothing
missed, no penalty, and two tickets not measured."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from rich.console import Console

from covenant.core.agreements import SupportCommitment, SupportTarget
from covenant.core.statement import Presentation, Statement
from covenant.core.support import SupportResult, WallClock, support_compliance
from covenant.render.sla import render_statement_table, statement_json
from covenant.render.statement_view import statement_view
from tests.core.test_support import COMMITMENT, VERSION, h, ticket

V2 = replace(
    VERSION,
    version=2,
    support=(
        replace(
            COMMITMENT,
            targets=(SupportTarget(priority="P1", first_response_s=1800, resolution_s=7200),),
        ),
    ),
)
TICKETS = [
    ticket("T-1", (0, "open"), (1, "resolved"), response=1 / 6),
    ticket("T-2", (2, "open"), (22, "resolved"), priority="P2", response=21),
    ticket("T-3", (3, "open"), priority="P3"),
]
PERIOD = (datetime(2026, 10, 1, tzinfo=UTC), datetime(2026, 11, 1, tzinfo=UTC))
AT = datetime(2026, 11, 2, tzinfo=UTC)
NOTES = {
    "en_GB": "Not measured: no target in this version covers their priority, so they count "
    "neither as met nor as missed — T-2 (P2), T-3 (P3).",
    "de_DE": "Nicht gemessen",
    "fr_FR": "Non mesurés",
    "es_ES": "No medidos",
    "ja_JP": "計測対象外",
    "zh_CN": "未计量",
}


def result() -> SupportResult:
    commitment: SupportCommitment = V2.support[0]
    return support_compliance(V2, commitment, TICKETS, clock=WallClock(), period=PERIOD, at=AT)


def statement(locale: str = "en_GB") -> Statement:
    return Statement(
        customer="globex",
        customer_name="Globex",
        period_label="October 2026",
        period_start=PERIOD[0],
        period_end=PERIOD[1],
        zone="UTC",
        generated_at=AT,
        agreements=(("globex-msa", 2),),
        availability=(),
        support=(result(),),
        credits=(),
        penalties=(),
        presentation=Presentation(locale=locale),
    )


def test_a_ticket_without_a_target_is_neither_met_nor_missed_but_listed() -> None:
    r = result()
    assert [(a.priority, a.kind.value, a.met, a.breached) for a in r.attainment] == [
        ("P1", "first-response", 1, 0),
        ("P1", "resolution", 1, 0),
    ]
    assert r.met is True
    assert r.penalty is None
    assert {t.ticket for t in r.timers} == {"T-1"}
    assert [(n.ticket, n.priority, n.created) for n in r.not_measured] == [
        ("T-2", "P2", h(2)),
        ("T-3", "P3", h(3)),
    ]


def test_the_json_lists_the_tickets_not_measured_and_why() -> None:
    (support,) = statement_json(statement())["support"]
    assert support["not_measured"] == [
        {
            "ticket": "T-2",
            "priority": "P2",
            "created": "2026-10-05T02:00:00Z",
            "reason": "no target for priority P2 in globex-msa v2",
        },
        {
            "ticket": "T-3",
            "priority": "P3",
            "created": "2026-10-05T03:00:00Z",
            "reason": "no target for priority P3 in globex-msa v2",
        },
    ]


@pytest.mark.parametrize("locale", sorted(NOTES))
def test_the_document_says_which_tickets_were_not_measured(locale: str) -> None:
    (section,) = statement_view(statement(locale))["support"]
    found = [n for n in section.notes if "T-2 (P2)" in n]
    assert len(found) == 1, section.notes
    assert "T-3 (P3)" in found[0]
    assert found[0].startswith(NOTES[locale]) if locale != "en_GB" else found[0] == NOTES[locale]


def test_the_terminal_table_says_which_tickets_were_not_measured() -> None:
    out = io.StringIO()
    render_statement_table(Console(file=out, width=200, color_system=None), statement())
    flat = " ".join(out.getvalue().split())
    assert (
        "not measured (no target in v2 for their priority; neither met nor missed): "
        "T-2 (P2), T-3 (P3)" in flat
    ), flat


def test_a_ticket_stored_with_a_padded_priority_is_measured_not_listed() -> None:
    """``"P1 "`` (as the CLI and API stored it before they stripped input) is measured against
    the P1 target, so it must not also be listed as not measured."""
    padded = replace(ticket("T-4", (4, "open"), (5, "resolved"), response=1 / 6), priority="P1 ")
    r = support_compliance(
        V2, V2.support[0], [*TICKETS, padded], clock=WallClock(), period=PERIOD, at=AT
    )
    assert {t.ticket for t in r.timers} == {"T-1", "T-4"}
    assert [n.ticket for n in r.not_measured] == ["T-2", "T-3"]
