"""The agreement page's statement links flag, for staff, an issued statement that would change
if reissued — and the customer's portal never does.

Initech's November (New York time: 2,595,600 s) issued on 10 December with one hour of
downtime: 2,592,000 / 2,595,600 = 720/721 = 99.861 %, under 99.9 %: 10 % of 1,500.00 = 150.00
USD. An incident of 16 h 40 min (60,000 s) in November recorded on 12 December: 63,600 s down,
2,532,000 / 2,595,600 = 97.549 %, under 99 %: 25 % = 375.00 USD. Served on 15 December, the
November link says revision 1 would change (level 99.861 % → 97.549 %, credit 150.00 USD →
375.00 USD; met stays false, there is no support penalty) and how to reissue it; once revision
2 is issued the flag is gone."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from covenant.api.app import create_app
from covenant.config import Settings, sqlite_url
from covenant.services.agreements import sync_agreements
from covenant.services.issued_statements import issue_statement
from covenant.services.store import open_store
from covenant.services.users import create_user
from covenant.services.workspace import load_workspace
from covenant.store.records import save_incidents
from tests.conftest import ROOT
from tests.services.test_issued_statements import HOUR, LATE
from tests.web.pages import Browser
from tests.web.served import PASSWORD

ISSUED_AT = datetime(2026, 12, 10, 9, 0, tzinfo=UTC)
RECORDED = datetime(2026, 12, 12, 9, 0, tzinfo=UTC)
SERVED = datetime(2026, 12, 15, 9, 0, tzinfo=UTC)


def _shop(tmp_path: Path) -> tuple[Path, str]:
    target = tmp_path / "shop"
    shutil.copytree(ROOT / "examples" / "shop", target, ignore=shutil.ignore_patterns(".covenant"))
    url = sqlite_url(target)
    engine = open_store(url)
    workspace = load_workspace(target)
    sync_agreements(engine, workspace=workspace, at=ISSUED_AT, actor="test")
    for name, role, customer in (("ian", "customer", "initech"), ("vic", "viewer", None)):
        create_user(
            engine, name=name, password=PASSWORD, role=role, customer=customer,
            customers=("globex", "initech"), at=ISSUED_AT, created_by="test",
        )  # fmt: skip
    with engine.begin() as conn:
        save_incidents(conn, incidents=[HOUR], at=ISSUED_AT - timedelta(days=9))
    issue_statement(
        engine, workspace=workspace, customer="initech", period="2026-11", now=ISSUED_AT,
        actor="test",
    )  # fmt: skip
    with engine.begin() as conn:
        save_incidents(conn, incidents=[LATE], at=RECORDED)
    engine.dispose()
    return target, url


def _item(text: str, period: str) -> str:
    """The period's item of the statements list (its flag holds a list of its own)."""
    section = text[text.index('id="h-statements"') :].split("</section>", maxsplit=1)[0]
    item = section[section.index(f"Statement for {period}") :]
    return item.split('<li><a href="')[0]


def _pages(target: Path, url: str) -> tuple[str, str]:
    app: Any = create_app(Settings(workspace=target, database_url=url), clock=lambda: SERVED)
    try:
        staff = Browser(app)
        staff.sign_in("vic")
        agreement = staff.get("/ui/agreements/initech-standard")
        assert agreement.status_code == 200, agreement.text
        customer = Browser(app)
        customer.sign_in("ian")
        portal = customer.get("/ui/portal")
        assert portal.status_code == 200, portal.text
        return agreement.text, portal.text
    finally:
        app.state.covenant.close()


def test_staff_see_that_the_issued_statement_would_change(tmp_path: Path) -> None:
    target, url = _shop(tmp_path)
    agreement, portal = _pages(target, url)

    november = _item(agreement, "2026-11")
    assert "issued 2026-12-10 09:00 UTC, revision 1" in november
    assert "would change if reissued" in november
    assert "initech-standard v1 storefront-uptime: level 99.861 % → 97.549 %" in november
    assert "initech-standard v1 storefront-uptime: credit 150.00 USD → 375.00 USD" in november
    assert "met " not in november  # below target before and after
    assert "penalty" not in november
    assert (
        "covenant report sla -c initech -p 2026-11 --issue --reissue --reason &#34;why&#34;"
        in november
    )
    assert "POST /api/v1/customers/initech/statements/2026-11/issue" in november
    assert 'href="/ui/customers/initech/statements/2026-11"' in november
    october = _item(agreement, "2026-10")
    assert "would change" not in october  # not issued: nothing to reissue

    # the portal names the period and the issue as the customer's statements do (en_US, in
    # America/New_York: 09:00 UTC is 04:00 EST)
    mine = _item(portal, "November 2026")
    assert "Issued Dec 10, 2026, 04:00, revision 1" in mine
    assert "would change" not in portal
    assert "reissue" not in portal
    assert "375.00" not in mine

    engine = open_store(url)
    issue_statement(
        engine, workspace=load_workspace(target), customer="initech", period="2026-11",
        now=SERVED - timedelta(hours=1), actor="test", reissue=True, reason="INC-N2 late",
    )  # fmt: skip
    engine.dispose()
    agreement, _ = _pages(target, url)
    november = _item(agreement, "2026-11")
    assert "revision 2" in november
    assert "would change" not in november
