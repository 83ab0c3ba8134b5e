"""The sources page's export upload in Chromium: an editor chooses a Zendesk-style export with
the file input, names its columns and zone, and reads the report (axe-core finds nothing
serious, nothing scrolls sideways at 390 px); the ticket is stored as the API answers it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.api.test_record_files_api import ZENDESK_COLUMNS
from tests.web.browser import PHONE, new_page, serious_violations, shot, sign_in
from tests.web.served import Served

pytestmark = pytest.mark.browser

EXPORT = (
    "Ticket ID,Organization,Priority,Created at,First reply at,Solved at,Subject\n"
    "ZD-77,globex,P1,2026-11-05 14:03:00,2026-11-05 14:20:00,2026-11-05 18:00:00,Login fails\n"
)


def test_an_export_is_chosen_and_ingested_with_the_mouse(
    served: Served, browser: Any, tmp_path: Path
) -> None:
    export = tmp_path / "zendesk.csv"
    export.write_text(EXPORT)
    page = new_page(browser)
    sign_in(page, served.url, "eve")
    page.goto(f"{served.url}/ui/sources")
    assert serious_violations(page, "sources-editor-records") == []  # with the upload form
    page.get_by_label("The file holds").select_option("tickets")
    page.get_by_label("Export file").set_input_files(str(export))
    page.get_by_label("Columns named otherwise", exact=False).fill("\n".join(ZENDESK_COLUMNS))
    page.get_by_label("Time zone of instants without an offset", exact=False).fill("Europe/Berlin")
    page.get_by_role("button", name="Ingest the file").click()
    page.wait_for_url("**/ui/sources/records#h-records")
    cells = page.locator("#records-report tbody td").all_inner_texts()
    assert cells == ["tickets", "1", "1", "0", "0", "0"]
    shot(page, "records-ingested")
    assert serious_violations(page, "records-ingested") == []
    page.set_viewport_size(PHONE)
    assert bool(page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"])
    shot(page, "records-ingested-390px")
    found = httpx.get(
        f"{served.url}/api/v1/tickets/ZD-77",
        headers={"Authorization": f"Bearer {served.shop.tokens['admin']}"},
        timeout=60,
    ).json()
    assert (found["created"], found["resolved"]) == ("2026-11-05T13:03:00Z", "2026-11-05T17:00:00Z")
