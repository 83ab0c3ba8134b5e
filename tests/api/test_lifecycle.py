"""The agreement lifecycle over HTTP: draft, change, propose, sign, amend, terminate; the store
is the record of versions, `covenant agreements pull` writes them back into the workspace, and a
sync never silently undoes a change made over the API."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML
from typer.testing import CliRunner

from covenant.cli.main import app as cli
from covenant.errors import DefinitionError
from covenant.services.agreements import sync_agreements
from covenant.services.sla import report_statement
from covenant.services.store import open_store
from covenant.services.workspace import load_workspace
from covenant.store.agreements import load_agreements
from tests.api.support import AT, Shop, make_shop

V1 = "/api/v1"
GLOBEX = f"{V1}/agreements/globex-enterprise"


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Shop:
    return make_shop(tmp_path_factory.mktemp("lifecycle"))


def written_v1(shop: Shop) -> dict[str, Any]:
    """Globex's v1 as written in the example YAML (read here, not through Covenant)."""
    yaml = YAML(typ="safe")
    yaml.constructor.yaml_constructors["tag:yaml.org,2002:timestamp"] = (
        yaml.constructor.yaml_constructors["tag:yaml.org,2002:str"]
    )  # dates as written
    documents = list(yaml.load_all((shop.workspace / "contracts.yaml").read_text()))
    (doc,) = [d for d in documents if d and d["metadata"]["name"] == "globex-enterprise"]
    version: dict[str, Any] = dict(doc["spec"]["versions"][0])
    for key in ("version", "status", "signatories"):
        version.pop(key)
    return version


def amendment(shop: Shop, **change: Any) -> dict[str, Any]:
    v2 = written_v1(shop)
    v2["effectiveFrom"] = "2027-01-01"
    v2["reason"] = "checkout promise raised to 99.99 %"
    v2["availability"][0]["level"] = "99.99"
    v2["availability"][0]["credits"][0] = {"below": "99.99", "atLeast": "99.9", "credit": 10}
    v2.update(change)
    return v2


def call(shop: Shop, method: str, path: str, role: str = "editor", **kw: Any) -> Any:
    return shop.client.request(method, path, shop.tokens[role], **kw)


def test_amend_propose_sign_then_immutable(shop: Shop) -> None:
    made = call(shop, "POST", f"{GLOBEX}/versions", json=amendment(shop))
    assert made.status_code == 201, made.text
    body = made.json()
    assert body["version"]["version"] == 2
    assert body["version"]["status"] == "draft"
    assert body["version"]["availability"][0]["level"] == "9999/10000"  # 99.99 % exactly
    assert body["changes"] == [{"version": 2, "event": "created", "from": None, "to": "draft"}]

    # a draft is not the customer's to see
    seen = call(shop, "GET", f"{GLOBEX}/versions", "customer:globex").json()["items"]
    assert [v["version"] for v in seen] == [1]

    fees = {"checkout": "8500.00", "storefront": "4000.00"}
    changed = call(shop, "PUT", f"{GLOBEX}/versions/2", json=amendment(shop, fees=fees))
    assert changed.status_code == 200, changed.text
    assert changed.json()["changes"][0]["event"] == "content-changed"
    assert dict(changed.json()["version"]["fees"]) == fees

    proposed = call(shop, "POST", f"{GLOBEX}/versions/2/propose")
    assert proposed.json()["version"]["status"] == "proposed"
    people = {"signatories": [{"name": "Hank Scorpio", "role": "CEO Globex"}]}
    signed = call(shop, "POST", f"{GLOBEX}/versions/2/sign", json=people)
    assert signed.status_code == 200, signed.text
    version = signed.json()["version"]
    assert version["status"] == "signed"
    assert version["signatories"] == [
        {"name": "Hank Scorpio", "role": "CEO Globex", "signed_at": "2026-11-20T12:00:00Z"}
    ]

    again = call(shop, "PUT", f"{GLOBEX}/versions/2", json=amendment(shop))
    assert again.status_code == 409
    assert again.json()["code"] == "signed-version-changed"
    back = call(shop, "POST", f"{GLOBEX}/versions/2/status", json={"status": "draft"})
    assert back.status_code == 409
    assert back.json()["code"] == "illegal-status-change"

    seen = call(shop, "GET", f"{GLOBEX}/versions", "customer:globex").json()["items"]
    assert [v["version"] for v in seen] == [1, 2]
    history = call(shop, "GET", f"{GLOBEX}/history", "viewer").json()
    assert history["intact"] is True
    api_events = [e for e in history["events"] if e["version"] == 2]
    assert [e["event"] for e in api_events] == [
        "created",
        "content-changed",
        "status-changed",
        "content-changed",
        "status-changed",
    ]


def test_bad_terms_are_refused_with_every_problem_and_nothing_is_written(shop: Shop) -> None:
    engine = open_store(shop.settings.database_url)
    with engine.connect() as conn:
        before = load_agreements(conn)
    bad = amendment(shop)
    bad["availability"][0]["level"] = "0.9999"  # a ratio where a percentage belongs
    bad["availability"][0]["credits"] = [{"below": "0.9999", "credit": 10}]
    answer = call(shop, "POST", f"{GLOBEX}/versions", json=bad)
    assert answer.status_code == 422, answer.text
    assert "level-as-fraction" in {p["code"] for p in answer.json()["problems"]}
    bad = amendment(shop)
    bad["support"][0]["calendar"] = "no-such-calendar"
    answer = call(shop, "POST", f"{GLOBEX}/versions", json=bad)
    assert [p["code"] for p in answer.json()["problems"]] == ["missing-reference"]
    cents = call(shop, "POST", f"{GLOBEX}/versions", json=amendment(shop, fees={"checkout": 1.001}))
    assert [p["code"] for p in cents.json()["problems"]] == ["money-precision"]
    for body in ("[1, 2]", "{not yaml", '"text"'):
        refused = call(shop, "POST", f"{GLOBEX}/versions", content=body)
        assert refused.status_code in (400, 422), refused.text
        assert set(refused.json()) >= {"code", "message", "hint"}
    assert call(shop, "POST", f"{V1}/agreements/nope/versions", json=bad).status_code == 404
    with engine.connect() as conn:
        assert load_agreements(conn) == before


def test_customers_and_viewers_may_not_write(shop: Shop) -> None:
    for role in ("viewer", "customer:globex"):
        answer = call(shop, "POST", f"{GLOBEX}/versions/1/terminate", role)
        assert answer.status_code == 403
        assert answer.json()["code"] == "forbidden"


def new_pilot(shop: Shop) -> dict[str, Any]:
    terms = written_v1(shop)
    terms["availability"] = terms["availability"][:1]
    terms["support"] = []
    return {"name": "initech-pilot", "customer": "initech", "version": terms}


def test_sync_never_undoes_an_api_change_and_pull_brings_it_home(tmp_path: Path) -> None:
    shop = make_shop(tmp_path)  # its own: the other tests change the same agreements
    assert call(shop, "POST", f"{GLOBEX}/versions", json=amendment(shop)).status_code == 201
    assert call(shop, "POST", f"{GLOBEX}/versions/2/propose").status_code == 200
    people = {"signatories": [{"name": "Hank Scorpio", "signedAt": "2026-11-19"}]}
    assert call(shop, "POST", f"{GLOBEX}/versions/2/sign", json=people).status_code == 200
    made = call(shop, "POST", f"{V1}/agreements", json=new_pilot(shop))
    assert made.status_code == 201, made.text
    assert call(shop, "POST", f"{V1}/agreements", json=new_pilot(shop)).status_code == 409
    engine = open_store(shop.settings.database_url)

    # the workspace is behind: a sync keeps the store's versions and says so
    report = sync_agreements(engine, workspace=load_workspace(shop.workspace), at=AT)
    assert report.changes == ()
    codes = {p.code for p in report.warnings}
    assert "agreement-ahead-of-workspace" in codes  # globex v2, signed over the API
    assert "agreement-not-in-workspace" in codes  # initech-pilot
    # asked in January (a statement covers a period that has started), the store as synced now
    january = datetime(2027, 1, 15, tzinfo=UTC)
    statement = report_statement(
        engine, workspace=load_workspace(shop.workspace), customer="globex", period="2027-01",
        at=january,
    )  # fmt: skip
    assert {a.version for a in statement.availability} == {2}  # the API's v2 counts at once

    # an edit of the same version in the workspace is refused, not applied over the API's
    pilot = shop.workspace / "pilot.yaml"
    document: dict[str, Any] = {
        "apiVersion": "covenant/v1",
        "kind": "Agreement",
        "metadata": {"name": "initech-pilot"},
        "spec": {
            "customer": "initech",
            "versions": [{"version": 1, "status": "draft", **new_pilot(shop)["version"]}],
        },
    }
    document["spec"]["versions"][0]["fees"] = {"checkout": "1.00"}
    with pilot.open("w") as out:
        YAML().dump(document, out)
    with pytest.raises(DefinitionError) as refused:
        sync_agreements(engine, workspace=load_workspace(shop.workspace), at=AT)
    problem = next(p for p in refused.value.problems if p.code == "agreement-changed-over-api")
    assert "covenant agreements pull" in problem.fix
    pilot.unlink()

    dry = CliRunner().invoke(
        cli, ["agreements", "pull", "--dry-run", "-w", str(shop.workspace), "-f", "json"]
    )
    assert dry.exit_code == 0, dry.output
    planned = json.loads(dry.stdout)
    assert planned["dry_run"] is True
    assert {
        (i["agreement"], tuple(i["versions"]), i["replaced"] == []) for i in planned["items"]
    } == {
        ("globex-enterprise", (2,), True),
        ("initech-pilot", (1,), True),
    }
    assert not (shop.workspace / "agreements" / "initech-pilot.yaml").exists()
    result = CliRunner().invoke(cli, ["agreements", "pull", "-w", str(shop.workspace)])
    assert result.exit_code == 0, result.output
    assert "globex-enterprise: wrote v2 into" in result.output
    assert "initech-pilot: wrote v1 into" in result.output
    assert (shop.workspace / "agreements" / "initech-pilot.yaml").exists()
    text = (shop.workspace / "contracts.yaml").read_text()
    assert "kind: Customer" in text  # the file's other documents stay
    assert "# A 99.95 % promise cannot keep" not in text  # the pulled document is rewritten

    workspace = load_workspace(shop.workspace)
    assert {(v.agreement, v.version) for v in workspace.agreements} >= {
        ("globex-enterprise", 2),
        ("initech-pilot", 1),
    }
    report = sync_agreements(engine, workspace=workspace, at=AT)
    assert {(c.agreement, c.version, c.event) for c in report.changes} == {
        ("globex-enterprise", 2, "in-workspace"),
        ("initech-pilot", 1, "in-workspace"),
    }
    assert not report.warnings
    again = CliRunner().invoke(cli, ["agreements", "pull", "-w", str(shop.workspace)])
    assert "pulled: 0 agreement(s)" in again.output
    again = CliRunner().invoke(cli, ["agreements", "pull", "-w", str(shop.workspace), "-f", "json"])
    assert json.loads(again.stdout) == {"dry_run": False, "items": []}
    assert sync_agreements(engine, workspace=workspace, at=AT).changes == ()

    # now the workspace owns the draft again: an edit there is synced as usual
    path = Path(shop.workspace / "agreements" / "initech-pilot.yaml")
    path.write_text(path.read_text().replace("8000.00", "7000.00"))
    report = sync_agreements(engine, workspace=load_workspace(shop.workspace), at=AT)
    assert [(c.agreement, c.event) for c in report.changes] == [
        ("initech-pilot", "content-changed")
    ]


def test_terminate_withdraws_a_draft(shop: Shop) -> None:
    body = {**new_pilot(shop), "name": "initech-trial"}
    assert call(shop, "POST", f"{V1}/agreements", json=body).status_code == 201
    path = f"{V1}/agreements/initech-trial/versions/1/terminate"
    answer = call(shop, "POST", path, "admin")
    assert answer.status_code == 200, answer.text
    assert answer.json()["version"]["status"] == "terminated"
    assert call(shop, "POST", path, "admin").json()["changes"] == []
