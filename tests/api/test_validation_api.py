"""``GET /validation`` (staff) answers what ``covenant validate --format json`` prints for the
served workspace's files (typer's runner on the real command), with the counts and the verdict:
every error and warning with its file:line, field and fix — also when the workspace is invalid
and every other route of the definitions answers ``invalid-definition``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from covenant.cli.main import app as cli
from tests.api.support import Shop

V1 = "/api/v1"

# an SLO whose SLI does not exist: line 7 is `indicatorRef` (counted by hand)
GHOST = """\
apiVersion: openslo/v1
kind: SLO
metadata:
  name: ghost-availability
spec:
  service: checkout
  indicatorRef: no-such-sli
  timeWindow:
    - duration: 28d
      isRolling: true
  budgetingMethod: Occurrences
  objectives:
    - target: 0.999
"""


def _printed(shop: Shop) -> tuple[int, Any]:
    printed = CliRunner().invoke(
        cli,
        ["validate", "-w", str(shop.workspace), "--format", "json"],
        env={"COVENANT_DATABASE_URL": shop.settings.database_url},
    )
    return printed.exit_code, json.loads(printed.stdout)


def _validation(shop: Shop) -> dict[str, Any]:
    answer = shop.client.get(f"{V1}/validation", shop.tokens["viewer"])
    assert answer.status_code == 200, answer.text
    found: dict[str, Any] = answer.json()
    return found


def test_a_clean_workspace_is_valid_with_nothing_listed(shop: Shop) -> None:
    assert _validation(shop) == {"valid": True, "errors": 0, "warnings": 0, "items": []}
    code, printed = _printed(shop)
    assert (code, printed) == (0, [])


def test_a_warning_is_listed_and_the_workspace_still_serves(shop: Shop, tmp_path: Path) -> None:
    empty = shop.workspace / "notes.yaml"
    empty.write_text("# nothing defined here yet\n", encoding="utf-8")
    try:
        found = _validation(shop)
        assert (found["valid"], found["errors"], found["warnings"]) == (True, 0, 1)
        [item] = found["items"]
        assert (item["code"], item["severity"]) == ("no-documents", "warning")
        assert item["where"] == str(empty)
        assert shop.client.get(f"{V1}/slos", shop.tokens["viewer"]).status_code == 200
        code, printed = _printed(shop)
        assert code == 0
        assert found["items"] == printed
    finally:
        empty.unlink()


def test_an_error_is_listed_while_the_other_routes_refuse(shop: Shop) -> None:
    ghost = shop.workspace / "ghost.yaml"
    ghost.write_text(GHOST, encoding="utf-8")
    try:
        found = _validation(shop)
        assert (found["valid"], found["errors"], found["warnings"]) == (False, 1, 0)
        [item] = found["items"]
        assert item == {
            "code": "missing-reference",
            "severity": "error",
            "message": "no SLI named 'no-such-sli' in the workspace",
            "where": f"{ghost}:7",
            "field": "spec.indicatorRef",
            "fix": item["fix"],
        }
        assert "no-such-sli" in item["fix"]
        refused = shop.client.get(f"{V1}/slos", shop.tokens["viewer"])
        assert refused.status_code == 422
        assert refused.json()["code"] == "invalid-definition"
        code, printed = _printed(shop)
        assert code == 1
        assert found["items"] == printed
    finally:
        ghost.unlink()
    assert _validation(shop)["valid"] is True  # the file is gone: read anew


def test_a_customer_token_is_refused(shop: Shop) -> None:
    answer = shop.client.get(f"{V1}/validation", shop.tokens["customer:globex"])
    assert answer.status_code == 403
    assert answer.json()["code"] == "forbidden"
