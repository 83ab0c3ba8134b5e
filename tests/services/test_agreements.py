"""sync_agreements: atomic, immutable once signed, lifecycle moves by the rules; the CLI."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from covenant.cli.main import app
from covenant.definitions.workspace import Workspace
from covenant.errors import DefinitionError
from covenant.services.agreements import (
    agreement_history,
    agreement_in_force,
    list_agreements,
    sync_agreements,
)
from covenant.store.agreement_tables import agreement_events, agreement_versions
from tests.definitions.test_agreements import CALENDAR, CUSTOMER, SHOP, V1, V2, agreement, load

T1 = datetime(2026, 1, 10, tzinfo=UTC)
T2 = datetime(2026, 2, 10, tzinfo=UTC)
T3 = datetime(2026, 3, 10, tzinfo=UTC)

V2_DRAFT = V2.replace("status: signed", "status: draft").replace(
    "      signatories:\n        - {name: Jane Roe, role: CTO ACME, signedAt: 2026-06-01}\n", ""
)


@pytest.fixture
def store(engine: Engine) -> Engine:
    """A migrated store: each test runs on SQLite and on the real PostgreSQL (own schema)."""
    return engine


def workspace(versions: str) -> Workspace:
    found, problems = load("---\n".join([CUSTOMER, CALENDAR, agreement(versions)]))
    assert found is not None, problems
    return found


def snapshot(engine: Engine) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    with engine.connect() as conn:
        versions = conn.execute(
            sa.select(
                agreement_versions.c.version,
                agreement_versions.c.status,
                agreement_versions.c.content_sha256,
            ).order_by(agreement_versions.c.version)
        ).all()
        events = conn.execute(
            sa.select(agreement_events.c.seq, agreement_events.c.event).order_by(
                agreement_events.c.seq
            )
        ).all()
    return [tuple(r) for r in versions], [tuple(r) for r in events]


def test_insert_then_idempotent_resync(store: Engine) -> None:
    report = sync_agreements(store, workspace=workspace(V1 + V2_DRAFT), at=T1, actor="ops")
    assert [(c.version, c.event, c.from_status, c.to_status) for c in report.changes] == [
        (1, "created", None, "active"),
        (2, "created", None, "draft"),
    ]
    before = snapshot(store)
    again = sync_agreements(store, workspace=workspace(V1 + V2_DRAFT), at=T2)
    assert (again.changes, again.unchanged, again.changed) == ((), 2, False)
    assert snapshot(store) == before
    events, intact = agreement_history(store, name="acme-sla")
    assert intact
    assert [(e.event, e.actor) for e in events] == [("created", "ops"), ("created", "ops")]


def test_legal_status_move_and_draft_edits_are_recorded(store: Engine) -> None:
    sync_agreements(store, workspace=workspace(V1 + V2_DRAFT), at=T1)
    edited = V2_DRAFT.replace("level: 99.95", "level: 99.99").replace(
        "99.95, credit", "99.99, credit"
    )
    report = sync_agreements(
        store, workspace=workspace(V1 + edited.replace("status: draft", "status: proposed")), at=T2
    )
    assert [(c.version, c.event, c.from_status, c.to_status) for c in report.changes] == [
        (2, "content-changed", None, None),
        (2, "status-changed", "draft", "proposed"),
    ]
    events, intact = agreement_history(store, name="acme-sla")
    assert intact
    assert [e.event for e in events] == ["created", "created", "content-changed", "status-changed"]
    assert events[-1].at == T2


def test_illegal_move_is_rejected_and_nothing_is_applied(store: Engine) -> None:
    sync_agreements(store, workspace=workspace(V1 + V2_DRAFT), at=T1)
    before = snapshot(store)
    jumped = V2.replace("status: signed", "status: active")  # draft → active, and v1 stays
    jumped_ws = workspace(V1.replace("status: active", "status: superseded") + jumped)
    with pytest.raises(DefinitionError) as caught:
        sync_agreements(store, workspace=jumped_ws, at=T2)
    (problem,) = caught.value.problems
    assert problem.code == "illegal-status-change"
    assert problem.message == (
        "acme-sla v2 moves from draft to active; allowed next: proposed, terminated"
    )
    assert problem.where.startswith("ws.yaml:")
    assert snapshot(store) == before  # v1's legal move to superseded was not applied either


def test_edited_signed_version_is_an_error_that_asks_for_an_amendment(store: Engine) -> None:
    sync_agreements(store, workspace=workspace(V1), at=T1)
    before = snapshot(store)
    edited = V1.replace('"1200.00"', '"1100.00"')
    with pytest.raises(DefinitionError) as caught:
        sync_agreements(store, workspace=workspace(edited + V2_DRAFT), at=T2)
    (problem,) = caught.value.problems
    assert problem.code == "signed-version-changed"
    assert "signed and immutable" in problem.message
    assert "amendment" in problem.fix
    assert "own effectiveFrom and reason" in problem.fix
    assert snapshot(store) == before  # the new draft v2 was not inserted either


def test_the_amendment_asked_for_is_the_next_free_version(store: Engine) -> None:
    """With v2 signed already, "write an amendment: a new version v2" pointed at a version that
    exists and may not change either (stop 43): the amendment to write is v3."""
    sync_agreements(store, workspace=workspace(V1 + V2), at=T1)
    edited = V1.replace('"1200.00"', '"1100.00"')
    with pytest.raises(DefinitionError) as caught:
        sync_agreements(store, workspace=workspace(edited + V2), at=T2)
    (problem,) = caught.value.problems
    assert problem.code == "signed-version-changed"
    assert "a new version v3 with its own effectiveFrom and reason" in problem.fix
    assert "v2" not in problem.fix


def test_an_open_draft_is_where_the_change_goes(store: Engine) -> None:
    sync_agreements(store, workspace=workspace(V1 + V2_DRAFT), at=T1)
    edited = V1.replace('"1200.00"', '"1100.00"')
    with pytest.raises(DefinitionError) as caught:
        sync_agreements(store, workspace=workspace(edited + V2_DRAFT), at=T2)
    (problem,) = caught.value.problems
    assert "put the change in v2 (draft) with its own effectiveFrom and reason" in problem.fix


def test_an_amendment_is_accepted_and_takes_over(store: Engine) -> None:
    sync_agreements(store, workspace=workspace(V1), at=T1)
    report = sync_agreements(store, workspace=workspace(V1 + V2), at=T2)
    assert [(c.version, c.event, c.to_status) for c in report.changes] == [(2, "created", "signed")]
    july = datetime(2026, 7, 15, tzinfo=UTC)
    assert agreement_in_force(store, name="acme-sla", at=T3).version == 1
    assert agreement_in_force(store, name="acme-sla", at=july).version == 2
    superseded = V1.replace("status: active", "status: superseded")
    report = sync_agreements(
        store,
        workspace=workspace(superseded + V2.replace("status: signed", "status: active")),
        at=july,
    )
    assert [(c.version, c.from_status, c.to_status) for c in report.changes] == [
        (1, "active", "superseded"),
        (2, "signed", "active"),
    ]
    (summary,) = list_agreements(store, at=july)
    assert (summary.name, summary.customer, summary.versions) == ("acme-sla", "acme", 2)
    assert summary.in_force is not None
    assert summary.in_force.version == 2


def test_a_signed_version_cannot_disappear(store: Engine) -> None:
    sync_agreements(store, workspace=workspace(V1 + V2), at=T1)
    before = snapshot(store)
    with pytest.raises(DefinitionError) as caught:
        sync_agreements(store, workspace=workspace(V1), at=T2)
    (problem,) = caught.value.problems
    assert (problem.code, problem.where) == ("signed-version-removed", "acme-sla")
    assert snapshot(store) == before


def test_a_removed_draft_is_a_warning(store: Engine) -> None:
    sync_agreements(store, workspace=workspace(V1 + V2_DRAFT), at=T1)
    report = sync_agreements(store, workspace=workspace(V1), at=T2)
    assert [(p.code, p.severity) for p in report.warnings] == [("draft-version-removed", "warning")]


# --- CLI -------------------------------------------------------------------------------------


@pytest.fixture
def ws_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv("COVENANT_DATABASE_URL", raising=False)
    folder = tmp_path / "ws"
    shutil.copytree(SHOP, folder, ignore=shutil.ignore_patterns(".covenant"))
    (folder / "contracts.yaml").write_text("---\n".join([CUSTOMER, CALENDAR, agreement(V1)]))
    return folder


def test_cli_sync_list_show_history(ws_dir: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["agreements", "sync", "-w", str(ws_dir), "--actor", "alice"])
    assert result.exit_code == 0, result.output
    assert "acme-sla v1: created ∅ → active" in result.output
    result = runner.invoke(app, ["agreements", "sync", "-w", str(ws_dir)])
    assert "synced: 0 change(s), 1 version(s) unchanged" in result.output
    at = ["--at", "2026-03-01T00:00:00Z"]
    result = runner.invoke(app, ["agreements", "list", "-w", str(ws_dir), *at, "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["agreements"] == [
        {
            "agreement": "acme-sla",
            "customer": "acme",
            "versions": 1,
            "in_force": 1,
            "status": "active",
            "latest_status": "active",
            "error": None,  # an agreement that disagrees with its history: {code, message, hint}
        }
    ]
    result = runner.invoke(app, ["agreements", "list", "-w", str(ws_dir), *at])
    assert "acme-sla" in result.output
    result = runner.invoke(
        app, ["agreements", "show", "acme-sla", "-w", str(ws_dir), *at, "--format", "json"]
    )
    shown = json.loads(result.output)
    assert shown["status"] == "active"
    assert shown["availability"][0]["level"] == "999/1000"
    assert shown["fees"] == [["checkout", "1200.00"], ["search", "300.10"]]
    result = runner.invoke(app, ["agreements", "show", "acme-sla", "-w", str(ws_dir), *at])
    assert result.exit_code == 0, result.output
    assert "99.9 %" in result.output
    assert "acme-sla v1 (active) for acme" in result.output
    result = runner.invoke(app, ["agreements", "history", "acme-sla", "-w", str(ws_dir)])
    assert result.exit_code == 0, result.output
    assert "hash chain intact" in result.output
    assert "alice" in result.output


def test_cli_errors_exit_1_and_change_nothing(ws_dir: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(app, ["agreements", "sync", "-w", str(ws_dir)]).exit_code == 0
    contracts = ws_dir / "contracts.yaml"
    contracts.write_text(contracts.read_text().replace("level: 99.9", "level: 99.95"))
    result = runner.invoke(app, ["agreements", "sync", "-w", str(ws_dir)])
    assert result.exit_code == 1
    assert "signed-version-changed" in result.output
    result = runner.invoke(app, ["agreements", "show", "nope", "-w", str(ws_dir)])
    assert result.exit_code == 1
    assert "no agreement named 'nope'" in result.output
    before = runner.invoke(
        app,
        [
            "agreements",
            "show",
            "acme-sla",
            "-w",
            str(ws_dir),
            "--at",
            "2026-03-01T00:00:00Z",
            "--format",
            "json",
        ],
    )
    assert json.loads(before.output)["availability"][0]["level"] == "999/1000"
    result = runner.invoke(app, ["agreements", "list", "-w", str(ws_dir), "--at", "yesterday"])
    assert result.exit_code == 2
