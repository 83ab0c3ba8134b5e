"""Every instant an API answer, a `--format json` output or a page's ``<time datetime>`` writes
is in one form: ISO-8601 in UTC with ``Z`` (docs/api.md), never ``+00:00``.

A representative set over the demo shop, with data in every place an instant is written: the
agreements at an instant, their versions (in force from, signed at) and history, an SLO's
history, the audit log, the notice outbox and its pruning, the series set aside, tokens,
records, evaluations, statements, an error that names an instant, and the pages. Each answer
must hold at least one instant, so a case that stops writing any cannot pass unseen.

Left out, as documented: an audit row's ``before``/``after`` (and an SLO change's, ``changes``)
are shown as they were recorded (docs/audit.md), and a definition's own ``document`` as it was
written (a correction's local ``start``).
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from typer.testing import CliRunner

from covenant.cli.main import app as cli
from covenant.services.store import open_store
from tests.api.support import Shop
from tests.api.test_outbox_api import fill_outbox
from tests.services.test_aside_pruning import _set_aside
from tests.web.pages import Browser

V1 = "/api/v1"
WHEN = "2026-11-20T12:00:00Z"  # the shop's clock
# text that is an instant (a date alone is not): with Z, an offset, or none
INSTANT = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d)?")
RECORDED = frozenset({"before", "after", "changes", "document"})
CHANGED_SLO = "checkout-availability"


def wrong_instants(value: Any) -> tuple[int, list[str]]:
    """How many instants ``value`` holds (outside ``RECORDED``), and every string that is an
    instant without ``Z`` or holds ``+00:00`` anywhere (a message included), with its path."""
    seen, wrong = 0, []

    def walk(item: Any, path: str) -> None:
        nonlocal seen
        if isinstance(item, dict):
            for key, inner in item.items():
                if key not in RECORDED:
                    walk(inner, f"{path}.{key}")
        elif isinstance(item, list):
            for index, inner in enumerate(item):
                walk(inner, f"{path}[{index}]")
        elif isinstance(item, str):
            instant = INSTANT.fullmatch(item) is not None
            seen += instant
            if "+00:00" in item or (instant and not item.endswith("Z")):
                wrong.append(f"{path} = {item!r}")

    walk(value, "$")
    return seen, wrong


@pytest.fixture(scope="module")
def filled(shop: Shop) -> Shop:
    """The shop with a notice outbox, two series set aside and an SLO change recorded."""
    engine = open_store(shop.settings.database_url)
    fill_outbox(engine)
    _set_aside(engine)
    engine.dispose()
    assert run(shop, "slo", "record").exit_code == 0
    slos = shop.workspace / "slos.yaml"
    text = slos.read_text()
    assert "target: 0.999\n" in text  # checkout-availability's, the first
    slos.write_text(text.replace("target: 0.999\n", "target: 0.998\n", 1))
    recorded = run(shop, "slo", "record", "--reason", "looser")
    assert recorded.exit_code == 0, recorded.output
    assert CHANGED_SLO in recorded.output
    return shop


def run(shop: Shop, *args: str, env: dict[str, str] | None = None) -> Any:
    env = {"COVENANT_DATABASE_URL": shop.settings.database_url, "COVENANT_NOW": WHEN, **(env or {})}
    return CliRunner().invoke(cli, [*args, "-w", str(shop.workspace)], env=env)


API = [
    ("GET", "/agreements", {}),
    ("GET", "/agreements", {"at": "-7d"}),
    ("GET", "/agreements/globex-enterprise", {}),
    ("GET", "/agreements/globex-enterprise/versions", {}),
    ("GET", "/agreements/globex-enterprise/versions/1", {}),
    ("GET", "/agreements/globex-enterprise/history", {}),
    ("GET", f"/slos/{CHANGED_SLO}/history", {}),
    ("GET", "/audit", {"limit": 1000}),
    ("GET", "/alerts/outbox", {}),
    ("POST", "/alerts/outbox/prune", {}),
    ("GET", "/series-aside", {"older_than": "1d"}),
    ("GET", "/tokens", {}),
    ("GET", "/tickets", {}),
    ("GET", "/corrections", {}),
    ("GET", "/evaluations", {}),
    ("GET", "/exposure", {}),
    ("GET", "/customers/globex/statements/2026-10", {}),
]


@pytest.mark.parametrize(("method", "path", "params"), API, ids=[f"{m} {p}" for m, p, _ in API])
def test_every_answer_writes_its_instants_with_z(
    filled: Shop, method: str, path: str, params: dict[str, Any]
) -> None:
    answer = filled.client.request(method, V1 + path, filled.tokens["admin"], params=params)
    assert answer.status_code == 200, answer.text
    seen, wrong = wrong_instants(answer.json())
    assert seen, "the answer holds no instant to check"
    assert wrong == []


def test_a_customer_sees_its_version_with_z(filled: Shop) -> None:
    path = f"{V1}/agreements/globex-enterprise"
    answer = filled.client.get(path, filled.tokens["customer:globex"])
    assert answer.status_code == 200, answer.text
    assert answer.json()["effective_from"] == "2025-12-31T23:00:00Z"  # 2026-01-01 in Berlin
    assert wrong_instants(answer.json())[1] == []


def test_signing_answers_the_signature_with_z(filled: Shop) -> None:
    """A version signed over the API without a ``signedAt``: signed at the server's now."""
    admin = filled.tokens["admin"]
    base = f"{V1}/agreements/globex-enterprise/versions"
    day = "2031-01-01"
    made = filled.client.request(
        "POST", f"{base}/1/amend", admin, json={"effectiveFrom": day, "reason": "z", "wording": {}}
    )
    assert made.status_code == 201, made.text
    number = made.json()["version"]["version"]
    assert filled.client.request("POST", f"{base}/{number}/propose", admin).is_success
    people = {"signatories": [{"name": "Hank Scorpio", "role": "CEO Globex"}]}
    signed = filled.client.request("POST", f"{base}/{number}/sign", admin, json=people)
    assert signed.status_code == 200, signed.text
    assert signed.json()["version"]["signatories"][-1]["signed_at"] == WHEN
    assert wrong_instants(signed.json())[1] == []


def test_an_error_names_its_instant_with_z(filled: Shop) -> None:
    """The instant was given with an offset; the message names it in UTC with Z."""
    answer = filled.client.get(
        f"{V1}/agreements/globex-enterprise",
        filled.tokens["admin"],
        params={"at": "2020-01-01T01:00:00+01:00"},
    )
    assert answer.status_code == 404, answer.text
    assert "is in force at 2020-01-01T00:00:00Z" in answer.json()["message"]


def test_an_instant_is_read_with_z_or_an_offset_alike(filled: Shop) -> None:
    admin = filled.tokens["admin"]
    answers = [
        filled.client.get(f"{V1}/agreements", admin, params={"at": at}).json()
        for at in ("2026-11-01T00:00:00Z", "2026-11-01T00:00:00+00:00", "2026-11-01T01:00:00+01:00")
    ]
    assert answers[0]["at"] == "2026-11-01T00:00:00Z"
    assert answers[1] == answers[0] == answers[2]


CLI = [
    ["agreements", "list"],
    ["agreements", "show", "globex-enterprise"],
    ["agreements", "history", "globex-enterprise"],
    ["slo", "history", CHANGED_SLO],
    ["audit", "list", "--limit", "1000"],
    ["alerts", "outbox"],
    ["db", "prune", "--older-than", "1d"],
    ["token", "list"],
    ["evaluate"],
    ["exposure"],
]


@pytest.mark.parametrize("command", CLI, ids=[" ".join(c[:2]) for c in CLI])
def test_every_json_output_writes_its_instants_with_z(filled: Shop, command: list[str]) -> None:
    printed = run(filled, *command, "--format", "json")
    assert printed.exit_code == 0, printed.output
    seen, wrong = wrong_instants(json.loads(printed.stdout))
    assert seen, "the output holds no instant to check"
    assert wrong == []


@pytest.mark.parametrize(
    ("role", "page"), [("admin", "/ui/overview"), ("customer:globex", "/ui/portal")]
)
def test_a_page_marks_its_instant_with_z(filled: Shop, role: str, page: str) -> None:
    browser = Browser(filled.client.app)
    browser.sign_in_token(filled.tokens[role])
    shown = browser.get(page)
    assert shown.status_code == 200, shown.text
    assert re.findall(r'<time datetime="([^"]*)"', shown.text) == [WHEN]
    assert "+00:00" not in shown.text


def test_a_warning_names_when_a_definition_was_written_over_the_api_with_z(filled: Shop) -> None:
    """A correction created over the API that the workspace lacks: the warning says when."""
    spec = {"slos": ["checkout-monthly"], "start": "2026-11-02T10:00:00Z", "duration": "30m"}
    made = filled.client.request(
        "POST",
        f"{V1}/corrections",
        filled.tokens["admin"],
        json={"name": "instant-form", "spec": {**spec, "reason": "a test"}},
    )
    assert made.status_code == 201, made.text
    printed = run(filled, "evaluate", "--format", "json")
    assert printed.exit_code == 0, printed.output
    assert "'instant-form' was created over the API by token:" in printed.stderr
    assert f" at {WHEN}; the workspace lacks it" in printed.stderr


def test_the_tables_name_instants_with_z_too(filled: Shop) -> None:
    """`agreements show` (in force from) and `agreements history --wide` (at) as people read
    them: the same form."""
    env = {"COLUMNS": "250"}
    shown = run(filled, "agreements", "show", "globex-enterprise", env=env)
    assert shown.exit_code == 0, shown.output
    assert "in force 2025-12-31T23:00:00Z → open" in shown.stdout
    history = run(filled, "agreements", "history", "globex-enterprise", "--wide", env=env)
    assert history.exit_code == 0, history.output
    assert WHEN in history.stdout
    assert "+00:00" not in shown.stdout + history.stdout
