"""`covenant alerts history --slo/--agreement`: the alert history the SLO and agreement pages
and ``GET /api/v1/{slos,agreements}/{name}/alerts`` give, from the command line. The rows are
the ones tests/api/test_alert_history_api.py writes through the store, every expected row
written out by hand there; the JSON is checked against them and against the API's answer."""

from __future__ import annotations

import json
from typing import Any

import pytest
from typer.testing import CliRunner

from covenant.cli.main import app as cli
from tests.api.support import Shop, make_shop
from tests.api.test_alert_history_api import (  # noqa: F401 (fixtures)
    BREACH,
    FAST,
    FAST_NOW,
    RISK,
    SLO_ITEMS,
    written,
)

V1 = "/api/v1"


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Shop:
    return make_shop(tmp_path_factory.mktemp("alerts-history"))


def _run(shop: Shop, *args: str) -> Any:
    env = {"COVENANT_DATABASE_URL": shop.settings.database_url, "COLUMNS": "200"}
    return CliRunner().invoke(cli, ["alerts", "history", "-w", str(shop.workspace), *args], env=env)


def test_an_slos_history_as_json_is_the_rows_on_record(written: Shop) -> None:  # noqa: F811
    printed = _run(written, "--slo", "checkout-availability", "--format", "json")
    assert printed.exit_code == 0, printed.output
    found = json.loads(printed.stdout)
    assert found == {"slo": "checkout-availability", "alerts": [FAST_NOW], "items": SLO_ITEMS}
    api = written.client.get(f"{V1}/slos/checkout-availability/alerts", written.tokens["viewer"])
    assert found == api.json()


def test_limit_keeps_the_newest_rows(written: Shop) -> None:  # noqa: F811
    printed = _run(written, "--slo", "checkout-availability", "--limit", "3", "-f", "json")
    assert printed.exit_code == 0, printed.output
    assert json.loads(printed.stdout)["items"] == SLO_ITEMS[:3]


def test_an_agreements_history_is_the_apis(written: Shop) -> None:  # noqa: F811
    printed = _run(written, "--agreement", "globex-enterprise", "-f", "json")
    assert printed.exit_code == 0, printed.output
    found = json.loads(printed.stdout)
    assert [a["key"] for a in found["alerts"]] == [RISK, BREACH]
    assert [(i["key"], i["state"]) for i in found["items"][:2]] == [
        (BREACH, "resolved"),
        (RISK, "resolved"),
    ]
    url = f"{V1}/agreements/globex-enterprise/alerts"
    assert found == written.client.get(url, written.tokens["viewer"]).json()


def test_the_table_names_each_alert_and_each_row(written: Shop) -> None:  # noqa: F811
    printed = _run(written, "--slo", "checkout-availability")
    assert printed.exit_code == 0, printed.output
    lines = printed.stdout.splitlines()
    assert any(
        FAST in line and "firing" in line and "2026-11-20T11:30:00Z" in line for line in lines
    )
    rows = [line for line in lines if line.startswith("2026-11-20T")]
    assert [r.split()[:2] for r in rows] == [[i["at"], i["state"]] for i in SLO_ITEMS]


def test_an_unknown_name_is_not_found_and_one_of_the_two_options_is_needed(
    written: Shop,  # noqa: F811
) -> None:
    printed = _run(written, "--slo", "no-such-slo")
    assert printed.exit_code == 1
    assert "no SLO named 'no-such-slo'" in printed.output
    assert "GET /api" not in printed.output  # the hint names a command
    printed = _run(written, "--agreement", "no-such-agreement")
    assert printed.exit_code == 1
    assert "no agreement named 'no-such-agreement'" in printed.output
    for wrong in ([], ["--slo", "a", "--agreement", "b"]):
        printed = _run(written, *wrong)
        assert printed.exit_code == 2, printed.output
        assert "--slo" in printed.output
