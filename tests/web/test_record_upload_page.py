"""The sources page's "Ingest a ticket or incident export" form (editors, admins): the file
and the options of `covenant ingest tickets` uploaded, ingested as ``POST
/api/v1/ingest/tickets`` ingests it, answered with the file's counts and rejected rows; a file
refused whole stores nothing and says why beside the form."""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.requests import Request

from covenant.api.app import create_app
from tests.api.support import AT, Shop
from tests.api.test_record_files_api import ZENDESK, ZENDESK_COLUMNS, _store, stored_ticket, ticket
from tests.api.test_record_upload_stream import export
from tests.stores import snapshot
from tests.web.pages import CSRF, Browser
from tests.web.served import add_users

V1 = "/api/v1"


def _browsers(tmp_path: Path) -> tuple[Shop, Browser, Browser]:
    shop = _store(tmp_path, None)
    add_users(shop)
    editor, viewer = Browser(shop.client.app), Browser(shop.client.app)
    editor.sign_in("eve")
    viewer.sign_in("vic")
    return shop, editor, viewer


def _upload(browser: Browser, name: str, data: bytes, **fields: str) -> httpx.Response:
    csrf = CSRF.search(browser.get("/ui/sources").text)
    assert csrf is not None
    sent: dict[str, Any] = {"csrf": csrf.group(1), "kind": "tickets", **fields}
    return browser.request(
        "POST", "/ui/sources/records", data=sent, files={"file": (name, data, "text/csv")}
    )


def _cells(page: str, table: str) -> list[list[str]]:
    part = page[page.index(f'id="{table}"') :]
    body = part[part.index("<tbody>") : part.index("</table>")]
    return [
        [
            html.unescape(re.sub(r"<[^>]+>", "", c)).strip()
            for c in re.findall(r"<td>(.*?)</td>", r, re.S)
        ]
        for r in re.findall(r"<tr>(.*?)</tr>", body, re.S)
    ]


def test_an_export_uploaded_from_the_form_is_stored_as_the_api_stores_it(tmp_path: Path) -> None:
    shop, editor, viewer = _browsers(tmp_path)
    assert 'action="/ui/sources/records' not in viewer.get("/ui/sources").text
    assert 'action="/ui/sources/records' in editor.get("/ui/sources").text
    text = ZENDESK + "4713,globex,P2,2026-11-06 25:00:00,,,Bad hour\n"

    answer = _upload(
        editor,
        "zendesk.csv",
        text.encode(),
        columns="\n".join(ZENDESK_COLUMNS),
        time_zone="Europe/Berlin",
    )

    assert answer.status_code == 201, answer.text
    # kind, read, inserted, updated, unchanged, rejected
    assert _cells(answer.text, "records-report") == [["tickets", "3", "2", "0", "0", "1"]]
    ((where, field, _),) = _cells(answer.text, "records-rejected")
    assert (where, field) == ("zendesk.csv:4", "created")
    assert stored_ticket(shop, "4711")["created"] == "2026-11-05T13:03:00Z"  # 14:03 CET
    assert stored_ticket(shop, "4712")["created"] == "2026-10-20T07:15:00Z"  # 09:15 CEST
    audit = shop.client.get(f"{V1}/audit", shop.tokens["admin"], params={"kind": "ticket-file"})
    ((row),) = audit.json()["items"]
    assert (row["actor"], row["entity_id"]) == ("user:eve", "zendesk.csv")

    again = _upload(
        editor,
        "copy.csv",
        text.encode(),
        columns="\n".join(ZENDESK_COLUMNS),
        time_zone="Europe/Berlin",
    )
    assert again.status_code == 200, again.text
    assert 'id="records-duplicate"' in again.text


def test_a_file_refused_whole_stores_nothing_and_says_why(tmp_path: Path) -> None:
    shop, editor, viewer = _browsers(tmp_path)

    answer = _upload(editor, "zendesk.csv", ZENDESK.encode())  # no columns mapped

    assert answer.status_code == 400, answer.text
    said = html.unescape(re.sub(r"<[^>]+>", "", answer.text))
    assert "Nothing was stored: ingest-error zendesk.csv" in said
    assert 'aria-invalid="true"' in answer.text
    assert ticket(shop, "4711")[0] == 404

    bad_zone = _upload(
        editor,
        "zendesk.csv",
        ZENDESK.encode(),
        columns="\n".join(ZENDESK_COLUMNS),
        time_zone="Europe/Berln",
    )
    assert bad_zone.status_code == 400
    assert "is not an IANA time zone" in html.unescape(bad_zone.text)
    assert 'value="Europe/Berln"' in bad_zone.text  # the form as sent
    assert ticket(shop, "4711")[0] == 404

    assert viewer.request("POST", "/ui/sources/records", data={}).status_code == 403


def test_text_no_store_keeps_is_a_bad_row_as_the_command_has_it(tmp_path: Path) -> None:
    # regression: the API's guard against NUL and lone surrogates in JSON bodies refused the
    # whole form (a JSON error in place of the page); such a record is a bad row, as in the
    # command and POST /ingest/tickets
    shop, editor, _ = _browsers(tmp_path)
    text = (
        '{"id": "W-1", "customer": "globex", "priority": "P1", "created": "2026-11-02T08:00:00Z"}\n'
        '{"id": "W-2", "customer": "glo\\u0000bex", "priority": "P1", '
        '"created": "2026-11-02T08:00:00Z"}\n'
    )

    answer = _upload(editor, "tickets.jsonl", text.encode())

    assert answer.status_code == 201, answer.text
    ((where, field, message),) = _cells(answer.text, "records-rejected")
    assert (where, field) == ("tickets.jsonl:2", "customer")
    assert "customer holds a NUL character (\\u0000)" in message
    assert ticket(shop, "W-1")[0] == 200
    assert ticket(shop, "W-2")[0] == 404


def test_all_or_nothing_refuses_a_file_with_a_bad_row_and_stores_none_of_it(
    tmp_path: Path,
) -> None:
    shop, editor, _ = _browsers(tmp_path)
    text = ZENDESK + "4713,globex,P2,2026-11-06 25:00:00,,,Bad hour\n"  # line 4: hour 25
    options = {"columns": "\n".join(ZENDESK_COLUMNS), "time_zone": "Europe/Berlin"}
    editor.get("/ui/sources")  # the server records its workspace's SLOs on first use
    before = snapshot(shop.settings.database_url)

    answer = _upload(editor, "zendesk.csv", text.encode(), strict="1", **options)

    assert answer.status_code == 422, answer.text
    said = html.unescape(re.sub(r"<[^>]+>", "", answer.text))
    assert "Nothing was stored: rows-rejected zendesk.csv: refused whole" in said
    assert "1 of its 3 rows was rejected" in said
    assert "“All or nothing”" in said
    assert "strict=true" not in said
    ((where, field, _),) = _cells(answer.text, "records-rejected")
    assert (where, field) == ("zendesk.csv:4", "created")
    assert 'name="strict" value="1" checked' in answer.text  # the form as sent
    assert ticket(shop, "4711")[0] == 404  # a good row: not stored either
    assert snapshot(shop.settings.database_url) == before

    fixed = text.replace("25:00:00", "23:00:00")
    answer = _upload(editor, "zendesk.csv", fixed.encode(), strict="1", **options)
    assert answer.status_code == 201, answer.text
    assert _cells(answer.text, "records-report") == [["tickets", "3", "3", "0", "0", "0"]]


def test_an_upload_is_written_as_it_arrives_never_read_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shop, editor, _ = _browsers(tmp_path)
    data, bad = export(30_000, bad_every=1000)  # rows 0, 1000, …, 29,000 bad
    assert bad == 30
    assert len(data) > 1024 * 1024
    whole = Request.body

    async def body(self: Request) -> bytes:
        assert self.url.path != "/ui/sources/records", "the upload was read whole"
        return await whole(self)

    monkeypatch.setattr(Request, "body", body)

    answer = _upload(editor, "big.csv", data)

    assert answer.status_code == 201, answer.text
    # kind, read, inserted, updated, unchanged, rejected
    assert _cells(answer.text, "records-report") == [
        ["tickets", "30000", str(30_000 - bad), "0", "0", str(bad)]
    ]
    assert ticket(shop, "M-0000001")[0] == 200


def test_an_upload_over_the_limit_is_refused_413_and_stores_nothing(tmp_path: Path) -> None:
    made, _, _ = _browsers(tmp_path)
    app = create_app(made.settings, clock=lambda: AT, max_body_bytes=128 * 1024)
    editor = Browser(app)
    editor.sign_in("eve")
    data, _ = export(10_000, bad_every=10**9)  # ~400 KB
    editor.get("/ui/sources")  # the server records its workspace's SLOs on first use
    before = snapshot(made.settings.database_url)

    answer = _upload(editor, "big.csv", data)

    assert answer.status_code == 413, answer.text
    said = html.unescape(re.sub(r"<[^>]+>", "", answer.text))
    assert "larger than 131,072 bytes (128 KiB)" in said
    assert snapshot(made.settings.database_url) == before
    app.state.covenant.close()
