"""Every write over the API lands in the audit log; GET /audit (admin); an SLO's change history."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from covenant.services.audit import verify_log
from covenant.services.store import open_store
from covenant.store.audit_tables import audit_log
from tests.api.support import Shop, make_shop

V1 = "/api/v1"


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Shop:
    return make_shop(tmp_path_factory.mktemp("audit"))


def _rows(shop: Shop, **where: str) -> list[dict[str, Any]]:
    answer = shop.client.get(f"{V1}/audit", shop.tokens["admin"], params={**where, "limit": 1000})
    assert answer.status_code == 200, answer.text
    items: list[dict[str, Any]] = answer.json()["items"]
    return items


def _token_id(token: str) -> str:
    return token.removeprefix("cvt_").partition(".")[0]


def test_tokens_made_and_revoked_are_audited_without_their_secret(shop: Shop) -> None:
    admin = shop.tokens["admin"]
    made = shop.client.request("POST", f"{V1}/tokens", admin, json={"role": "viewer"}).json()
    shop.client.request("DELETE", f"{V1}/tokens/{made['id']}", admin)
    shop.client.request("DELETE", f"{V1}/tokens/{made['id']}", admin)  # again: no change
    rows = _rows(shop, kind="token", entity=made["id"])
    assert [(r["action"], r["actor"]) for r in rows] == [
        ("created", f"token:{_token_id(admin)}"),
        ("revoked", f"token:{_token_id(admin)}"),
    ]
    assert rows[0]["before"] is None
    assert rows[0]["after"]["role"] == "viewer"
    assert rows[1]["before"]["revoked_at"] is None
    assert rows[1]["after"]["revoked_at"] == "2026-11-20T12:00:00+00:00"
    secret = made["token"].partition(".")[2]
    everything = shop.client.get(f"{V1}/audit", admin, params={"limit": 1000}).text
    assert secret not in everything
    assert hashlib.sha256(secret.encode()).hexdigest() not in everything


def test_ticket_and_incident_writes_are_audited_with_before_and_after(shop: Shop) -> None:
    editor = shop.tokens["editor"]
    body = {"id": "T-AUD-1", "customer": "globex", "priority": "P2", "created": "2026-11-20T09:00Z"}
    assert shop.client.request("POST", f"{V1}/tickets", editor, json=body).status_code == 201
    patch = {"priority": "P1"}
    assert shop.client.request("PATCH", f"{V1}/tickets/T-AUD-1", editor, json=patch).is_success
    pause = {"at": "2026-11-20T10:00:00Z", "status": "waiting-on-customer"}
    assert shop.client.request("POST", f"{V1}/tickets/T-AUD-1/pause", editor, json=pause).is_success
    resume = {"at": "2026-11-20T11:00:00Z"}
    assert shop.client.request(
        "POST", f"{V1}/tickets/T-AUD-1/resume", editor, json=resume
    ).is_success
    rows = _rows(shop, kind="ticket", entity="T-AUD-1")
    assert [r["action"] for r in rows] == ["created", "changed", "paused", "resumed"]
    assert {r["actor"] for r in rows} == {f"token:{_token_id(editor)}"}
    assert (rows[1]["before"]["priority"], rows[1]["after"]["priority"]) == ("P2", "P1")
    assert rows[2]["after"]["history"][-1]["status"] == "waiting-on-customer"
    assert len(rows[3]["after"]["history"]) == len(rows[3]["before"]["history"]) + 1
    incident = {"id": "INC-AUD", "services": ["checkout"], "start": "2026-11-20T09:00:00Z"}
    assert shop.client.request("POST", f"{V1}/incidents", editor, json=incident).is_success
    end = {"end": "2026-11-20T09:30:00Z"}
    assert shop.client.request("PATCH", f"{V1}/incidents/INC-AUD", editor, json=end).is_success
    rows = _rows(shop, kind="incident", entity="INC-AUD")
    assert [r["action"] for r in rows] == ["created", "changed"]
    assert (rows[1]["before"]["end"], rows[1]["after"]["end"]) == (
        None,
        "2026-11-20T09:30:00+00:00",
    )


def test_an_event_batch_is_one_row_and_a_retry_none(shop: Shop) -> None:
    events = [
        {
            "timestamp": "2026-11-20T10:00:00Z",
            "service": "checkout",
            "status": 200,
            "latency_ms": 9,
        },
        {
            "timestamp": "2026-11-20T10:00:01Z",
            "service": "checkout",
            "status": 503,
            "latency_ms": 9,
        },
        {
            "timestamp": "2026-11-20T10:00:02Z",
            "service": "checkout",
            "status": 200,
            "latency_ms": 9,
        },
    ]  # (with latency_ms, which checkout's latency SLI needs: else none is stored, a 422)
    url = f"{V1}/event-batches/audit-batch-1"
    for _ in range(2):
        answer = shop.client.request("PUT", url, shop.tokens["editor"], json={"events": events})
        assert answer.is_success, answer.text
    rows = _rows(shop, kind="event-batch", entity="audit-batch-1")
    assert len(rows) == 1
    assert rows[0]["action"] == "ingested"
    assert rows[0]["after"]["rows_read"] == 3
    assert rows[0]["after"]["rows_ingested"] == answer.json()["accepted"]


def test_agreement_sync_and_corrections_are_audited(shop: Shop) -> None:
    agreements = _rows(shop, kind="agreement")
    created = {r["entity_id"] for r in agreements if r["action"] == "created"}
    assert {"globex-enterprise", "initech-standard"} <= created
    assert {r["actor"] for r in agreements if r["action"] == "created"} >= {"test"}
    first = next(r for r in agreements if r["entity_id"] == "globex-enterprise")
    assert first["before"] is None
    assert first["after"]["customer"] == "globex"
    assert shop.client.get(f"{V1}/evaluations", shop.tokens["viewer"]).status_code == 200
    corrections = _rows(shop, kind="correction")
    # examples/shop/corrections.yaml defines one correction; its first revision is recorded once
    assert [(r["entity_id"], r["action"], r["actor"]) for r in corrections] == [
        ("payments-weekly-failover", "created", "evaluate")
    ]
    assert corrections[0]["after"]["revision"] == 1
    assert corrections[0]["reason"] == corrections[0]["after"]["reason"]


def test_the_chain_over_everything_written_is_whole(shop: Shop) -> None:
    engine = open_store(shop.settings.database_url)
    try:
        result = verify_log(engine)
        with engine.connect() as conn:
            count = conn.execute(sa.select(sa.func.count()).select_from(audit_log)).scalar()
    finally:
        engine.dispose()
    assert result.broken is None
    assert result.rows == count


def test_audit_pages_and_refuses_bad_filters(shop: Shop) -> None:
    admin = shop.tokens["admin"]
    first = shop.client.get(f"{V1}/audit", admin, params={"limit": 2}).json()
    assert [r["seq"] for r in first["items"]] == [1, 2]
    assert first["next_after"] == 2
    second = shop.client.get(f"{V1}/audit", admin, params={"limit": 2, "after": 2}).json()
    assert [r["seq"] for r in second["items"]] == [3, 4]
    bad = shop.client.get(f"{V1}/audit", admin, params={"since": "yesterday"})
    assert bad.status_code == 400
    assert bad.json()["code"] == "invalid-instant-option"
    assert shop.client.get(f"{V1}/audit", shop.tokens["viewer"]).status_code == 403


def _retarget(workspace: Path, old: str, new: str, reason: str) -> None:
    path = workspace / "slos.yaml"
    text = path.read_text()
    assert old in text
    head = "  name: checkout-monthly\n"
    assert head in text
    text = text.replace(old, new, 1).replace(
        head, head + f'  annotations:\n    covenant.dev/change-reason: "{reason}"\n', 1
    )
    path.write_text(text)


def test_slo_history_records_each_change_with_who_when_why(shop: Shop) -> None:
    viewer = shop.tokens["viewer"]
    url = f"{V1}/slos/checkout-monthly/history"
    before = shop.client.get(url, viewer).json()["items"]
    assert [i["action"] for i in before] == ["created"]
    assert before[0]["actor"] == "serve"
    assert before[0]["after"]["slo"]["spec"]["objectives"][0]["targetPercent"] == "99.99"
    assert before[0]["after"]["indicator"]["metadata"]["name"] == "checkout-availability"
    _retarget(
        shop.workspace, "targetPercent: 99.99", "targetPercent: 99.95", "Q4 review: too strict"
    )
    items = shop.client.get(url, viewer).json()["items"]
    assert [i["action"] for i in items] == ["created", "changed"]
    change = items[1]
    assert change["reason"] == "Q4 review: too strict"
    assert change["changes"] == [
        {"path": "slo.spec.objectives[0].targetPercent", "before": "99.99", "after": "99.95"}
    ]
    assert "covenant.dev/change-reason" not in str(change["after"])
    # loading the same definitions again records nothing
    assert len(shop.client.get(url, viewer).json()["items"]) == 2
    assert shop.client.get(url, shop.tokens["customer:globex"]).status_code == 403
    missing = shop.client.get(f"{V1}/slos/no-such-slo/history", viewer)
    assert missing.status_code == 404


def _stored_head(shop: Shop) -> tuple[int, int, str]:
    """Rows in the log, and the newest row's seq and hash, read from the table itself."""
    engine = open_store(shop.settings.database_url)
    try:
        with engine.connect() as conn:
            count = conn.execute(sa.select(sa.func.count()).select_from(audit_log)).scalar_one()
            seq, digest = conn.execute(
                sa.select(audit_log.c.seq, audit_log.c.hash).order_by(audit_log.c.seq.desc())
            ).first()  # type: ignore[misc]
    finally:
        engine.dispose()
    return count, seq, digest


def _verify(shop: Shop, **params: str) -> Any:
    answer = shop.client.get(f"{V1}/audit/verify", shop.tokens["admin"], params=params)
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_verify_answers_the_head_of_a_whole_chain_and_holds_its_anchor(shop: Shop) -> None:
    count, seq, digest = _stored_head(shop)
    assert _verify(shop) == {"ok": True, "rows": count, "head": f"{seq}:{digest}", "broken": None}
    assert _verify(shop, anchor=f"{seq}:{digest}")["ok"] is True
    assert _verify(shop, anchor=f"2:{'0' * 64}")["broken"]["seq"] == 2  # not row 2's hash
    gone = _verify(shop, anchor=f"{seq + 5}:{digest}")
    assert gone["ok"] is False
    assert gone["broken"]["seq"] == seq + 5
    assert f"the log ends at row #{seq}" in gone["broken"]["reason"]


def test_verify_names_the_first_edited_row(shop: Shop) -> None:
    engine = open_store(shop.settings.database_url)
    row = audit_log.c.seq == 3
    try:
        with engine.begin() as conn:
            kept = conn.execute(sa.select(audit_log.c.reason).where(row)).scalar_one()
            conn.execute(sa.update(audit_log).where(row).values(reason="rewritten later"))
        answer = _verify(shop)
    finally:
        with engine.begin() as conn:
            conn.execute(sa.update(audit_log).where(row).values(reason=kept))
        engine.dispose()
    assert answer["ok"] is False
    assert answer["broken"]["seq"] == 3
    assert _verify(shop)["ok"] is True  # whole again


def test_verify_refuses_a_bad_anchor_and_any_role_but_admin(shop: Shop) -> None:
    bad = shop.client.get(f"{V1}/audit/verify", shop.tokens["admin"], params={"anchor": "head"})
    assert bad.status_code == 400
    assert bad.json()["code"] == "invalid-input"
    assert "'head' is not SEQ:HASH" in bad.json()["message"]
    assert shop.client.get(f"{V1}/audit/verify", shop.tokens["editor"]).status_code == 403
