"""An alert replay's episodes that fired on slices a no-data policy counted, as JSON and as the
table's notes (the replay itself: tests/core/test_backtest.py)."""

from __future__ import annotations

import io

from rich.console import Console

from covenant.render.alert_backtest import alerts_json, render_alerts_table
from tests.core.test_backtest import silent_slices_replay


def test_json_and_table_say_which_episodes_the_policy_filled() -> None:
    replay, _, _ = silent_slices_replay()
    (objective,) = alerts_json([replay])["objectives"]
    tiers = {t["tier"]: t for t in objective["tiers"]}
    assert tiers["page-fast"]["steps_no_data_policy"] == 19
    (episode,) = tiers["page-fast"]["episodes"]
    assert episode["long_no_data_policy_slices"] == 8
    assert episode["short_no_data_policy_slices"] == 1
    assert episode["no_data_policy_note"].startswith(
        "over 1h, 8 of 12 slices had no events and were counted bad by noDataPolicy: bad"
    )
    out = io.StringIO()
    render_alerts_table(Console(file=out, width=200), [replay])
    lines = out.getvalue().splitlines()
    row = next(line for line in lines if line.lstrip().startswith("page-fast "))
    assert "0h 40m*" in row
    assert (
        "page-fast: noDataPolicy: bad counted silent slices in a window at 19 of 49 steps "
        "(not measurements)"
    ) in lines
    assert any(
        line.startswith(
            "page-fast from 2026-03-04 12:05Z, with slices the no-data policy filled — "
            "over 1h, 8 of 12"
        )
        for line in lines
    )
    assert "* its windows counted slices the no-data policy filled" in out.getvalue()
