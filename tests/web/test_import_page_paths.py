"""The import page never shows the server's workspace folder: a converted file the workspace's
validation refuses is named as the workspace knows it (``sloth-checkout.yaml:5``), on the
preview and on the write, and nothing is written; ``split_groups`` without the DataSource to
ask is said beside the DataSource field, naming "the workspace"."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.api.support import Shop, make_shop
from tests.api.test_import_paths_api import SAME_SLOTH_ID, _line_of_slo
from tests.conftest import ROOT
from tests.web.pages import CSRF, Browser
from tests.web.served import add_users

SLOTH = ROOT / "examples" / "import" / "sloth-checkout.yml"
NO_FILE = {"file": ("", b"", "application/octet-stream")}


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Shop:
    made = make_shop(tmp_path_factory.mktemp("web-import-paths"))
    add_users(made)
    return made


@pytest.fixture
def added(shop: Shop) -> Iterator[Path]:
    folder = shop.workspace / "added"
    folder.mkdir()
    yield folder
    for file in folder.iterdir():
        file.unlink()
    folder.rmdir()


def _send(shop: Shop, path: str, **more: str) -> httpx.Response:
    editor = Browser(shop.client.app)
    editor.sign_in("eve")
    csrf = CSRF.search(editor.get("/ui/import").text)
    assert csrf is not None
    fields = {"csrf": csrf.group(1), "tool": "sloth", "source": SLOTH.read_text()}
    return editor.request(
        "POST", path, data={**fields, "filename": SLOTH.name, **more}, files=NO_FILE
    )


def _text(page: httpx.Response) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", page.text))


def test_a_converted_file_the_workspace_refuses_is_named_in_the_workspace(
    shop: Shop, added: Path
) -> None:
    documents = shop.client.request(
        "POST",
        "/api/v1/imports/sloth",
        shop.tokens["viewer"],
        params={"filename": SLOTH.name},
        content=SLOTH.read_bytes(),
        headers={"Content-Type": "application/yaml"},
    ).json()["files"][0]["documents"]
    line = _line_of_slo(documents, "requests-availability")
    (added / "mine.yaml").write_text(SAME_SLOTH_ID, encoding="utf-8")
    for path in ("/ui/import", "/ui/import/write"):
        page = _send(shop, path)
        assert page.status_code == 400, page.text
        assert str(shop.workspace) not in page.text
        assert (
            f"sloth-checkout.yaml:{line}: SLO 'requests-availability' has the sloth_id of SLO "
            "'availability'"
        ) in _text(page)
    assert not (shop.workspace / "sloth-checkout.yaml").exists()


def test_split_groups_without_the_datasource_is_said_beside_its_field(shop: Shop) -> None:
    page = _send(shop, "/ui/import", split_groups="1", datasource="nowhere")
    assert page.status_code == 400, page.text
    assert str(shop.workspace) not in page.text
    beside = re.search(
        r'<ul class="field-problems" id="import-datasource-problems">(.*?)</ul>', page.text, re.S
    )
    assert beside is not None, page.text
    assert "the workspace has no Prometheus DataSource of that name" in html.unescape(
        beside.group(1)
    )
