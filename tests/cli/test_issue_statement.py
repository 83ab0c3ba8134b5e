"""`covenant report sla --issue`: Initech's November issued on 10 December (one hour of
downtime: 10 % of 1,500.00 USD = 150.00), an incident of 16 h 40 min ingested late (25 % =
375.00); the JSON and HTML are the issued copy, the table notes the difference, --live the
statement computed now; a second --issue is refused until --reissue --reason."""

from __future__ import annotations

import hashlib
import json
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from covenant.cli.main import app
from covenant.config import sqlite_url
from covenant.services.agreements import sync_agreements
from covenant.services.store import open_store
from covenant.services.workspace import load_workspace
from covenant.store.records import save_incidents
from tests.conftest import ROOT
from tests.services.test_issued_statements import HOUR, LATE

ISSUE_NOW = "2026-12-10T09:00:00Z"
LATER_NOW = "2026-12-15T09:00:00Z"


@pytest.fixture
def shop(tmp_path: Path) -> Path:
    target = tmp_path / "shop"
    shutil.copytree(ROOT / "examples" / "shop", target, ignore=shutil.ignore_patterns(".covenant"))
    engine = open_store(sqlite_url(target))
    at = datetime(2026, 12, 1, 9, tzinfo=UTC)
    sync_agreements(engine, workspace=load_workspace(target), at=at, actor="test")
    with engine.begin() as conn:
        save_incidents(conn, incidents=[HOUR], at=at)
    engine.dispose()
    return target


def run(shop: Path, when: str, *more: str) -> tuple[int, str]:
    base = ["report", "sla", "-w", str(shop), "-c", "initech", "-p", "2026-11"]
    result = CliRunner().invoke(app, [*base, *more], env={"COVENANT_NOW": when, "COLUMNS": "80"})
    return result.exit_code, result.output


def test_issue_then_a_late_incident(shop: Path, tmp_path: Path) -> None:
    code, out = run(shop, ISSUE_NOW, "--issue", "--actor", "cli:finance")
    assert code == 0, out
    assert "issued initech 2026-11 revision 1 at 2026-12-10T09:00:00Z" in out
    engine = sa.create_engine(sqlite_url(shop))
    with engine.connect() as conn:
        document, digest, html, by = conn.execute(
            sa.text("SELECT document, digest, html, issued_by FROM issued_statements")
        ).one()
    engine.dispose()
    assert hashlib.sha256(document.encode("utf-8")).hexdigest() == digest
    assert f"sha256 {digest}" in out
    assert by == "cli:finance"
    assert "revision 1" in html
    assert digest in html

    code, out = run(shop, LATER_NOW, "--issue")
    assert code == 1
    assert "nothing to issue again" in out

    engine = open_store(sqlite_url(shop))
    with engine.begin() as conn:
        save_incidents(conn, incidents=[LATE], at=datetime(2026, 12, 12, tzinfo=UTC))
    engine.dispose()

    code, out = run(shop, LATER_NOW, "--format", "json")
    assert code == 0, out
    answer = json.loads(out)
    assert answer["credits"] == [{"amount": "150.00", "currency": "USD"}]
    assert answer["issued"]["digest"] == digest
    assert answer["restated"]["differs"] is True
    kept = {k: v for k, v in answer.items() if k not in ("issued", "restated")}
    assert kept == json.loads(document)

    page = tmp_path / "issued.html"
    code, out = run(shop, LATER_NOW, "--format", "html", "-o", str(page))
    assert code == 0, out
    assert page.read_text(encoding="utf-8") == html

    code, out = run(shop, LATER_NOW, "--live", "--format", "json")
    assert json.loads(out)["credits"] == [{"amount": "375.00", "currency": "USD"}]

    code, out = run(shop, LATER_NOW)
    assert code == 0, out
    assert "issued 2026-12-10T09:00:00Z, revision 1" in out
    assert "storefront-uptime: credit 150.00 USD → 375.00 USD" in " ".join(out.split())

    code, out = run(shop, LATER_NOW, "--issue")
    assert code == 1
    assert "--reissue" in out
    code, out = run(shop, LATER_NOW, "--issue", "--reissue", "--reason", "INC-N2 recorded late")
    assert code == 0, out
    assert "revision 2" in out
    assert "replacing revision 1" in out
    engine = sa.create_engine(sqlite_url(shop))
    with engine.connect() as conn:
        second = conn.execute(
            sa.text("SELECT digest FROM issued_statements WHERE revision = 2")
        ).scalar_one()
    engine.dispose()
    code, out = run(shop, LATER_NOW, "--format", "json")
    assert json.loads(out)["issued"]["digest"] == second


def test_issue_as_json(shop: Path) -> None:
    code, out = run(shop, ISSUE_NOW, "--issue", "--format", "json", "--actor", "cli:finance")
    assert code == 0, out
    answer = json.loads(out)
    assert answer["revision"] == 1
    assert answer["issued_by"] == "cli:finance"
    assert answer["replaces"] is None
    code, out = run(shop, ISSUE_NOW, "--issue", "--format", "pdf", "-o", "x.pdf")
    assert code == 1
    assert "it writes no HTML, PDF or -o file" in " ".join(out.split())


def test_options_that_need_issue_and_a_period_not_ended(shop: Path) -> None:
    code, out = run(shop, ISSUE_NOW, "--reissue")
    assert code == 1
    assert "go with --issue" in out
    code, out = run(shop, "2026-11-30T12:00:00Z", "--issue")
    assert code == 1
    assert "2026-11 has not ended" in out


def test_an_earlier_revision_by_its_number(shop: Path, tmp_path: Path) -> None:
    code, out = run(shop, ISSUE_NOW, "--revision", "1", "--format", "json")
    assert code == 1
    assert "initech 2026-11 is not issued" in out
    assert run(shop, ISSUE_NOW, "--issue")[0] == 0
    engine = open_store(sqlite_url(shop))
    with engine.begin() as conn:
        save_incidents(conn, incidents=[LATE], at=datetime(2026, 12, 12, tzinfo=UTC))
    engine.dispose()
    assert run(shop, LATER_NOW, "--issue", "--reissue", "--reason", "INC-N2 late")[0] == 0
    engine = sa.create_engine(sqlite_url(shop))
    with engine.connect() as conn:
        document, html = conn.execute(
            sa.text("SELECT document, html FROM issued_statements WHERE revision = 1")
        ).one()
    engine.dispose()

    code, out = run(shop, LATER_NOW, "--revision", "1", "--format", "json")
    assert code == 0, out
    answer = json.loads(out)
    assert answer["issued"]["revision"] == 1
    assert answer["credits"] == [{"amount": "150.00", "currency": "USD"}]
    assert {k: v for k, v in answer.items() if k not in ("issued", "restated")} == json.loads(
        document
    )
    page = tmp_path / "r1.html"
    code, out = run(shop, LATER_NOW, "--revision", "1", "--format", "html", "-o", str(page))
    assert code == 0, out
    assert page.read_text(encoding="utf-8") == html
    code, out = run(shop, LATER_NOW, "--revision", "1")  # the table: noted against revision 1
    assert code == 0, out
    assert "revision 1" in out
    assert "storefront-uptime: credit 150.00 USD → 375.00 USD" in " ".join(out.split())

    code, out = run(shop, LATER_NOW, "--revision", "3", "--format", "json")
    assert code == 1
    assert "initech 2026-11 has no revision 3; its revisions: 1, 2" in " ".join(out.split())
    code, out = run(shop, LATER_NOW, "--revision", "1", "--live")
    assert code == 1
    assert "--revision" in out
    code, out = run(shop, LATER_NOW, "--revision", "1", "--issue")
    assert code == 1
    assert "--revision" in out


def test_the_table_at_an_instant_before_the_issue_names_no_issue(shop: Path) -> None:
    """``--at`` before the issue: the JSON is the statement computed then (no ``issued``), as
    docs/sla.md says; the table under it names no revision either (issued later)."""
    code, out = run(shop, ISSUE_NOW, "--issue")
    assert code == 0, out
    code, out = run(shop, LATER_NOW, "--at", "2026-12-05T09:00:00Z", "--format", "json")
    assert code == 0, out
    assert "issued" not in json.loads(out)
    code, out = run(shop, LATER_NOW, "--at", "2026-12-05T09:00:00Z")
    assert code == 0, out
    assert "revision 1" not in out
    code, out = run(shop, LATER_NOW, "--at", "2026-12-10T09:00:00Z")  # at the issue: issued
    assert code == 0, out
    assert "issued 2026-12-10T09:00:00Z, revision 1" in out
