"""`agreements list` writes its instant as every other command does: UTC with Z."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from rich.console import Console

from covenant.render.agreements import render_agreement_list


def test_the_title_instant_is_utc_with_z() -> None:
    console = Console(record=True, width=80)
    berlin = timezone(timedelta(hours=1))
    render_agreement_list(console, datetime(2026, 12, 1, 3, 37, 12, tzinfo=berlin), [])
    text = console.export_text()
    assert "Agreements at 2026-12-01T02:37:12Z" in text  # was …T03:37:12+01:00 / +00:00
