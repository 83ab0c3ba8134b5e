"""A file the import page cannot write into the workspace: the page names the file as the
workspace knows it and what went wrong, never the server's folder (the browser's user has no
business with where the server keeps its workspace; the server's log names it in full), and
nothing is written, audit entry included.

The write is made to fail for real, as root too: the file's name is a link into a path under a
plain file, so the file's text cannot be written beside the file it names (a temporary file,
then renamed over it): "Not a directory"."""

from __future__ import annotations

import html
import logging
import re
from pathlib import Path

import pytest

from tests.api.support import Shop, make_shop
from tests.conftest import ROOT
from tests.web.pages import CSRF, Browser
from tests.web.served import add_users

SLOTH = ROOT / "examples" / "import" / "sloth-checkout.yml"
TARGET = "sloth-checkout.yaml"  # what the page writes it as (test_import_page.py)
NO_FILE = {"file": ("", b"", "application/octet-stream")}


@pytest.fixture
def shop(tmp_path: Path) -> Shop:
    made = make_shop(tmp_path)
    add_users(made)
    return made


def test_a_file_that_cannot_be_written_is_named_without_the_server_folder(
    shop: Shop, caplog: pytest.LogCaptureFixture
) -> None:
    plain = shop.workspace / "plain.txt"
    plain.write_text("not a folder\n", encoding="utf-8")
    (shop.workspace / TARGET).symlink_to(plain / TARGET)
    editor = Browser(shop.client.app)
    editor.sign_in("eve")
    csrf = CSRF.search(editor.get("/ui/import").text)
    assert csrf is not None
    fields = {"csrf": csrf.group(1), "tool": "sloth", "source": SLOTH.read_text()}
    with caplog.at_level(logging.WARNING, logger="covenant.web"):
        answer = editor.request(
            "POST", "/ui/import/write", data={**fields, "filename": SLOTH.name}, files=NO_FILE
        )
    assert answer.status_code == 400, answer.text
    text = html.unescape(re.sub(r"<[^>]+>", "", answer.text))
    assert str(shop.workspace) not in text
    assert str(shop.workspace.parent) not in answer.text  # not even part of the path
    assert f"cannot write {TARGET} into the workspace: Not a directory; nothing was written" in (
        text
    )
    assert "the server's log names the folder" in text  # the fix: whom to ask, with what
    assert not (shop.workspace / TARGET).exists()  # the link still leads nowhere
    assert plain.read_text(encoding="utf-8") == "not a folder\n"
    audit = shop.client.get("/api/v1/audit?action=imported", shop.tokens["admin"]).json()
    assert (audit["entries"] if "entries" in audit else audit["items"]) == []
    logged = [r.getMessage() for r in caplog.records if r.name == "covenant.web"]
    assert any(f"{shop.workspace}" in m and TARGET in m for m in logged), logged
