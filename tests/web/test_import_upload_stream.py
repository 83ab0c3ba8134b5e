"""The import page's uploaded files are written to a private temporary folder as they arrive
(as the sources page's export is), read from there, and deleted with the folder before the
answer: a file larger than any in-memory threshold (python-multipart's and Starlette's keep a
file of up to 1 MiB in memory) is shown as the API shows it — refused, past the definitions'
own limit of 1 MiB — and one just under that limit is written as the API would write it;
neither leaves a temporary file behind."""

from __future__ import annotations

import json
import re
import tempfile
from pathlib import Path
from typing import Any

import pytest
from starlette.requests import Request

import covenant.web.imports
from tests.api.support import Shop
from tests.api.test_record_files_api import _store
from tests.conftest import ROOT
from tests.web.pages import CSRF, Browser
from tests.web.served import add_users

SLOTH = ROOT / "examples" / "import" / "sloth-checkout.yml"
MIB = 1024 * 1024


def _report(page: str) -> dict[str, Any]:
    found = re.search(
        r'<script type="application/json" id="import-report-json">(.*?)</script>', page, re.S
    )
    assert found is not None, page[-3000:]
    loaded: dict[str, Any] = json.loads(found.group(1))
    return loaded


@pytest.mark.parametrize(
    ("size", "written"),
    [
        (2 * MIB + 1, False),  # over the definitions' own limit: refused as the API refuses it
        (MIB - 8 * 1024, True),  # under it: written as the API would write it
    ],
)
def test_a_large_upload_is_spooled_read_and_removed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, size: int, written: bool
) -> None:
    shop: Shop = _store(tmp_path / "store", None)
    add_users(shop)
    editor = Browser(shop.client.app)
    editor.sign_in("eve")
    temp = tmp_path / "tmp"
    temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    # a Sloth file of ``size`` bytes: the example's SLOs under a long comment
    slos = SLOTH.read_bytes()
    line = b"# " + b"x" * 97 + b"\n"
    lines, rest = divmod(size - len(slos), len(line))
    data = line * lines + b"#" * (rest - 1) + b"\n" + slos
    assert len(data) == size
    whole = Request.body

    async def body(self: Request) -> bytes:
        read = self.method == "POST" and self.url.path.startswith("/ui/import")
        assert not read, "the upload was read whole"
        return await whole(self)

    monkeypatch.setattr(Request, "body", body)
    spooled: list[list[tuple[str, int]]] = []
    text_of = covenant.web.imports._text_of

    def read(upload: Any) -> str:  # the page's own; what is on disk as it reads a file
        spooled.append(sorted((p.name, p.stat().st_size) for p in temp.rglob("*") if p.is_file()))
        return text_of(upload)

    monkeypatch.setattr(covenant.web.imports, "_text_of", read)
    api = shop.client.request(
        "POST",
        "/api/v1/imports/sloth",
        shop.tokens["viewer"],
        params={"filename": "big-checkout.yml"},
        content=data,
        headers={"Content-Type": "application/yaml"},
    )
    assert api.status_code == 200, api.text
    (planned,) = api.json()["files"]
    assert planned["status"] == ("refused" if not written else planned["status"])
    assert (planned["target"] is not None) == written

    answers = []
    for route in ("/ui/import", "/ui/import/write"):
        csrf = CSRF.search(editor.get("/ui/import").text)
        assert csrf is not None
        answers.append(
            editor.request(
                "POST",
                route,
                data={"csrf": csrf.group(1), "tool": "sloth"},
                files={"file": ("big-checkout.yml", data, "application/yaml")},
            )
        )
        assert list(temp.iterdir()) == []

    preview, write = answers
    assert preview.status_code == 200, preview.text[-2000:]
    assert _report(preview.text) == api.json()
    # each route's file, on disk and whole as it was read
    assert spooled == [[("upload-1", size)], [("upload-1", size)]]
    target = shop.workspace / "sloth-big-checkout.yaml"
    if not written:
        assert write.status_code == 400, write.text[-2000:]
        assert "yaml-too-large" in write.text
        assert not target.exists()
        return
    assert write.status_code == 303, write.text[-2000:]
    assert write.headers["location"] == "/ui/import?written=sloth-big-checkout.yaml"
    text = target.read_text(encoding="utf-8")
    assert text.partition("\n")[2] == planned["documents"].partition("\n")[2]
    assert text.startswith("# Imported by `covenant import sloth` from big-checkout.yml\n")
