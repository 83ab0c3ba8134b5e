"""The import page: another tool's file uploaded or pasted, shown first as ``POST
/api/v1/imports/{tool}`` answers it (the same report, byte for byte in its JSON), then written
by an editor into the workspace — the file `covenant import sloth` writes, of the same name
and bytes but for the header's source (the command names its path, the page the uploaded
file's name) — with an audit entry, and a redirect (Post/Redirect/Get). Bad input is shown
beside its field, never as a traceback."""

from __future__ import annotations

import html
import json
import re
import shutil
from pathlib import Path
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from covenant.cli.main import app as cli
from covenant.services.import_request import MOST_SOURCE
from tests.api.support import Shop, make_shop
from tests.conftest import ROOT
from tests.web.pages import CSRF, Browser
from tests.web.served import add_users

SLOTH = ROOT / "examples" / "import" / "sloth-checkout.yml"
NO_FILE = {"file": ("", b"", "application/octet-stream")}  # an empty file input: multipart


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Shop:
    made = make_shop(tmp_path_factory.mktemp("web-import"))
    add_users(made)
    return made


def _signed_in(shop: Shop, user: str) -> Browser:
    browser = Browser(shop.client.app)
    browser.sign_in(user)
    return browser


def _send(
    browser: Browser,
    fields: dict[str, str],
    files: dict[str, Any] | None = None,
    path: str = "/ui/import",
) -> httpx.Response:
    csrf = CSRF.search(browser.get("/ui/import").text)
    assert csrf is not None
    return browser.request(
        "POST", path, data={"csrf": csrf.group(1), **fields}, files=files or NO_FILE
    )


def _report(page: str) -> dict[str, Any]:
    found = re.search(
        r'<script type="application/json" id="import-report-json">(.*?)</script>', page, re.S
    )
    assert found is not None
    loaded: dict[str, Any] = json.loads(found.group(1))
    return loaded


def _files(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in folder.rglob("*")
        if p.is_file() and ".covenant" not in p.relative_to(folder).parts
    }


def _api(shop: Shop, tool: str, body: bytes, **params: str) -> dict[str, Any]:
    answer = shop.client.request(
        "POST",
        f"/api/v1/imports/{tool}",
        shop.tokens["viewer"],
        params=params,
        content=body,
        headers={"Content-Type": "application/yaml"},
    )
    assert answer.status_code == 200, answer.text
    found: dict[str, Any] = answer.json()
    return found


def test_a_pasted_file_is_shown_as_the_api_answers_it_and_nothing_written(shop: Shop) -> None:
    before = _files(shop.workspace)
    viewer = _signed_in(shop, "vic")
    page = _send(viewer, {"tool": "sloth", "source": SLOTH.read_text(), "filename": SLOTH.name})
    assert page.status_code == 200, page.text
    assert _files(shop.workspace) == before
    assert _report(page.text) == _api(shop, "sloth", SLOTH.read_bytes(), filename=SLOTH.name)
    text = html.unescape(re.sub(r"<[^>]+>", "", page.text))
    assert "Writes sloth-checkout.yaml: 2 SLO(s): requests-availability, requests-latency" in text
    assert "Reused from the workspace: Service checkout, DataSource prometheus" in text
    assert 'action="/ui/import/write"' not in page.text  # a viewer cannot write
    assert "An editor or an admin can write these files." in text


def test_an_upload_is_written_as_the_command_writes_it(
    shop: Shop, corpus: Path, tmp_path: Path
) -> None:
    source = corpus / "sloth" / "getting-started.yml"
    editor = _signed_in(shop, "eve")
    upload = {"file": (source.name, source.read_bytes(), "application/yaml")}
    preview = _send(editor, {"tool": "sloth", "filename": ""}, upload)
    assert preview.status_code == 200, preview.text
    report = _report(preview.text)
    assert report == _api(shop, "sloth", source.read_bytes(), filename=source.name)
    (planned,) = report["files"]
    assert planned["target"] == "sloth-getting-started.yaml"
    form = preview.text[preview.text.index('action="/ui/import/write"') :]
    form = form[: form.index("</form>")]
    hidden = {
        name: html.unescape(value)
        for name, value in re.findall(
            r'<input type="hidden" name="([^"]+)" value="([^"]*)">', form, re.S
        )
    }
    assert hidden["source"] == source.read_text(encoding="utf-8")
    written = editor.request("POST", "/ui/import/write", data=hidden, files=NO_FILE)
    assert written.status_code == 303, written.text
    assert written.headers["location"] == "/ui/import?written=sloth-getting-started.yaml"
    note = editor.get(written.headers["location"])
    assert "Written into the workspace: <code>sloth-getting-started.yaml</code>" in note.text
    # the command on a copy of the workspace as it was: the same file but the header's source
    ours = (shop.workspace / "sloth-getting-started.yaml").read_bytes()
    copy = tmp_path / "shop"
    shutil.copytree(shop.workspace, copy, ignore=shutil.ignore_patterns(".covenant", "sloth-*"))
    result = CliRunner().invoke(cli, ["import", "sloth", str(source), "--into", str(copy)])
    assert result.exit_code == 0, result.output
    theirs = (copy / "sloth-getting-started.yaml").read_bytes()
    head, _, body = ours.partition(b"\n")
    assert head == b"# Imported by `covenant import sloth` from getting-started.yml"
    assert body == theirs.partition(b"\n")[2]
    assert body == planned["documents"].partition("\n")[2].encode()
    audit = shop.client.get("/api/v1/audit?action=imported", shop.tokens["admin"]).json()
    (entry,) = audit["entries"] if "entries" in audit else audit["items"]
    assert entry["actor"] == "user:eve"
    assert entry["after"]["files"] == ["sloth-getting-started.yaml"]
    # a made-up note names nothing that is not in the workspace
    made_up = editor.get("/ui/import?written=sloth-nothing.yaml")
    assert "Written into the workspace" not in made_up.text


def test_a_viewer_may_not_write(shop: Shop) -> None:
    viewer = _signed_in(shop, "vic")
    answer = _send(viewer, {"tool": "sloth", "source": SLOTH.read_text()}, path="/ui/import/write")
    assert answer.status_code == 403


@pytest.mark.parametrize(
    ("fields", "field", "said"),
    [
        (
            {"tool": "nagios", "source": "a: 1\n"},
            "tool",
            "'nagios' is not a tool Covenant imports from",
        ),
        (
            {"tool": "pyrra", "source": "a: 1\n", "alert_windows": "x: 1\n"},
            "alert_windows",
            "alert_windows is not an option of a pyrra import",
        ),
        (
            {"tool": "sloth", "source": "a: 1\n", "datasource": "Prom_1"},
            "datasource",
            "datasource 'Prom_1' is not a DNS label",
        ),
        ({"tool": "sloth", "source": ""}, "file", "no file was chosen and no text pasted"),
        (
            {"tool": "sloth", "source": "x" * (MOST_SOURCE + 1)},
            "file",
            "at most 5,000,000 are taken",
        ),
    ],
)
def test_a_bad_input_is_shown_at_its_field(
    shop: Shop, fields: dict[str, str], field: str, said: str
) -> None:
    before = _files(shop.workspace)
    answer = _send(_signed_in(shop, "eve"), fields)
    assert answer.status_code == 400, answer.text[:2000]
    problems = re.search(
        rf'<ul class="field-problems" id="import-{field}-problems">(.*?)</ul>', answer.text, re.S
    )
    assert problems is not None, answer.text[-3000:]
    assert said in html.unescape(problems.group(1))
    assert f'aria-describedby="import-{field}-problems"' in answer.text
    assert "Traceback" not in answer.text
    assert _files(shop.workspace) == before


def test_bad_yaml_is_refused_with_its_line_as_the_api_answers(shop: Shop) -> None:
    broken = 'version: "prometheus/v1"\nservice: checkout\nslos:\n  - name: [unclosed\n'
    page = _send(
        _signed_in(shop, "eve"), {"tool": "sloth", "source": broken, "filename": "broken.yml"}
    )
    assert page.status_code == 200
    report = _report(page.text)
    assert report == _api(shop, "sloth", broken.encode(), filename="broken.yml")
    (found,) = report["files"]
    assert found["status"] == "refused"
    assert 'action="/ui/import/write"' not in page.text
    (problem,) = found["problems"]
    assert html.escape(problem["message"], quote=False) in page.text or problem[
        "message"
    ] in html.unescape(page.text)
