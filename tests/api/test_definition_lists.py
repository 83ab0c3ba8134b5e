"""The definition lists (services, SLIs, SLOs, …) are rendered once per version of the
workspace's files: the answer is the definitions as written, and a changed file shows at once."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from fastapi.encoders import jsonable_encoder

from covenant.api.app import create_app
from covenant.services.workspace import definitions_of, load_workspace
from tests.api.support import AT, Client, Shop, make_shop

V1 = "/api/v1"


@pytest.fixture
def own_shop(tmp_path: Path) -> Shop:
    return make_shop(tmp_path)  # this test changes a definition file


def expected(workspace: Path, kind: str) -> list[dict[str, object]]:
    """What FastAPI's own encoder writes for the definitions read from the files."""
    return [
        jsonable_encoder(
            {
                "kind": d.kind,
                "name": d.name,
                "api_version": d.api_version,
                "origin": f"{d.file}:{d.line}",
                "document": d.raw,
            }
        )
        for d in definitions_of(load_workspace(workspace), kind)
    ]


@pytest.mark.parametrize(
    ("path", "kind"),
    [("slos", "SLO"), ("slis", "SLI"), ("services", "Service"), ("calendars", "Calendar")],
)
def test_a_list_is_the_definitions_as_written(shop: Shop, path: str, kind: str) -> None:
    for _ in range(2):  # rendered, then from what was rendered
        answer = shop.client.get(f"{V1}/{path}", shop.tokens["viewer"])
        assert answer.status_code == 200
        assert answer.headers["content-type"] == "application/json"
        assert answer.json()["items"] == expected(shop.workspace, kind)


def test_a_changed_file_shows_in_the_next_answer(own_shop: Shop) -> None:
    client = Client(create_app(own_shop.settings, clock=lambda: AT))
    viewer = own_shop.tokens["viewer"]
    before = client.get(f"{V1}/slos", viewer).json()["items"]
    extra = own_shop.workspace / "more-slos.yaml"
    shutil.copy(own_shop.workspace / "slos.yaml", extra)
    text = extra.read_text()
    names = [d["name"] for d in before]
    for name in names:
        text = text.replace(f"name: {name}\n", f"name: {name}-copy\n")
    extra.write_text(text)
    after = client.get(f"{V1}/slos", viewer).json()["items"]
    assert sorted(d["name"] for d in after) == sorted(names + [f"{n}-copy" for n in names])
    assert after == expected(own_shop.workspace, "SLO")


@pytest.mark.parametrize(
    ("path", "kind"),
    [("slos", "SLO"), ("slis", "SLI"), ("services", "Service"), ("calendars", "Calendar")],
)
def test_one_definition_is_the_lists_item_for_it(shop: Shop, path: str, kind: str) -> None:
    """A stranger read `"target": 0.995` in GET /slos and `"target": "0.995"` (a string) in
    GET /slos/api-availability: the same definition, two types. One definition is now the
    list's item for it, number for number."""
    for item in expected(shop.workspace, kind):
        answer = shop.client.get(f"{V1}/{path}/{item['name']}", shop.tokens["viewer"])
        assert answer.status_code == 200
        assert answer.json() == item
