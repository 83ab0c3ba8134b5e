"""API tokens: random, stored hashed, shown once, revocable, expiring; the CLI commands."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from datetime import UTC, datetime, timedelta

import pytest
from typer.testing import CliRunner

from covenant.cli.main import app
from covenant.errors import AuthenticationError, InputError, NotFoundError
from covenant.services.store import open_store
from covenant.services.tokens import authenticate, create_token, parse_expiry, revoke_token
from covenant.store.tokens import new_token
from tests.api.support import AT, CUSTOMERS, Shop

V1 = "/api/v1"


def _db(shop: Shop) -> str:
    return shop.settings.database_url.removeprefix("sqlite:///")


def test_only_the_hash_of_the_secret_is_stored(shop: Shop) -> None:
    token = shop.tokens["viewer"]
    token_id, _, secret = token.removeprefix("cvt_").partition(".")
    assert len(secret) >= 43  # 256 random bits, URL-safe
    with sqlite3.connect(_db(shop)) as conn:
        rows = conn.execute("SELECT * FROM api_tokens").fetchall()
        stored = conn.execute(
            "SELECT secret_sha256 FROM api_tokens WHERE id = ?", (token_id,)
        ).fetchone()
    assert stored == (hashlib.sha256(secret.encode()).hexdigest(),)
    assert not any(secret in str(value) for row in rows for value in row)


def test_revoked_and_expired_tokens_are_refused(shop: Shop) -> None:
    engine = open_store(shop.settings.database_url)
    made = create_token(
        engine,
        role="viewer",
        customer=None,
        expires_at=AT + timedelta(hours=1),
        at=AT,
        customers=CUSTOMERS,
    )
    assert authenticate(engine, presented=made.text, at=AT).role.value == "viewer"
    with pytest.raises(AuthenticationError, match="expired"):
        authenticate(engine, presented=made.text, at=AT + timedelta(hours=1))
    assert shop.client.get(f"{V1}/me", made.text).status_code == 200
    revoke_token(engine, token_id=made.token.id, at=AT)
    answer = shop.client.get(f"{V1}/me", made.text)
    assert answer.status_code == 401
    assert answer.json()["code"] == "unauthenticated"
    assert "revoked" in answer.json()["message"]
    wrong_secret = made.text[:-4] + ("AAAA" if not made.text.endswith("AAAA") else "BBBB")
    assert shop.client.get(f"{V1}/me", wrong_secret).json()["message"] == (
        "the API token is not known"
    )


def test_bad_token_requests_change_nothing(shop: Shop) -> None:
    engine = open_store(shop.settings.database_url)
    with pytest.raises(InputError, match="only a customer token"):
        create_token(
            engine, role="viewer", customer="globex", expires_at=AT, at=AT, customers=CUSTOMERS
        )
    with pytest.raises(InputError, match="needs the customer"):
        create_token(engine, role="customer", customer=None, expires_at=AT, at=AT, customers=())
    with pytest.raises(NotFoundError, match="not defined"):
        create_token(
            engine, role="customer", customer="acme", expires_at=AT, at=AT, customers=CUSTOMERS
        )
    with pytest.raises(InputError, match="not one of"):
        create_token(engine, role="root", customer=None, expires_at=AT, at=AT, customers=())


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (None, AT + timedelta(days=90)),
        ("12h", AT + timedelta(hours=12)),
        ("8w", AT + timedelta(weeks=8)),
        ("2027-03-01", datetime(2027, 3, 1, tzinfo=UTC)),
        ("2027-03-01T10:00:00+01:00", datetime(2027, 3, 1, 9, tzinfo=UTC)),
    ],
)
def test_expiry_forms(text: str | None, expected: datetime) -> None:
    assert parse_expiry(text, at=AT) == expected


@pytest.mark.parametrize("text", ["-1d", "2020-01-01", "4000d", "soon", "2027-03-01T10:00:00"])
def test_bad_expiry_is_a_coded_error(text: str) -> None:
    with pytest.raises(InputError):
        parse_expiry(text, at=AT)


def test_token_cli_create_list_revoke(shop: Shop, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COVENANT_NOW", AT.isoformat())
    runner = CliRunner()
    w = ["-w", str(shop.workspace)]
    made = runner.invoke(
        app, ["token", "create", "--role", "customer", "--customer", "initech", *w, "-f", "json"]
    )
    assert made.exit_code == 0, made.output
    created = json.loads(made.stdout)
    assert created["customer"] == "initech"
    # instants as every other CLI output and the API write them: UTC with Z (AT + 90 days)
    assert (created["created_at"], created["expires_at"]) == (
        "2026-11-20T12:00:00Z",
        "2027-02-18T12:00:00Z",
    )
    assert shop.client.get(f"{V1}/me", created["token"]).json()["customer"] == "initech"
    listed = runner.invoke(app, ["token", "list", *w, "-f", "json"])
    rows = {r["id"]: r for r in json.loads(listed.stdout)["tokens"]}
    assert rows[created["id"]]["state"] == "active"
    assert created["token"] not in listed.stdout
    revoked = runner.invoke(app, ["token", "revoke", created["id"], *w])
    assert revoked.exit_code == 0, revoked.output
    assert shop.client.get(f"{V1}/me", created["token"]).status_code == 401
    again = json.loads(runner.invoke(app, ["token", "list", *w, "-f", "json"]).stdout)
    assert {r["id"]: r["state"] for r in again["tokens"]}[created["id"]] == "revoked"
    unknown = runner.invoke(
        app, ["token", "create", "--role", "customer", "--customer", "acme", *w]
    )
    assert unknown.exit_code == 1
    assert "not-found" in unknown.output


def test_token_cli_prints_instants_in_utc_with_z(
    shop: Shop, monkeypatch: pytest.MonkeyPatch
) -> None:
    """regression: `token create` and `token list` printed `expires 2027-02-18T12:00:00+00:00`."""
    monkeypatch.setenv("COVENANT_NOW", "2026-11-20T12:00:00Z")
    runner = CliRunner()
    w = ["-w", str(shop.workspace)]
    made = runner.invoke(app, ["token", "create", "--role", "viewer", "--label", "z-form", *w])
    assert made.exit_code == 0, made.output
    assert ": viewer, expires 2027-02-18T12:00:00Z\n" in made.stderr
    listed = runner.invoke(app, ["token", "list", *w])
    line = next(x for x in listed.stdout.splitlines() if x.endswith("z-form"))
    assert line.endswith("  expires 2027-02-18T12:00:00Z  z-form")
    rows = json.loads(runner.invoke(app, ["token", "list", *w, "-f", "json"]).stdout)["tokens"]
    (row,) = [r for r in rows if r["label"] == "z-form"]
    assert row["expires_at"] == "2027-02-18T12:00:00Z"


def test_token_create_prints_the_token_alone_on_stdout(
    shop: Shop, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`TOKEN=$(covenant token create …)` then `curl -H "Authorization: Bearer $TOKEN"`: the
    standard output is the token and nothing else (it held two lines of explanation before
    it, so the header sent three lines and the API answered 401); what the token is and
    "copy it now" go to stderr, where a terminal still shows them."""
    monkeypatch.setenv("COVENANT_NOW", AT.isoformat())
    made = CliRunner().invoke(
        app, ["token", "create", "--role", "viewer", "-w", str(shop.workspace)]
    )
    assert made.exit_code == 0, made.output
    (token,) = made.stdout.splitlines()
    assert made.stdout == token + "\n"
    assert token.startswith("cvt_")
    assert shop.client.get(f"{V1}/me", token).json()["role"] == "viewer"
    assert "Copy it now; it is not shown again:" in made.stderr


def test_admin_makes_and_revokes_tokens_over_http(shop: Shop) -> None:
    admin = shop.tokens["admin"]
    made = shop.client.request(
        "POST", f"{V1}/tokens", admin, json={"role": "customer", "customer": "globex"}
    )
    assert made.status_code == 201, made.text
    token = made.json()["token"]
    assert shop.client.get(f"{V1}/me", token).json() == {
        "token": made.json()["id"],
        "role": "customer",
        "customer": "globex",
    }
    listed = shop.client.get(f"{V1}/tokens", admin)
    assert token not in listed.text
    gone = shop.client.request("DELETE", f"{V1}/tokens/{made.json()['id']}", admin)
    assert gone.json()["state"] == "revoked"
    assert shop.client.get(f"{V1}/me", token).status_code == 401


def test_token_ids_never_start_with_a_dash() -> None:
    # a 12-character URL-safe id starts with '-' once in 64 draws; a leading dash made
    # `covenant token revoke <id>` read the id as an option (seen as "No such option: -W")
    ids = [new_token()[0] for _ in range(3000)]
    assert len(set(ids)) == 3000
    assert not [i for i in ids if i.startswith("-")]
    assert {i[0] for i in ids} & {"_"}, "the draw still uses the whole URL-safe alphabet"


@pytest.mark.parametrize(
    ("body", "said", "cli_said"),
    [
        ({"role": "admn"}, "give the role field admin", "give --role admin"),
        ({"role": "customer"}, "give the customer field NAME", "give --customer NAME"),
        (
            {"role": "viewer", "customer": "globex"},
            "leave out the customer field, or give the role field customer",
            "leave out --customer, or give --role customer",
        ),
    ],
)
def test_a_refused_token_names_the_request_fields_over_http_and_the_options_in_the_cli(
    shop: Shop, body: dict[str, str], said: str, cli_said: str
) -> None:
    answer = shop.client.request("POST", f"{V1}/tokens", shop.tokens["admin"], json=body)
    assert answer.status_code == 400, answer.text
    assert answer.json()["code"] == "invalid-input"
    assert said in answer.json()["hint"]
    assert "--" not in answer.json()["message"] + answer.json()["hint"]
    args = ["token", "create", "-w", str(shop.workspace), "--role", body["role"]]
    if "customer" in body:
        args += ["--customer", body["customer"]]
    printed = CliRunner().invoke(app, args)
    assert printed.exit_code != 0
    assert cli_said in printed.output
