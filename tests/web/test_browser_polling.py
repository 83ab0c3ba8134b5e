"""htmx's live part in Chromium: the portal's ticket timers are fetched again every 30 s. The
browser's clock is Playwright's (``page.clock``) and the server's is injected, so the test moves
both forward and nothing waits on wall time; it only waits for the poll's answer to arrive."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pytest

from tests.api.support import AT
from tests.web.browser import new_page, serious_violations, shot, sign_in
from tests.web.served import Served, serving

pytestmark = pytest.mark.browser
TICKET = "GLX-0047"  # the demo's Globex ticket whose resolution timer runs at the demo's instant


@dataclass
class Clock:
    now: datetime

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture(scope="module")
def clock() -> Clock:
    return Clock(AT)


@pytest.fixture(scope="module")
def polled(tmp_path_factory: pytest.TempPathFactory, clock: Clock) -> Iterator[Served]:
    with serving(tmp_path_factory.mktemp("web-poll"), clock=clock) as found:
        yield found


def _minutes_left(page: Any) -> int:
    row = page.locator("#tickets tr", has_text=TICKET).inner_text()
    found = re.findall(r"([\d,]+) min left", row)  # en_GB: 1,388 min left
    assert len(found) == 1, row  # one running timer on this ticket
    return int(found[0].replace(",", ""))


def test_the_portals_ticket_timers_change_after_a_poll(
    polled: Served, clock: Clock, browser: Any
) -> None:
    page = new_page(browser)
    page.clock.install(time=AT)  # the page's timers (htmx's "every 30s") run on this clock
    sign_in(page, polled.url, "gus")
    assert page.url.endswith("/ui/portal")
    caption = page.locator("#tickets caption")
    # in the statements' zone (Europe/Berlin, CET): 12:00 UTC is 13:00 there
    assert caption.inner_text().endswith("as of 20 Nov 2026, 13:00")
    before = _minutes_left(page)
    clock.now = AT + timedelta(minutes=10)  # the server's time moves on …
    page.clock.fast_forward(31_000)  # … and the browser's, past the 30 s poll
    page.wait_for_function(
        "() => document.querySelector('#tickets caption').textContent.endsWith('13:10')"
    )
    # 12:00–12:10 UTC on a Friday is inside Berlin's support hours: the timer ran 10 minutes
    assert _minutes_left(page) == before - 10
    assert page.url.endswith("/ui/portal")  # the table was swapped in place, no reload
    shot(page, "portal-after-poll")
    assert serious_violations(page, "portal-after-poll") == []
