"""Nothing forged: a stored agreement edited outside Covenant (raw SQL on SQLite and on the real
PostgreSQL) is refused wherever it is read — sync, statements, exposure, history — with the
coded error ``agreement-tampered``."""

from __future__ import annotations

import hashlib
import json
import shutil
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from covenant.cli.main import app
from covenant.config import Settings, sqlite_url
from covenant.definitions.workspace import Workspace
from covenant.errors import TamperedError
from covenant.services.agreements import (
    agreement_audit,
    agreement_history,
    agreement_in_force,
    list_agreements,
    sync_agreements,
)
from covenant.services.demo import run_demo
from covenant.services.exposure import exposure
from covenant.services.ingest import open_store
from covenant.services.sla import report_statement
from covenant.services.workspace import load_workspace
from tests.conftest import ROOT
from tests.definitions.test_agreements import CALENDAR, CUSTOMER, V1, V2, agreement, load

AT = datetime(2026, 11, 27, 9, 30, tzinfo=UTC)
T1 = datetime(2026, 1, 10, tzinfo=UTC)
TEN = "{below: 99.9, atLeast: 99.0, credit: 10}"
ONE = "{below: 99.9, atLeast: 99.0, credit: 1}"


@pytest.fixture
def store(engine: Engine) -> Engine:
    """A migrated store: each test runs on SQLite and on the real PostgreSQL (own schema)."""
    return engine


def workspace(versions: str) -> Workspace:
    found, problems = load("---\n".join([CUSTOMER, CALENDAR, agreement(versions)]))
    assert found is not None, problems
    return found


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def forge_terms(engine: Engine, version: int, old: str, new: str) -> None:
    """Rewrite a version's terms and recompute its hash, as an attacker with SQL access would."""
    with engine.begin() as conn:
        content = conn.execute(
            sa.text("SELECT content FROM agreement_versions WHERE version = :v"), {"v": version}
        ).scalar_one()
        assert old in content
        forged = content.replace(old, new)
        conn.execute(
            sa.text(
                "UPDATE agreement_versions SET content = :c, content_sha256 = :h WHERE version = :v"
            ),
            {"c": forged, "h": sha(forged), "v": version},
        )


def raw(engine: Engine, statement: str) -> None:
    with engine.begin() as conn:
        assert conn.execute(sa.text(statement)).rowcount == 1


def test_forged_terms_are_refused_by_sync_reads_and_history(store: Engine) -> None:
    honest = workspace(V1 + V2)
    sync_agreements(store, workspace=honest, at=T1)
    # the 10 % credit tier of v1 becomes 1 %, in the store and in the workspace alike
    forge_terms(store, 1, '"credit":"10"', '"credit":"1"')
    forged = workspace(V1.replace(TEN, ONE) + V2)
    assert forged.agreements[0].availability[0].remedies.tiers[0].credit == Decimal(1)
    with pytest.raises(TamperedError) as caught:
        sync_agreements(store, workspace=forged, at=T1)
    assert caught.value.code == "agreement-tampered"
    assert "v1's terms are not the ones its history recorded" in caught.value.message
    with pytest.raises(TamperedError):
        sync_agreements(store, workspace=forged, at=T1, dry_run=True)
    with pytest.raises(TamperedError):
        agreement_in_force(store, name="acme-sla", at=T1)
    (listed,) = list_agreements(store, at=T1)  # listed as tampered, its terms never read
    assert listed.in_force is None
    assert listed.tampered is not None
    assert listed.tampered.code == "agreement-tampered"
    events, intact = agreement_history(store, name="acme-sla")
    assert [e.seq for e in events] == [1, 2]  # the chain itself was not touched
    assert intact is False
    _, wrong = agreement_audit(store, name="acme-sla")
    assert wrong == ["v1's terms are not the ones its history recorded"]


def test_terms_edited_without_their_hash_are_refused(store: Engine) -> None:
    sync_agreements(store, workspace=workspace(V1), at=T1)
    raw(store, "UPDATE agreement_versions SET content = REPLACE(content, '999/1000', '99/100')")
    with pytest.raises(TamperedError, match="v1's terms do not match their stored hash"):
        sync_agreements(store, workspace=workspace(V1), at=T1)


def test_a_broken_chain_is_refused_everywhere_not_only_by_history(store: Engine) -> None:
    sync_agreements(store, workspace=workspace(V1), at=T1, actor="alice")
    sync_agreements(store, workspace=workspace(V1 + V2), at=T1, actor="alice")
    raw(store, "UPDATE agreement_events SET actor = 'mallory' WHERE seq = 1")
    with pytest.raises(TamperedError, match="history event #1 was changed after it was recorded"):
        sync_agreements(store, workspace=workspace(V1 + V2), at=T1)
    with pytest.raises(TamperedError):
        agreement_in_force(store, name="acme-sla", at=T1)
    assert agreement_history(store, name="acme-sla")[1] is False


def test_a_deleted_history_event_is_refused(store: Engine) -> None:
    sync_agreements(store, workspace=workspace(V1 + V2), at=T1)
    raw(store, "DELETE FROM agreement_events WHERE seq = 1")
    with pytest.raises(TamperedError) as caught:
        sync_agreements(store, workspace=workspace(V1 + V2), at=T1)
    assert "history event #1 is missing (the next one is #2)" in caught.value.message


def test_a_signed_version_set_back_to_draft_cannot_be_amended_in_place(store: Engine) -> None:
    sync_agreements(store, workspace=workspace(V1), at=T1)
    raw(store, "UPDATE agreement_versions SET status = 'draft' WHERE version = 1")
    edited = workspace(V1.replace("status: active", "status: draft").replace(TEN, ONE))
    with pytest.raises(TamperedError) as caught:
        sync_agreements(store, workspace=edited, at=T1)
    assert "v1 is draft in the store but its history last recorded active" in str(caught.value)
    with store.connect() as conn:  # nothing applied
        content = conn.execute(sa.text("SELECT content FROM agreement_versions")).scalar_one()
    assert '"credit":"10"' in content


def test_cli_history_names_the_disagreement_and_exits_1(tmp_path: Path) -> None:
    target = tmp_path / "shop"
    shutil.copytree(ROOT / "examples" / "shop", target, ignore=shutil.ignore_patterns(".covenant"))
    runner = CliRunner()
    assert runner.invoke(app, ["agreements", "sync", "-w", str(target)]).exit_code == 0
    engine = open_store(sqlite_url(target))
    raw(engine, "UPDATE agreement_versions SET status = 'draft' WHERE content LIKE '%initech%'")
    engine.dispose()
    result = runner.invoke(app, ["agreements", "history", "initech-standard", "-w", str(target)])
    assert result.exit_code == 1
    assert "BROKEN" in result.output
    assert "v1 is draft in the store but its history last recorded active" in result.output
    as_json = runner.invoke(
        app,
        ["agreements", "history", "initech-standard", "-w", str(target), "--format", "json"],
    )
    assert as_json.exit_code == 1
    assert json.loads(as_json.stdout)["problems"] == [
        "v1 is draft in the store but its history last recorded active"
    ]
    result = runner.invoke(app, ["agreements", "sync", "-w", str(target)])
    assert result.exit_code == 1
    assert "agreement-tampered" in result.output


def test_a_forged_credit_never_reaches_a_statement_or_an_exposure(tmp_path: Path) -> None:
    target = tmp_path / "shop"
    shutil.copytree(ROOT / "examples" / "shop", target, ignore=shutil.ignore_patterns(".covenant"))
    run_demo(Settings(workspace=target, database_url=sqlite_url(target)), at=AT, days=60)
    engine = open_store(sqlite_url(target))
    try:
        sync_agreements(engine, workspace=load_workspace(target), at=AT)
        honest = report_statement(
            engine, workspace=load_workspace(target), customer="initech", period="2026-11", at=AT
        )
        (a,) = honest.availability
        assert a.credit is not None
        assert a.credit.percent == Decimal(10)  # as in test_sla: INC-1010 costs 50 minutes
        contracts = target / "contracts.yaml"
        assert contracts.read_text().count(TEN) == 1
        contracts.write_text(contracts.read_text().replace(TEN, ONE))
        with engine.begin() as conn:
            row = conn.execute(
                sa.text("SELECT id, content FROM agreement_versions WHERE content LIKE :w"),
                {"w": "%initech%"},
            ).one()
            forged = row.content.replace('"credit":"10"', '"credit":"1"', 1)
            conn.execute(
                sa.text(
                    "UPDATE agreement_versions SET content = :c, content_sha256 = :h WHERE id = :i"
                ),
                {"c": forged, "h": sha(forged), "i": row.id},
            )
        forged_ws = load_workspace(target)
        with pytest.raises(TamperedError):
            report_statement(
                engine, workspace=forged_ws, customer="initech", period="2026-11", at=AT
            )
        with pytest.raises(TamperedError):
            exposure(engine, workspace=forged_ws, at=AT)
    finally:
        engine.dispose()


def test_one_tampered_agreement_is_listed_as_such_beside_the_others(tmp_path: Path) -> None:
    """`agreements list` lists every other agreement as usual, shows the tampered one as
    tampered with its code, and exits 1; `report sla` and `sync` still refuse it."""
    target = tmp_path / "shop"
    shutil.copytree(ROOT / "examples" / "shop", target, ignore=shutil.ignore_patterns(".covenant"))
    runner = CliRunner()
    ws = ["-w", str(target)]
    assert runner.invoke(app, ["agreements", "sync", *ws]).exit_code == 0
    engine = open_store(sqlite_url(target))
    raw(engine, "UPDATE agreement_versions SET status = 'draft' WHERE content LIKE '%initech%'")
    engine.dispose()
    at = ["--at", "2026-11-27T09:30:00Z"]
    result = runner.invoke(app, ["agreements", "list", *ws, *at], terminal_width=120)
    assert result.exit_code == 1, result.output
    rows = {line.split()[0]: line.split()[1:] for line in result.stdout.splitlines() if line}
    assert rows["globex-enterprise"] == ["globex", "v1", "active", "1"]
    assert rows["initech-standard"] == ["initech", "—", "tampered", "1"]
    assert "error: agreement 'initech-standard' in the store disagrees" in result.stderr
    assert "v1 is draft in the store but its history last recorded active" in result.stderr
    assert "run: covenant explain agreement-tampered" in result.stderr
    as_json = runner.invoke(app, ["agreements", "list", *ws, *at, "--format", "json"])
    assert as_json.exit_code == 1
    listed = {a["agreement"]: a for a in json.loads(as_json.stdout)["agreements"]}
    assert listed["globex-enterprise"]["in_force"] == 1
    assert listed["globex-enterprise"]["error"] is None
    assert listed["initech-standard"]["in_force"] is None
    assert listed["initech-standard"]["error"]["code"] == "agreement-tampered"
    only = runner.invoke(app, ["agreements", "list", *ws, *at, "--status", "tampered"])
    assert "initech-standard" in only.stdout
    assert "globex-enterprise" not in only.stdout
    for refused in (
        ["report", "sla", "-c", "initech", "-p", "2026-11", *at, *ws],
        ["agreements", "sync", *ws],
    ):
        result = runner.invoke(app, refused)
        assert result.exit_code == 1, (refused, result.output)
        assert "run: covenant explain agreement-tampered" in result.output, refused
