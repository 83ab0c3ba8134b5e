"""The burn windows a good/bad no-data policy filled, said in the JSON, the terminal table and
the ``--check`` reasons.

Fed in: a Timeslices objective (1-minute slices, target 99 %, 1-day window, ``noDataPolicy:
bad``) with 10 events a minute except for the last ``QUIET`` = 10 minutes. By hand: a trailing
window of ``w`` minutes counts ``w`` slices, ``min(w, 10)`` of them silent and counted bad. The
1-day window makes every tier's threshold 1 (the budget-share factors are below 1), so a tier
fires when its windows' bad share is at least 1 % — page-fast (1 h: 10/60, 5 m: 5/5) and
page-slow (6 h: 10/360, 30 m: 10/30) do; ticket-fast's 1 d (10/1,440 < 1 %) does not.
"""

from __future__ import annotations

import io

from rich.console import Console

from covenant.core.evaluate import evaluate
from covenant.core.model import NoDataPolicy
from covenant.core.results import Evaluation, Status
from covenant.render.evaluation import evaluation_json
from covenant.render.evaluation_table import check_reasons, render_table, shown_rows
from tests.core.test_policy_note import AT, busy, data, slices
from tests.core.test_policy_note_burn import quiet_tail

BAD = "noDataPolicy: bad"


def evaluated() -> Evaluation:
    (e,) = evaluate([slices(NoDataPolicy.BAD)], data(quiet_tail()), at=AT)
    return e


def test_the_json_gives_every_burn_window_its_filled_slices() -> None:
    result = evaluation_json(evaluated())
    assert result["status"] == Status.PAGING.value
    assert result["no_data_policy_slices"] == 10
    assert result["burn_rate"]["no_data_policy_slices"] == 10
    assert result["burn_rate"]["no_data_policy_note"] == (
        f"10 of 60 slices had no events and were counted bad by {BAD}"
    )
    tiers = {t["tier"]: t for t in result["alerts"]}
    assert [t["tier"] for t in result["alerts"] if t["firing"]] == ["page-fast", "page-slow"]
    assert tiers["page-fast"]["short"]["no_data_policy_slices"] == 5
    assert tiers["page-fast"]["short"]["no_data_policy_note"] == (
        f"no events in the window: all 5 slices counted bad by {BAD}"
    )
    assert tiers["ticket-fast"]["long"]["no_data_policy_note"] == (
        f"10 of 1,440 slices had no events and were counted bad by {BAD}"
    )
    assert tiers["ticket-slow"]["long"]["no_data_policy_slices"] == 10


def test_windows_with_events_everywhere_say_zero_and_null() -> None:
    (e,) = evaluate([slices(NoDataPolicy.BAD)], data(busy()), at=AT)
    result = evaluation_json(e)
    assert result["no_data_policy_slices"] == 0
    assert result["burn_rate"]["no_data_policy_slices"] == 0
    assert result["burn_rate"]["no_data_policy_note"] is None


def test_the_table_notes_the_current_burn_and_the_firing_tiers_windows() -> None:
    out = io.StringIO()
    render_table(Console(file=out, width=400), AT, [evaluated()])
    text = " ".join(out.getvalue().split())
    name = "payments"
    for line in (
        f"{name}: 1h burn: 10 of 60 slices had no events and were counted bad by {BAD}",
        f"{name}: page-fast 5m burn: no events in the window: all 5 slices counted bad by {BAD}",
        f"{name}: page-slow 6h burn: 10 of 360 slices had no events and were counted bad by {BAD}",
        f"{name}: page-slow 30m burn: 10 of 30 slices had no events and were counted bad by {BAD}",
    ):
        assert line in text
    assert "1d burn" not in text  # ticket-fast does not fire: its windows are in the JSON


def test_the_wide_table_says_it_in_the_status_column() -> None:
    out = io.StringIO()
    render_table(Console(file=out, width=1000), AT, [evaluated()], wide=True)
    text = " ".join(out.getvalue().split())
    assert f"(page-fast 5m burn: no events in the window: all 5 slices counted bad by {BAD})" in (
        text
    )


def test_the_check_reason_says_the_policy_filled_the_paging_windows() -> None:
    (reason,) = check_reasons(shown_rows([evaluated()]))
    assert (
        "page-fast fired (burn 16.67× over 1h and 100.00× over 5m, threshold 1.00×; "
        f"1h: 10 of 60 slices had no events and were counted bad by {BAD}; "
        f"5m: no events in the window: all 5 slices counted bad by {BAD})"
    ) in reason
