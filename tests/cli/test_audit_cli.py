"""``covenant audit verify|list`` on SQLite and PostgreSQL: exit 1 naming the first broken row."""

from __future__ import annotations

import json
import shutil
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from covenant.cli.main import app
from covenant.store import audit
from covenant.store.audit_tables import audit_log
from covenant.store.db import create_engine_for, migrate, write_transaction
from tests.conftest import ROOT

T0 = datetime(2026, 11, 3, 9, 30, tzinfo=UTC)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def audit_store(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Engine]:
    """A migrated store (a SQLite file, or a schema of its own on the real PostgreSQL) that
    COVENANT_DATABASE_URL points the CLI at."""
    admin: Engine | None = None
    schema = f"t_{uuid.uuid4().hex[:12]}"
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'covenant.db'}"
    else:
        base = request.getfixturevalue("postgres_url")
        admin = sa.create_engine(base)
        with admin.begin() as conn:
            conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
        url = f"{base}?options=-csearch_path%3D{schema}"
    monkeypatch.setenv("COVENANT_DATABASE_URL", url)
    engine = create_engine_for(url)
    try:
        migrate(engine)
        yield engine
    finally:
        engine.dispose()
        if admin is not None:
            with admin.begin() as conn:
                conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
            admin.dispose()


def _fill(engine: Engine) -> None:
    with write_transaction(engine) as conn:
        for i, kind in enumerate(("token", "slo", "slo", "agreement")):
            audit.append(
                conn,
                actor="cli:alice" if i % 2 else "token:abc",
                action="created" if i != 2 else "changed",
                entity_kind=kind,
                entity_id="checkout-availability" if kind == "slo" else f"{kind}-{i}",
                before=None if i != 2 else {"target": "99/100"},
                after={"n": i},
                at=T0 + timedelta(minutes=i),
                reason="tighten after Q3 review" if i == 2 else None,
            )


def _run(tmp_path: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["audit", *args, "-w", str(tmp_path)])
    return result.exit_code, result.stdout, result.stderr


def test_verify_prints_the_head_then_names_an_edited_row(
    audit_store: Engine, tmp_path: Path
) -> None:
    _fill(audit_store)
    with audit_store.connect() as conn:
        head = conn.execute(sa.select(audit_log.c.hash).where(audit_log.c.seq == 4)).scalar()
    code, out, _ = _run(tmp_path, "verify")
    assert code == 0, out
    assert f"4 rows, head 4:{head}" in out
    with audit_store.begin() as conn:
        conn.execute(sa.update(audit_log).where(audit_log.c.seq == 2).values(actor="mallory"))
    code, out, err = _run(tmp_path, "verify")
    assert code == 1
    assert "audit-chain-broken" in err
    assert "broken at row #2" in err
    assert "edited" in err
    code, out, _ = _run(tmp_path, "verify", "-f", "json")
    assert code == 1
    data = json.loads(out)
    assert (data["ok"], data["rows"], data["broken"]["seq"]) == (False, 4, 2)


def test_verify_names_a_deleted_row_and_a_cut_end_against_the_anchor(
    audit_store: Engine, tmp_path: Path
) -> None:
    _fill(audit_store)
    code, out, _ = _run(tmp_path, "verify", "-f", "json")
    anchor = json.loads(out)["head"]
    assert code == 0
    assert anchor.startswith("4:")
    with audit_store.begin() as conn:
        conn.execute(sa.delete(audit_log).where(audit_log.c.seq == 4))
    assert _run(tmp_path, "verify")[0] == 0  # a chain cut at its end is whole…
    code, _, err = _run(tmp_path, "verify", "--anchor", anchor)
    assert code == 1  # …but no longer holds the head seen before
    assert "row #4 (the anchor) is missing" in err
    with audit_store.begin() as conn:
        conn.execute(sa.delete(audit_log).where(audit_log.c.seq == 2))
    code, _, err = _run(tmp_path, "verify")
    assert code == 1
    assert "row #2 missing (deleted)" in err


def test_a_bad_anchor_is_a_coded_error(audit_store: Engine, tmp_path: Path) -> None:
    code, _, err = _run(tmp_path, "verify", "--anchor", "4:nothex")
    assert code == 1
    assert "invalid-input" in err


def test_list_filters(audit_store: Engine, tmp_path: Path) -> None:
    _fill(audit_store)
    code, out, _ = _run(tmp_path, "list", "--kind", "slo", "-f", "json")
    assert code == 0
    items = json.loads(out)["items"]
    assert [i["seq"] for i in items] == [2, 3]
    assert items[1]["before"] == {"target": "99/100"}
    assert items[1]["reason"] == "tighten after Q3 review"
    assert items[1]["at"] == "2026-11-03T09:32:00Z"
    code, out, _ = _run(tmp_path, "list", "--actor", "token:abc")
    assert code == 0
    assert out.splitlines()[0] == "#1  2026-11-03T09:30:00Z  token:abc  created token token-0"
    assert [line.split()[0] for line in out.splitlines()] == ["#1", "#3"]
    code, out, _ = _run(
        tmp_path, "list", "--since", "2026-11-03T09:31:00Z", "--until", "2026-11-03T09:33:00Z"
    )
    assert [line.split()[0] for line in out.splitlines()] == ["#2", "#3"]
    code, out, _ = _run(tmp_path, "list", "--after", "3")
    assert [line.split()[0] for line in out.splitlines()] == ["#4"]
    code, out, _ = _run(tmp_path, "list", "--kind", "nothing")
    assert (code, out.strip()) == (0, "no audit row matches")


def test_slo_record_and_history(audit_store: Engine, tmp_path: Path) -> None:
    ws = tmp_path / "shop"
    shutil.copytree(ROOT / "examples" / "shop", ws, ignore=shutil.ignore_patterns(".covenant"))
    runner = CliRunner()

    def run(*args: str) -> tuple[int, str]:
        result = runner.invoke(app, ["slo", *args, "-w", str(ws)])
        return result.exit_code, result.stdout + result.stderr

    code, out = run("record", "--actor", "alice", "--reason", "first recording")
    assert code == 0, out
    first = out.splitlines()[-1]
    assert first.startswith("recorded ")
    assert first != "recorded 0 SLO change(s)"
    assert run("record")[1].splitlines()[-1] == "recorded 0 SLO change(s)"
    path = ws / "slos.yaml"
    path.write_text(path.read_text().replace("target: 0.999\n", "target: 0.9995\n", 1))
    code, out = run("record", "--actor", "bob", "--reason", "tighter after the Q4 review")
    assert code == 0, out
    assert "checkout-availability: changed (tighter after the Q4 review)" in out
    assert out.splitlines()[-1] == "recorded 1 SLO change(s)"
    code, out = run("history", "checkout-availability", "-f", "json")
    assert code == 0, out
    items = json.loads(out)["items"]
    assert [(i["action"], i["actor"], i["reason"]) for i in items] == [
        ("created", "alice", "first recording"),
        ("changed", "bob", "tighter after the Q4 review"),
    ]
    assert items[1]["changes"] == [
        {"path": "slo.spec.objectives[0].target", "before": "0.999", "after": "0.9995"}
    ]
    code, out = run("history", "checkout-availability")
    assert 'slo.spec.objectives[0].target: "0.999" → "0.9995"' in out
    code, out = run("history", "no-such-slo")
    assert code == 1
    assert "not-found" in out


def test_an_unknown_slos_history_hint_names_the_command(
    audit_store: Engine, tmp_path: Path
) -> None:
    """The command line's answer points to a command first (it said only "GET /api/v1/slos")."""
    ws = tmp_path / "shop"
    shutil.copytree(ROOT / "examples" / "shop", ws, ignore=shutil.ignore_patterns(".covenant"))
    result = CliRunner().invoke(app, ["slo", "history", "nope", "-w", str(ws)])
    assert result.exit_code == 1, result.output
    assert "no SLO named 'nope' is defined or was ever recorded" in result.output
    assert "covenant evaluate" in result.output
