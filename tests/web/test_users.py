"""Web UI users: `covenant user create|list|disable`, Argon2id hashes, sessions (both stores)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from covenant.cli.main import app
from covenant.errors import AuthenticationError, ConflictError, InputError, NotFoundError
from covenant.services.users import (
    check_password,
    create_user,
    disable_user,
    end_session,
    find_session,
    start_session,
)
from covenant.store import audit
from covenant.store.web_tables import web_sessions, web_users

AT = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
PASSWORD = "a long enough pass phrase"


def _user(engine: Engine, name: str = "ann", role: str = "viewer", **kw: object) -> None:
    create_user(
        engine,
        name=name,
        password=str(kw.pop("password", PASSWORD)),
        role=role,
        customer=kw.pop("customer", None),  # type: ignore[arg-type]
        customers=["globex"],
        at=AT,
        created_by="test",
    )


def test_the_password_is_stored_only_as_an_argon2id_hash(engine: Engine) -> None:
    _user(engine)
    with engine.connect() as conn:
        stored = conn.execute(sa.select(web_users.c.password_hash)).scalar_one()
    assert stored.startswith("$argon2id$")
    assert PASSWORD not in stored
    assert check_password(engine, name="ann", password=PASSWORD).name == "ann"
    for name, password in (("ann", PASSWORD + "x"), ("bob", PASSWORD), ("ann", "")):
        with pytest.raises(AuthenticationError) as wrong:
            check_password(engine, name=name, password=password)
        assert str(wrong.value).startswith("the name or the password is wrong")


def test_bad_users_are_refused_with_a_clear_error(engine: Engine) -> None:
    with pytest.raises(InputError, match="needs 12 to 1024"):
        _user(engine, password="short")
    with pytest.raises(InputError, match="role 'boss'"):
        _user(engine, role="boss")
    with pytest.raises(InputError, match="customer user needs --customer"):
        _user(engine, role="customer")
    with pytest.raises(NotFoundError, match="customer 'acme' is not defined"):
        _user(engine, role="customer", customer="acme")
    with pytest.raises(InputError, match="user name 'Ann Smith'"):
        _user(engine, name="Ann Smith")
    _user(engine)
    with pytest.raises(ConflictError, match="exists already"):
        _user(engine)


def test_sessions_end_when_signed_out_expired_or_the_user_is_disabled(engine: Engine) -> None:
    _user(engine, role="customer", customer="globex")
    first = start_session(engine, at=AT, user_name="ann")
    second = start_session(engine, at=AT, user_name="ann")
    found = find_session(engine, session_id=first, at=AT)
    assert found is not None
    assert (found.principal.role.value, found.principal.customer) == ("customer", "globex")
    assert found.actor == "user:ann"
    assert find_session(engine, session_id=first + "x", at=AT) is None
    assert find_session(engine, session_id=first, at=AT + timedelta(hours=12)) is None
    end_session(engine, session_id=first)
    assert find_session(engine, session_id=first, at=AT) is None
    assert find_session(engine, session_id=second, at=AT) is not None
    disable_user(engine, name="ann", at=AT, actor="test")
    assert find_session(engine, session_id=second, at=AT) is None
    with pytest.raises(AuthenticationError):
        check_password(engine, name="ann", password=PASSWORD)
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(web_sessions)).scalar() == 0
        rows = audit.entries(conn, entity_kind="user", entity_id="ann")
    assert [(r.action, r.actor) for r in rows] == [("created", "test"), ("disabled", "test")]
    assert all(PASSWORD not in (r.after or "") for r in rows)
    assert all("argon2" not in (r.after or "") for r in rows)


def test_the_cli_creates_lists_and_disables_users(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COVENANT_DATABASE_URL", f"sqlite:///{tmp_path / 'covenant.db'}")
    monkeypatch.setenv("COVENANT_NOW", "2026-11-20T12:00:00Z")
    runner = CliRunner()
    made = runner.invoke(
        app,
        ["user", "create", "ops", "--role", "editor", "--password-stdin", "-w", str(tmp_path)],
        input=PASSWORD + "\n",
    )
    assert made.exit_code == 0, made.output
    assert made.stdout.strip() == "user ops: editor"
    listed = runner.invoke(app, ["user", "list", "--format", "json", "-w", str(tmp_path)])
    assert listed.exit_code == 0, listed.output
    users = json.loads(listed.stdout)["users"]
    assert [(u["name"], u["role"], u["state"]) for u in users] == [("ops", "editor", "active")]
    assert users[0]["created_at"] == "2026-11-20T12:00:00Z"  # UTC with Z, as the CLI writes
    assert "password" not in listed.stdout
    assert "argon2" not in listed.stdout
    gone = runner.invoke(app, ["user", "disable", "ops", "-w", str(tmp_path)])
    assert gone.exit_code == 0, gone.output
    listed = runner.invoke(app, ["user", "list", "-w", str(tmp_path)])
    assert "ops  editor  disabled  created 2026-11-20T12:00:00Z" in listed.stdout
    again = runner.invoke(
        app,
        ["user", "create", "ops", "--role", "editor", "--password-stdin", "-w", str(tmp_path)],
        input=PASSWORD + "\n",
    )
    assert again.exit_code == 1
    assert "exists already" in again.stderr
    unknown = runner.invoke(app, ["user", "disable", "nobody", "-w", str(tmp_path)])
    assert unknown.exit_code == 1
    assert "no user is named 'nobody'" in unknown.stderr
