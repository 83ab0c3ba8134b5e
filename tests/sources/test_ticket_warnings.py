"""Tickets that no agreement counts are stored with a warning that names them and the fix.

A ticket whose customer is not one of the workspace's (a typo: `globx`), or whose priority has
no support target in that customer's agreements (`Urgent` where the agreement says P1), used to
be stored silently and then counted toward nothing.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from typer.testing import CliRunner

from covenant.cli.main import app
from tests.conftest import ROOT

runner = CliRunner()
HEAD = "id,customer,priority,created,first_response,resolved,history\n"


def shop(tmp_path: Path) -> Path:
    target = tmp_path / "shop"
    shutil.copytree(ROOT / "examples" / "shop", target, ignore=shutil.ignore_patterns(".covenant"))
    return target


def test_unknown_customers_and_priorities_are_warned_about(tmp_path: Path) -> None:
    ws = shop(tmp_path)
    tickets = tmp_path / "tickets.csv"
    rows = [
        "T-1,globex,P1,2026-11-02T09:00:00Z,,,",  # counted: globex has a P1 target
        "T-2,globx,P1,2026-11-02T09:00:00Z,,,",
        "T-3,globx,P2,2026-11-02T10:00:00Z,,,",
        "T-4,globex,Urgent,2026-11-02T11:00:00Z,,,",
        "T-5,initech,P1,2026-11-02T12:00:00Z,,,",  # initech's agreement has no support terms
        "T-6,globex,P4,2026-11-02T13:00:00Z,,,",
    ]
    tickets.write_text(HEAD + "\n".join(rows) + "\n")
    result = runner.invoke(
        app, ["ingest", "tickets", str(tickets), "-w", str(ws), "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    (doc,) = json.loads(result.stdout)["files"]
    assert doc["inserted"] == 6  # stored all the same
    found = [(w["code"], w["field"], w["message"], w["fix"]) for w in doc["warnings"]]
    assert found == [
        (
            "unknown-ticket-customer",
            "customer",
            "customer 'globx' on 2 tickets (T-2, T-3) is not a customer of the workspace: they "
            "count toward no agreement (stored all the same)",
            "did you mean 'globex'? correct the customer column and ingest the file again, or "
            "define the customer (kind: Customer) and its agreement",
        ),
        (
            "unknown-ticket-priority",
            "priority",
            "priority 'P4' on 1 ticket (T-6) of 'globex' has no support target in its "
            "agreements (targets for P1, P2, P3): they count toward no support commitment "
            "(stored all the same)",
            "map the tool's priorities to the agreement's and ingest the file again, or add a "
            "target for this priority",
        ),
        (
            "unknown-ticket-priority",
            "priority",
            "priority 'Urgent' on 1 ticket (T-4) of 'globex' has no support target in its "
            "agreements (targets for P1, P2, P3): they count toward no support commitment "
            "(stored all the same)",
            "map the tool's priorities to the agreement's and ingest the file again, or add a "
            "target for this priority",
        ),
        (
            "unknown-ticket-priority",
            "priority",
            "priority 'P1' on 1 ticket (T-5) of 'initech' has no support target in its "
            "agreements (none has support terms): they count toward no support commitment "
            "(stored all the same)",
            "map the tool's priorities to the agreement's and ingest the file again, or add a "
            "target for this priority",
        ),
    ]
    assert all(w["where"] == "tickets.csv" for w in doc["warnings"])
    table = runner.invoke(app, ["ingest", "tickets", str(tickets), "-w", str(ws)])
    assert table.exit_code == 0  # a duplicate now: nothing new to warn about
    assert "warning" not in table.stderr


def test_matching_tickets_and_a_workspace_without_agreements_warn_nothing(tmp_path: Path) -> None:
    ws = shop(tmp_path)
    tickets = tmp_path / "tickets.csv"
    tickets.write_text(HEAD + "T-1,globex,P3,2026-11-02T09:00:00Z,,,\n")
    result = runner.invoke(app, ["ingest", "tickets", str(tickets), "-w", str(ws)])
    assert result.exit_code == 0, result.output
    assert "warning" not in result.stderr
    bare = tmp_path / "bare"
    bare.mkdir()
    other = runner.invoke(app, ["ingest", "tickets", str(tickets), "-w", str(bare)])
    assert other.exit_code == 0, other.output
    assert "warning" not in other.stderr
