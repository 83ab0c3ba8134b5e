"""The admins' pages: the audit log (its filters, pages and chain check), the notice outbox
(retry, prune) and the API tokens (create, revoke). Each page shows what the API answers for
the same store, and each action changes what the API answers afterwards, as the API's own
action would, recorded in the audit log under the signed-in user."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa

from covenant.services.store import open_store
from covenant.store.audit_tables import audit_log
from tests.api.support import Shop, make_shop
from tests.api.test_outbox_api import fill_outbox
from tests.web.pages import Browser
from tests.web.served import add_users

V1 = "/api/v1"


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Shop]:
    made = make_shop(tmp_path_factory.mktemp("web-admin"))
    add_users(made)
    return made


def _admin(shop: Shop) -> Browser:
    browser = Browser(shop.client.app)
    browser.sign_in("ada")
    return browser


def _cells(text: str, table: str) -> list[list[str]]:
    """The body rows of ``<table class="TABLE">``, each cell's text without its tags."""
    inside = text.split(f'<table class="{table}">', 1)[1].split("</table>", 1)[0]
    body = inside.split("<tbody>", 1)[1]
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", body, flags=re.S)
    return [
        [" ".join(html.unescape(re.sub(r"<[^>]+>", "", c)).split()) for c in cells]
        for cells in (re.findall(r"<td[^>]*>(.*?)</td>", r, flags=re.S) for r in rows)
    ]


def _api(shop: Shop, path: str, **params: Any) -> Any:
    answer = shop.client.get(f"{V1}{path}", shop.tokens["admin"], params=params)
    assert answer.status_code == 200, answer.text
    return answer.json()


def _text(answer: Any) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", answer.text)).split())


# ---- the audit log


def _audit_rows(text: str) -> list[tuple[str, ...]]:
    return [tuple(r[:6]) for r in _cells(text, "audit")]


def _expected(items: list[dict[str, Any]]) -> list[tuple[str, ...]]:
    return [
        (str(e["seq"]), e["at"], e["actor"], e["action"], e["entity_kind"], e["entity_id"])
        for e in items
    ]


def test_the_audit_page_lists_the_rows_the_api_answers(shop: Shop) -> None:
    page = _admin(shop).get("/ui/audit")
    assert page.status_code == 200, page.text
    items = _api(shop, "/audit")["items"]
    assert len(items) > 3  # the demo's definitions, agreements and tokens
    assert _audit_rows(page.text) == _expected(items)
    assert 'href="/ui/audit/verify"' in page.text


@pytest.mark.parametrize(
    ("query", "params"),
    [
        ({"kind": "token"}, {"kind": "token"}),
        ({"kind": "agreement", "action": "created"}, {"kind": "agreement", "action": "created"}),
        ({"since": "-1h"}, {"since": "-1h"}),
        ({"until": "2026-01-01T00:00:00Z"}, {"until": "2026-01-01T00:00:00Z"}),
    ],
)
def test_the_audit_filters_keep_the_rows_the_api_keeps(
    shop: Shop, query: dict[str, str], params: dict[str, str]
) -> None:
    page = _admin(shop).get("/ui/audit", params=query)
    assert page.status_code == 200, page.text
    expected = _expected(_api(shop, "/audit", **params)["items"])
    rows = _audit_rows(page.text)
    if expected:
        assert rows == expected
    else:
        assert rows == [("No row matches the filters.",)]


def test_the_audit_log_is_paged_as_the_api_pages_it(shop: Shop) -> None:
    browser = _admin(shop)
    page = browser.get("/ui/audit", params={"limit": "3", "kind": "token"})
    first = _api(shop, "/audit", limit=3, kind="token")
    assert _audit_rows(page.text) == _expected(first["items"])
    assert first["next_after"] is not None
    found = re.search(r'<a href="([^"]+)" rel="next">Next rows</a>', page.text)
    assert found is not None
    following = browser.get(html.unescape(found.group(1)))
    second = _api(shop, "/audit", limit=3, kind="token", after=first["next_after"])
    assert _audit_rows(following.text) == _expected(second["items"])
    assert second["items"]  # the demo made five tokens: a second page


def test_the_kind_filter_suggests_every_entity_kind_docs_audit_lists(shop: Shop) -> None:
    """The Kind field's suggestions are the entity kinds docs/audit.md's table names (read from
    the document, not from the list the page uses): a kind audited but not offered (the record
    files', ``ticket-file`` and ``incident-file``) is found by typing it only."""
    from tests.conftest import ROOT  # noqa: PLC0415

    doc = (ROOT / "docs" / "audit.md").read_text(encoding="utf-8")
    table = doc.split("| entity | actions |", 1)[1].split("\n\n", 1)[0]
    documented = {
        kind
        for line in table.splitlines()[2:]
        for kind in re.findall(r"`([a-z-]+)`", line.split("|")[1])
    }
    assert {"ticket-file", "incident-file", "statement"} <= documented
    page = _admin(shop).get("/ui/audit")
    datalist = page.text.split('<datalist id="kinds">', 1)[1].split("</datalist>", 1)[0]
    assert set(re.findall(r'<option value="([^"]+)">', datalist)) >= documented


def test_a_bad_audit_filter_is_an_error_page_naming_it(shop: Shop) -> None:
    page = _admin(shop).get("/ui/audit", params={"since": "yesterday-ish"})
    assert page.status_code == 400
    assert "since 'yesterday-ish'" in _text(page)


def test_verify_shows_the_head_the_api_answers(shop: Shop) -> None:
    browser = _admin(shop)
    page = browser.get("/ui/audit/verify")
    verdict = _api(shop, "/audit/verify")
    assert verdict["ok"] is True
    text = _text(page)
    assert f"The chain is whole: {verdict['rows']} rows checked." in text
    assert verdict["head"] in text
    anchored = browser.get("/ui/audit/verify", params={"anchor": verdict["head"]})
    assert "The chain is whole" in _text(anchored)
    seq = int(verdict["head"].split(":")[0])
    anchor = f"{seq + 5}:{'a' * 64}"
    gone = _text(browser.get("/ui/audit/verify", params={"anchor": anchor}))
    reason = _api(shop, "/audit/verify", anchor=anchor)["broken"]["reason"]
    assert f"the log ends at row #{seq}" in reason
    assert f"The chain is broken at row #{seq + 5}: {reason}" in gone
    bad = browser.get("/ui/audit/verify", params={"anchor": "head"})
    assert bad.status_code == 400
    assert "'head' is not SEQ:HASH" in _text(bad)


def test_verify_names_the_first_edited_row(shop: Shop) -> None:
    engine = open_store(shop.settings.database_url)
    row = audit_log.c.seq == 3
    try:
        with engine.begin() as conn:
            kept = conn.execute(sa.select(audit_log.c.reason).where(row)).scalar_one()
            conn.execute(sa.update(audit_log).where(row).values(reason="rewritten later"))
        page = _admin(shop).get("/ui/audit/verify")
        verdict = _api(shop, "/audit/verify")
    finally:
        with engine.begin() as conn:
            conn.execute(sa.update(audit_log).where(row).values(reason=kept))
        engine.dispose()
    assert verdict["broken"]["seq"] == 3
    assert f"The chain is broken at row #3: {verdict['broken']['reason']}" in _text(page)


# ---- the outbox


@pytest.fixture(scope="module")
def outbox_ids(shop: Shop) -> dict[str, int]:
    engine = open_store(shop.settings.database_url)
    try:
        return fill_outbox(engine)  # a sent, b and c failed, d pending
    finally:
        engine.dispose()


def test_the_outbox_page_shows_the_apis_rows_then_retries_and_prunes(
    shop: Shop, outbox_ids: dict[str, int]
) -> None:
    browser = _admin(shop)
    page = browser.get("/ui/alerts/outbox")
    assert page.status_code == 200, page.text
    text = _text(page)
    for count in ("pending: 1", "failed: 2", "sent: 1"):
        assert count in text
    api = _api(shop, "/alerts/outbox")
    shown = [(int(r[0]), r[1], r[2], r[4], r[10]) for r in _cells(page.text, "outbox")]
    assert shown == [
        (r["id"], r["status"], r["notice_key"], r["target"], r["last_error"] or "")
        for r in api["rows"]
    ]
    assert [r[0] for r in shown] == [outbox_ids[k] for k in "dcba"]  # newest first
    failed = browser.get("/ui/alerts/outbox", params={"status": "failed"})
    assert [int(r[0]) for r in _cells(failed.text, "outbox")] == [outbox_ids[k] for k in "cb"]

    csrf = browser.csrf("/ui/alerts/outbox")
    assert browser.post("/ui/alerts/outbox/retry", {"csrf": "forged"}).status_code == 403
    assert _api(shop, "/alerts/outbox")["counts"]["failed"] == 2  # a forged form did nothing
    retried = browser.post("/ui/alerts/outbox/retry", {"csrf": csrf})
    assert retried.status_code == 303  # Post/Redirect/Get: a reload retries nothing again
    assert retried.headers["location"] == "/ui/alerts/outbox?retried=2"
    assert "2 failed notice(s) put back to pending" in _text(
        browser.get("/ui/alerts/outbox?retried=2")
    )
    assert _api(shop, "/alerts/outbox")["counts"] == {"pending": 3, "sent": 1, "failed": 0}
    logged = _api(shop, "/audit", kind="outbox", action="retried")["items"]
    assert [(e["actor"], e["before"]["ids"]) for e in logged] == [
        ("user:ada", sorted([outbox_ids["b"], outbox_ids["c"]]))
    ]

    pruned = browser.post("/ui/alerts/outbox/prune", {"csrf": csrf})
    assert pruned.status_code == 303
    # the sent row was sent an hour before now: the default retention (7 days) keeps it
    cut = "2026-11-13T12:00:00Z"  # 7 days before the demo's now
    assert (
        pruned.headers["location"] == f"/ui/alerts/outbox?pruned=0&before={cut.replace(':', '%3A')}"
    )
    told = _text(browser.get(pruned.headers["location"]))
    assert "0 sent notice(s) older than 7 days pruned (last sent before 2026-11-13" in told
    assert _api(shop, "/alerts/outbox")["counts"]["sent"] == 1


def test_a_bad_outbox_status_is_an_error_page(shop: Shop) -> None:
    page = _admin(shop).get("/ui/alerts/outbox", params={"status": "lost"})
    assert page.status_code == 400
    assert "pending, failed, sent" in _text(page)


@pytest.mark.parametrize(
    ("query", "told"),
    [
        ({"retried": "-1"}, "retried '-1' is not a count of notices"),
        ({"pruned": "1", "before": "last week"}, "before 'last week' is not a UTC instant"),
        ({"pruned": "1", "before": "2026-11-13T12:00:00"}, "is not a UTC instant"),
    ],
)
def test_a_bad_outbox_note_is_an_error_page(shop: Shop, query: dict[str, str], told: str) -> None:
    page = _admin(shop).get("/ui/alerts/outbox", params=query)
    assert page.status_code == 400
    assert told in _text(page)


def test_a_revoke_note_is_shown_only_for_a_revoked_token(shop: Shop) -> None:
    browser = _admin(shop)
    active = next(t["id"] for t in _api(shop, "/tokens")["items"] if t["state"] == "active")
    assert "is revoked" not in _text(browser.get("/ui/tokens", params={"revoked": active}))
    assert "is revoked" not in _text(browser.get("/ui/tokens", params={"revoked": "<i>x"}))


# ---- the API tokens


def test_a_token_made_on_the_page_works_until_revoked_on_the_page(shop: Shop) -> None:
    browser = _admin(shop)
    csrf = browser.csrf("/ui/tokens")
    made = browser.post(
        "/ui/tokens",
        {"csrf": csrf, "role": "customer", "customer": "initech", "expires": "30d", "label": "ci"},
    )
    assert made.status_code == 200, made.text
    secret = re.search(r'id="secret" class="secret" readonly size="60" value="([^"]+)"', made.text)
    assert secret is not None
    token = html.unescape(secret.group(1))
    assert token.startswith("cvt_")
    assert "Copy it now" in _text(made)
    me = shop.client.get(f"{V1}/me", token)
    assert me.json() == {"token": me.json()["token"], "role": "customer", "customer": "initech"}
    token_id = me.json()["token"]
    listed = {t["id"]: t for t in _api(shop, "/tokens")["items"]}
    assert listed[token_id]["label"] == "ci"
    assert listed[token_id]["created_by"] == "user:ada"
    assert listed[token_id]["expires_at"] == "2026-12-20T12:00:00Z"  # 30 days after now
    logged = _api(shop, "/audit", kind="token", entity=token_id)["items"]
    assert [(e["actor"], e["action"]) for e in logged] == [("user:ada", "created")]
    # the list shows it; the secret is on no later page
    page = browser.get("/ui/tokens")
    assert token_id in page.text
    assert token not in page.text
    ours = [r for r in _cells(page.text, "tokens") if r[0] == token_id]
    assert [r[1:5] for r in ours] == [["customer", "initech", "ci", "active"]]

    confirm = browser.get(f"/ui/tokens/{token_id}/revoke")
    assert f"Revoke token {token_id}?" in _text(confirm)
    assert shop.client.get(f"{V1}/me", token).status_code == 200  # asking revokes nothing
    revoked = browser.post(f"/ui/tokens/{token_id}/revoke", {"csrf": csrf})
    assert revoked.status_code == 303  # Post/Redirect/Get: a reload revokes nothing again
    assert revoked.headers["location"] == f"/ui/tokens?revoked={token_id}"
    assert f"Token {token_id} is revoked" in _text(browser.get(revoked.headers["location"]))
    assert token not in revoked.headers["location"]
    assert shop.client.get(f"{V1}/me", token).status_code == 401
    listed = {t["id"]: t for t in _api(shop, "/tokens")["items"]}
    assert listed[token_id]["state"] == "revoked"
    logged = _api(shop, "/audit", kind="token", entity=token_id)["items"]
    assert [(e["actor"], e["action"]) for e in logged] == [
        ("user:ada", "created"),
        ("user:ada", "revoked"),
    ]


@pytest.mark.parametrize(
    ("fields", "told"),
    [
        ({"role": "owner"}, "role 'owner' is not one of admin, editor, viewer, customer"),
        ({"role": "customer"}, "a customer token needs the customer it is for"),
        ({"role": "viewer", "expires": "soon"}, "'soon' is not a duration, a date or an instant"),
    ],
)
def test_a_bad_token_form_is_refused_naming_the_field(
    shop: Shop, fields: dict[str, str], told: str
) -> None:
    browser = _admin(shop)
    before = len(_api(shop, "/tokens")["items"])
    answer = browser.post("/ui/tokens", {"csrf": browser.csrf("/ui/tokens"), **fields})
    assert answer.status_code == 400
    assert told in _text(answer)
    assert len(_api(shop, "/tokens")["items"]) == before


def test_admin_pages_are_refused_to_others_and_missing_from_their_navigation(
    shop: Shop,
) -> None:
    admin = _admin(shop).get("/ui/overview").text
    for link in ("/ui/audit", "/ui/alerts/outbox", "/ui/tokens", "/ui/users"):
        assert f'href="{link}"' in admin
    editor = Browser(shop.client.app)
    editor.sign_in("eve")
    shown = editor.get("/ui/overview").text
    for link in ("/ui/audit", "/ui/alerts/outbox", "/ui/tokens", "/ui/users"):
        assert f'href="{link}"' not in shown
        refused = editor.get(link)
        assert refused.status_code == 403
        assert "an editor may not use this page" in _text(refused)


def test_a_token_form_without_the_sessions_csrf_token_changes_nothing(shop: Shop) -> None:
    browser = _admin(shop)
    before = _api(shop, "/tokens")["items"]
    made = browser.post("/ui/tokens", {"csrf": "forged", "role": "viewer"})
    assert made.status_code == 403
    victim = before[0]["id"]
    revoked = browser.post(f"/ui/tokens/{victim}/revoke", {"csrf": "forged"})
    assert revoked.status_code == 403
    assert _api(shop, "/tokens")["items"] == before
