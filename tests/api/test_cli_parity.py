"""The API's reads answer what the CLI's ``--format json`` prints for the same workspace, store,
instant and filters: lint, exposure, evaluations, an SLO target suggestion, the backing
suggestion, an alert backtest, the audit log's rows and check, the notice outbox and the
tokens. The CLI is run as a user runs it (typer's runner on the real commands)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from typer.testing import CliRunner

from covenant.cli.main import app as cli
from covenant.services.store import open_store
from tests.api.support import AT, Shop
from tests.api.test_outbox_api import fill_outbox

V1 = "/api/v1"
WHEN = AT.isoformat().replace("+00:00", "Z")

CASES = [
    ("/lint", ["lint"]),
    ("/exposure", ["exposure", "--at", WHEN]),
    ("/exposure?customer=initech", ["exposure", "--at", WHEN, "--customer", "initech"]),
    (
        "/exposure?agreement=globex-*&status=owed&status=ok",
        ["exposure", "--at", WHEN, "--agreement", "globex-*", "--status", "owed", "--status", "ok"],
    ),
    ("/lint?agreement=initech-*", ["lint", "--agreement", "initech-*"]),
    ("/audit/verify", ["audit", "verify"]),
    ("/audit?limit=5", ["audit", "list", "--limit", "5"]),  # a page, with next_after
    ("/audit?after=5&limit=1000", ["audit", "list", "--after", "5", "--limit", "1000"]),
    ("/evaluations", ["evaluate", "--at", WHEN]),
    ("/suggestions/slo/checkout-monthly", ["suggest", "slo", "checkout-monthly", "--at", WHEN]),
    (
        "/suggestions/backing/globex-enterprise",
        ["suggest", "backing", "globex-enterprise", "--at", WHEN],
    ),
    (
        f"/backtests/alerts/checkout-monthly?to={WHEN}",
        ["backtest", "alerts", "checkout-monthly", "--to", WHEN],
    ),
]


@pytest.mark.parametrize(("path", "command"), CASES, ids=[c[0] for c in CASES])
def test_the_api_answers_what_the_cli_prints(shop: Shop, path: str, command: list[str]) -> None:
    role = "admin" if path.startswith("/audit") else "viewer"
    answer = shop.client.get(f"{V1}{path}", shop.tokens[role])
    assert answer.status_code == 200, answer.text
    env = {"COVENANT_DATABASE_URL": shop.settings.database_url, "COLUMNS": "200"}
    printed = CliRunner().invoke(
        cli, [*command, "-w", str(shop.workspace), "--format", "json"], env=env
    )
    assert printed.exit_code in (0, 1), printed.output  # lint: 1 when a finding fails
    expected: Any = json.loads(printed.stdout)
    assert expected  # something was computed
    assert answer.json() == expected


def test_the_agreement_backtest_answers_what_the_cli_prints(shop: Shop) -> None:
    proposal = shop.workspace.parent / "proposals" / "initech-premium.yaml"
    answer = shop.client.request(
        "POST",
        f"{V1}/backtests/agreement",
        shop.tokens["viewer"],
        params={"first": "2026-09", "last": "2026-10"},
        content=proposal.read_text(),
        headers={"Content-Type": "application/yaml"},
    )
    assert answer.status_code == 200, answer.text
    env = {"COVENANT_DATABASE_URL": shop.settings.database_url, "COLUMNS": "200"}
    command = ["backtest", "agreement", str(proposal), "--from", "2026-09", "--to", "2026-10"]
    printed = CliRunner().invoke(
        cli, [*command, "--at", WHEN, "-w", str(shop.workspace), "--format", "json"], env=env
    )
    assert printed.exit_code == 0, printed.output
    assert answer.json()  # something was computed
    assert answer.json() == json.loads(printed.stdout)


def test_the_outbox_answers_what_the_cli_prints(shop: Shop) -> None:
    """GET /alerts/outbox answers the ``counts`` and ``rows`` of `covenant alerts outbox
    --format json` for the same status and limit (a sent, two failed and a pending notice)."""
    engine = open_store(shop.settings.database_url)
    fill_outbox(engine)
    engine.dispose()
    env = {"COVENANT_DATABASE_URL": shop.settings.database_url, "COLUMNS": "200"}
    for status, limit in ((None, 20), ("failed", 20), (None, 2)):
        params: dict[str, Any] = {"limit": limit} | ({"status": status} if status else {})
        answer = shop.client.get(f"{V1}/alerts/outbox", shop.tokens["admin"], params=params)
        assert answer.status_code == 200, answer.text
        command = ["alerts", "outbox", "-w", str(shop.workspace), "--limit", str(limit)]
        command += ["--status", status] if status else []
        printed = CliRunner().invoke(cli, [*command, "--format", "json"], env=env)
        assert printed.exit_code == 0, printed.output
        expected = json.loads(printed.stdout)
        assert expected["rows"]  # something was listed
        assert answer.json() == {"counts": expected["counts"], "rows": expected["rows"]}


AGREEMENT_CASES = [
    ("", []),
    ("&customer=initech", ["--customer", "initech"]),
    ("&agreement=globex-*&status=active", ["--agreement", "globex-*", "--status", "active"]),
]


@pytest.mark.parametrize(("query", "options"), AGREEMENT_CASES, ids=[c[0] for c in AGREEMENT_CASES])
def test_the_agreement_list_answers_what_the_cli_prints(
    shop: Shop, query: str, options: list[str]
) -> None:
    """GET /agreements answers what `covenant agreements list --format json` prints: its rows
    under ``agreements`` and, the same rows, under ``items`` — the list key of every other
    list answer and command (the command printed ``agreements`` alone before)."""
    answer = shop.client.get(f"{V1}/agreements?at={WHEN}{query}", shop.tokens["viewer"])
    assert answer.status_code == 200, answer.text
    env = {"COVENANT_DATABASE_URL": shop.settings.database_url, "COLUMNS": "200"}
    command = ["agreements", "list", "--at", WHEN, *options, "-w", str(shop.workspace)]
    printed = CliRunner().invoke(cli, [*command, "--format", "json"], env=env)
    assert printed.exit_code == 0, printed.output
    expected = json.loads(printed.stdout)
    assert expected["agreements"]  # something was listed
    assert expected["items"] == expected["agreements"]
    assert answer.json() == expected


def test_the_token_list_answers_what_the_cli_prints(shop: Shop) -> None:
    """GET /tokens answers, under ``items``, the rows `covenant token list --format json`
    prints under ``items`` (and ``tokens``, its old key, for one release): every field, who
    made each token (``created_by``) too."""
    answer = shop.client.get(f"{V1}/tokens", shop.tokens["admin"])
    assert answer.status_code == 200, answer.text
    env = {"COVENANT_DATABASE_URL": shop.settings.database_url, "COLUMNS": "200"}
    printed = CliRunner().invoke(
        cli, ["token", "list", "-w", str(shop.workspace), "--format", "json"], env=env
    )
    assert printed.exit_code == 0, printed.output
    rows = json.loads(printed.stdout)["items"]
    assert len(rows) == 5  # a token per role of the shop
    assert answer.json()["items"] == rows
