"""Definition lists in pages (``limit``, ``after`` = the previous page's ``next``), entity tags
(``If-None-Match`` → 304 while the answer is unchanged) and gzip for clients that ask for it,
on the lists and on evaluations. The expected names are read from the workspace's files."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from covenant.api.app import create_app
from covenant.api.encoded import accepts_gzip, matches
from covenant.services.workspace import load_workspace
from tests.api.support import AT, Client, Shop, make_shop

V1 = "/api/v1"
SLO = "checkout-availability"


def slo_names(workspace: Path) -> list[str]:
    return sorted(d.name for d in load_workspace(workspace).documents if d.kind == "SLO")


def test_pages_walk_the_list_in_name_order(shop: Shop) -> None:
    viewer = shop.tokens["viewer"]
    names = slo_names(shop.workspace)
    assert len(names) >= 3  # several pages of 2
    whole = shop.client.get(f"{V1}/slos", viewer).json()
    assert "next" not in whole  # no limit: every item in one answer, as before
    walked: list[dict[str, Any]] = []
    after: str | None = None
    pages = 0
    while True:
        params = {"limit": 2} if after is None else {"limit": 2, "after": after}
        answer = shop.client.get(f"{V1}/slos", viewer, params=params)
        assert answer.status_code == 200, answer.text
        page = answer.json()
        assert len(page["items"]) <= 2
        walked += page["items"]
        pages += 1
        after = page["next"]
        if after is None:
            break
        assert after == page["items"][-1]["name"]
    assert pages == (len(names) + 1) // 2
    assert [item["name"] for item in walked] == names
    assert walked == whole["items"]


def test_a_cursor_between_names_and_past_the_end(shop: Shop) -> None:
    viewer = shop.tokens["viewer"]
    names = slo_names(shop.workspace)
    between = names[0] + "\x01"  # after the first name, before the second
    page = shop.client.get(f"{V1}/slos", viewer, params={"after": between}).json()
    assert [item["name"] for item in page["items"]] == names[1:]
    assert page["next"] is None
    past = shop.client.get(f"{V1}/slos", viewer, params={"after": "~", "limit": 5}).json()
    assert past == {"items": [], "next": None}


@pytest.mark.parametrize("limit", ["0", "1001", "two"])
def test_a_wrong_limit_is_refused(shop: Shop, limit: str) -> None:
    answer = shop.client.get(f"{V1}/slos", shop.tokens["viewer"], params={"limit": limit})
    assert answer.status_code == 422
    assert answer.json()["code"] == "invalid-input"
    assert "limit" in answer.json()["message"]


def test_gzip_when_asked_and_the_same_bytes(shop: Shop) -> None:
    viewer = shop.tokens["viewer"]
    plain = shop.client.get(f"{V1}/slos", viewer, headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers
    zipped = shop.client.get(f"{V1}/slos", viewer, headers={"Accept-Encoding": "gzip"})
    assert zipped.headers["content-encoding"] == "gzip"
    assert zipped.headers["vary"] == "Accept-Encoding"
    assert zipped.content == plain.content  # httpx decompressed it
    assert zipped.headers["etag"] != plain.headers["etag"]  # other bytes, another tag
    refused = shop.client.get(f"{V1}/slos", viewer, headers={"Accept-Encoding": "gzip;q=0"})
    assert "content-encoding" not in refused.headers


def test_if_none_match_is_answered_304_until_a_file_changes(tmp_path: Path) -> None:
    own = make_shop(tmp_path)
    client, viewer = Client(create_app(own.settings, clock=lambda: AT)), own.tokens["viewer"]
    first = client.get(f"{V1}/slos", viewer)
    tag = first.headers["etag"]
    again = client.get(f"{V1}/slos", viewer, headers={"If-None-Match": tag})
    assert (again.status_code, again.content, again.headers["etag"]) == (304, b"", tag)
    weak = client.get(f"{V1}/slos", viewer, headers={"If-None-Match": f'"other", W/{tag}'})
    assert weak.status_code == 304

    slos = own.workspace / "slos.yaml"
    slos.write_text(slos.read_text().replace("target: 0.999\n", "target: 0.998\n", 1))
    changed = client.get(f"{V1}/slos", viewer, headers={"If-None-Match": tag})
    assert changed.status_code == 200
    assert changed.headers["etag"] != tag
    assert changed.content != first.content


def test_an_evaluation_is_304_until_a_commit(tmp_path: Path) -> None:
    own = make_shop(tmp_path)
    client = Client(create_app(own.settings, clock=lambda: AT))
    viewer, editor = own.tokens["viewer"], own.tokens["editor"]
    first = client.get(f"{V1}/evaluations/{SLO}", viewer)
    tag = first.headers["etag"]
    same = client.get(f"{V1}/evaluations/{SLO}", viewer, headers={"If-None-Match": tag})
    assert same.status_code == 304

    stamp = (AT - timedelta(minutes=30)).isoformat().replace("+00:00", "Z")
    rows = [{"timestamp": stamp, "service": "checkout", "status": 503, "latency_ms": 50}]
    put = client.request("PUT", f"{V1}/event-batches/etag", editor, json={"events": rows})
    assert put.json()["accepted"] == 1, put.text
    after = client.get(f"{V1}/evaluations/{SLO}", viewer, headers={"If-None-Match": tag})
    assert after.status_code == 200
    assert after.headers["etag"] != tag
    (before_result,), (after_result,) = first.json()["results"], after.json()["results"]
    assert after_result["total"] == before_result["total"] + 1


@pytest.mark.parametrize(
    ("header", "accepted"),
    [
        (None, False),
        ("", False),
        ("gzip", True),
        ("br, gzip;q=0.5", True),
        ("GZIP", True),
        ("gzip;q=0", False),
        ("gzip;q=0.0, *", False),
        ("*", True),
        ("*;q=0", False),
        ("identity", False),
        ("gzip;q=x", False),
    ],
)
def test_accept_encoding(header: str | None, accepted: bool) -> None:
    assert accepts_gzip(header) is accepted


def test_if_none_match() -> None:
    tags = ('"a"', '"a-gzip"')
    assert matches('"a"', tags)
    assert matches('"b", "a-gzip"', tags)
    assert matches('W/"a"', tags)
    assert matches("*", tags)
    assert not matches('"b"', tags)
    assert not matches("a", tags)  # not quoted: not a tag
    assert not matches(None, tags)


def test_fields_give_a_summary_of_each_item(shop: Shop) -> None:
    viewer = shop.tokens["viewer"]
    names = slo_names(shop.workspace)
    whole = shop.client.get(f"{V1}/slos", viewer).json()["items"]
    summary = shop.client.get(f"{V1}/slos", viewer, params={"fields": "origin, name"}).json()
    assert summary == {"items": [{"name": i["name"], "origin": i["origin"]} for i in whole]}
    assert [item["name"] for item in summary["items"]] == names
    paged = shop.client.get(
        f"{V1}/slos", viewer, params={"fields": "name", "limit": 2, "after": names[0]}
    ).json()
    assert paged["items"] == [{"name": n} for n in names[1:3]]
    assert paged["next"] == (names[2] if len(names) > 3 else None)


@pytest.mark.parametrize("fields", ["secret", "name,target", ",", ""])
def test_unknown_fields_are_refused(shop: Shop, fields: str) -> None:
    answer = shop.client.get(f"{V1}/slos", shop.tokens["viewer"], params={"fields": fields})
    assert answer.status_code == 400, answer.text
    body = answer.json()
    assert body["code"] == "invalid-input"
    assert body["message"].startswith("fields:")
    assert "api_version" in body["hint"]
