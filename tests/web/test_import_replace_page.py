"""The import page with several files and with a file imported again: the upload takes several
files, converted and written all or nothing as `covenant import sloth A B` writes them, each
file's report shown; a file an earlier import of the same name wrote is shown as replaced and
replaced only when its box is ticked (refused beside the box otherwise, in the page's words,
never the command's ``--force``), recorded in the audit log as replaced; a file of the
workspace's own is never replaced."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.api.support import Shop, make_shop
from tests.web.pages import CSRF, Browser
from tests.web.served import add_users

NO_FILE = {"file": ("", b"", "application/octet-stream")}
# small hand-written Sloth files: one SLO each, its objective given
SLOTH = """\
version: "prometheus/v1"
service: "{service}"
slos:
  - name: "requests-availability"
    objective: {objective}
    sli:
      events:
        error_query: sum(rate(http_requests_total{{job="{service}",code=~"5.."}}[{{{{.window}}}}]))
        total_query: sum(rate(http_requests_total{{job="{service}"}}[{{{{.window}}}}]))
    alerting:
      page_alert: {{disable: true}}
      ticket_alert: {{disable: true}}
"""


def _sloth(service: str, objective: str = "99.5") -> bytes:
    return SLOTH.format(service=service, objective=objective).encode()


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Shop:
    made = make_shop(tmp_path_factory.mktemp("web-import-replace"))
    add_users(made)
    return made


@pytest.fixture(scope="module")
def editor(shop: Shop) -> Browser:
    browser = Browser(shop.client.app)
    browser.sign_in("eve")
    return browser


def _upload(browser: Browser, files: list[tuple[str, bytes]], **fields: str) -> httpx.Response:
    csrf = CSRF.search(browser.get("/ui/import").text)
    assert csrf is not None
    sent = [("file", (name, data, "application/yaml")) for name, data in files] or [
        ("file", NO_FILE["file"])
    ]
    return browser.request(
        "POST",
        "/ui/import",
        data={"csrf": csrf.group(1), "tool": "sloth", **fields},
        files=sent,
    )


def _report(page: str) -> dict[str, Any]:
    found = re.search(
        r'<script type="application/json" id="import-report-json">(.*?)</script>', page, re.S
    )
    assert found is not None, page[-3000:]
    loaded: dict[str, Any] = json.loads(found.group(1))
    return loaded


def _write_form(page: str) -> dict[str, list[str]]:
    """The write form's hidden fields, each with every value it is sent with."""
    form = page[page.index('action="/ui/import/write"') :]
    form = form[: form.index("</form>")]
    fields: dict[str, list[str]] = {}
    for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', form):
        fields.setdefault(name, []).append(html.unescape(value))
    return fields


def _write(browser: Browser, fields: dict[str, list[str]]) -> httpx.Response:
    return browser.request("POST", "/ui/import/write", data=fields, files=NO_FILE)


def _text(page: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", page))


def _imports(shop: Shop) -> list[dict[str, Any]]:
    found = shop.client.get("/api/v1/audit?action=imported", shop.tokens["admin"]).json()
    entries: list[dict[str, Any]] = found["entries"] if "entries" in found else found["items"]
    return entries


def _problems(page: str, field: str) -> str:
    found = re.search(
        rf'<ul class="field-problems" id="import-{field}-problems">(.*?)</ul>', page, re.S
    )
    assert found is not None, page[-3000:]
    return _text(found.group(1))


def test_a_file_imported_again_replaces_the_earlier_import_only_when_asked(
    shop: Shop, editor: Browser
) -> None:
    target = shop.workspace / "sloth-basket.yaml"
    first = _upload(editor, [("basket.yml", _sloth("basket", "99.5"))])
    assert first.status_code == 200, first.text
    assert 'id="import-force"' not in first.text  # nothing to replace yet
    written = _write(editor, _write_form(first.text))
    assert written.status_code == 303, written.text
    before = target.read_bytes()
    assert before.startswith(b"# Imported by `covenant import sloth` from basket.yml\n")
    assert b"target: 0.995\n" in before

    fixed = _upload(editor, [("basket.yml", _sloth("basket", "99.9"))])
    assert fixed.status_code == 200, fixed.text
    (planned,) = _report(fixed.text)["files"]
    assert (planned["target"], planned["replaces"]) == ("sloth-basket.yaml", True)
    assert "Replaces sloth-basket.yaml: 1 SLO(s)" in _text(fixed.text)
    shown = re.search(r'<p id="import-summary">(.*?)</p>', fixed.text)
    assert shown is not None
    # the file the first import wrote holds a Service and an SLO (the DataSource was reused)
    assert before.count(b"\nkind: ") == 2
    assert _text(shown.group(1)) == (
        "would replace 2 documents in 1 file an earlier import wrote (sloth-basket.yaml)."
    )
    assert re.search(
        r'<input id="import-force" name="force" type="checkbox" value="1">', fixed.text
    )
    assert "Replace the files an earlier import of these files wrote: sloth-basket.yaml" in (
        _text(fixed.text)
    )
    form = _write_form(fixed.text)
    assert "force" not in form  # the box, not a hidden field

    refused = _write(editor, form)  # the box not ticked
    assert refused.status_code == 400, refused.text[-2000:]
    said = _problems(refused.text, "force")
    assert "sloth-basket.yaml exists already" in said
    assert "tick “Replace the files an earlier import of these files wrote”" in said
    assert "--force" not in refused.text
    assert 'aria-describedby="import-force-problems"' in refused.text
    assert target.read_bytes() == before
    assert _write_form(refused.text) == form  # the files are kept for the next try
    assert len(_imports(shop)) == 1

    replaced = _write(editor, {**form, "force": ["1"]})
    assert replaced.status_code == 303, replaced.text[-2000:]
    assert replaced.headers["location"] == "/ui/import?written=sloth-basket.yaml"
    now = target.read_bytes()
    assert now.startswith(b"# Imported by `covenant import sloth` from basket.yml\n")
    assert b"target: 0.999\n" in now
    assert not (shop.workspace / "sloth-basket-2.yaml").exists()
    entry = _imports(shop)[-1]
    assert len(_imports(shop)) == 2
    assert entry["before"] == {"files": ["sloth-basket.yaml"]}
    assert entry["after"]["files"] == ["sloth-basket.yaml"]
    assert entry["after"]["replaced"] == ["sloth-basket.yaml"]
    assert entry["after"]["sources"] == ["basket.yml"]
    same = _upload(editor, [("basket.yml", _sloth("basket", "99.9"))])  # what it holds now
    shown = re.search(r'<p id="import-summary">(.*?)</p>', same.text)
    assert shown is not None
    assert _text(shown.group(1)) == (
        "nothing changes: sloth-basket.yaml holds what this import would write."
    )


def test_a_file_of_the_workspaces_own_is_never_replaced(shop: Shop, editor: Browser) -> None:
    own = shop.workspace / "sloth-shelf.yaml"
    own.write_text("# my own notes\n", encoding="utf-8")
    page = _upload(editor, [("shelf.yml", _sloth("shelf"))])
    assert page.status_code == 200, page.text
    (planned,) = _report(page.text)["files"]
    assert (planned["target"], planned["replaces"]) == ("sloth-shelf-2.yaml", False)
    assert 'id="import-force"' not in page.text
    written = _write(editor, {**_write_form(page.text), "force": ["1"]})
    assert written.status_code == 303, written.text[-2000:]
    assert own.read_text(encoding="utf-8") == "# my own notes\n"
    assert (shop.workspace / "sloth-shelf-2.yaml").is_file()


def test_several_files_are_shown_each_and_written_together(shop: Shop, editor: Browser) -> None:
    files = [("cart.yml", _sloth("cart")), ("till.yml", _sloth("till", "99"))]
    page = _upload(editor, files)
    assert page.status_code == 200, page.text
    report = _report(page.text)
    assert [(f["source"], f["target"], f["slos"]) for f in report["files"]] == [
        ("cart.yml", "sloth-cart.yaml", ["cart-requests-availability"]),
        ("till.yml", "sloth-till.yaml", ["till-requests-availability"]),
    ]
    text = _text(page.text)
    assert "2 files, written all or nothing: 2 with SLOs to write" in text
    assert "Write 2 file(s) into the workspace" in text
    form = _write_form(page.text)
    assert form["filename"] == ["cart.yml", "till.yml"]
    assert form["source"] == [data.decode() for _, data in files]
    written = _write(editor, form)
    assert written.status_code == 303, written.text[-2000:]
    assert written.headers["location"] == "/ui/import?written=sloth-cart.yaml%2Csloth-till.yaml"
    for name, _ in files:
        made = (shop.workspace / f"sloth-{Path(name).stem}.yaml").read_text(encoding="utf-8")
        assert made.startswith(f"# Imported by `covenant import sloth` from {name}\n")
        assert f'job="{Path(name).stem}"' in made
    entry = _imports(shop)[-1]
    assert entry["after"]["files"] == ["sloth-cart.yaml", "sloth-till.yaml"]
    assert entry["after"]["sources"] == ["cart.yml", "till.yml"]
    assert entry["after"]["replaced"] == []
    assert entry["before"] is None


def test_one_refused_file_writes_nothing_of_the_others(shop: Shop, editor: Browser) -> None:
    broken = b'version: "prometheus/v1"\nservice: door\nslos:\n  - name: [unclosed\n'
    files = [("door.yml", _sloth("door")), ("broken.yml", broken)]
    page = _upload(editor, files)
    assert page.status_code == 200, page.text
    statuses = [(f["source"], f["status"]) for f in _report(page.text)["files"]]
    assert statuses == [("door.yml", "imported"), ("broken.yml", "refused")]
    assert 'action="/ui/import/write"' not in page.text
    assert "a refused file writes nothing of the import" in _text(page.text)
    # sent to the write form all the same: nothing is written
    form = {"csrf": [CSRF.search(page.text).group(1)], "tool": ["sloth"]}  # type: ignore[union-attr]
    form |= {"source": [d.decode() for _, d in files], "filename": [n for n, _ in files]}
    answer = _write(editor, form)
    assert answer.status_code == 400
    assert not (shop.workspace / "sloth-door.yaml").exists()


@pytest.mark.parametrize(
    ("files", "fields", "field", "said"),
    [
        (
            [("a.yml", _sloth("ant")), ("b.yml", _sloth("bee"))],
            {"filename": "x.yml"},
            "filename",
            "a file name names one file; 2 files were chosen",
        ),
        (
            [("a.yml", _sloth("ant")), ("a.yml", _sloth("bee"))],
            {},
            "file",
            "two of the files are named a.yml",
        ),
        ([("a.yml", _sloth("ant"))], {"source": "a: 1\n"}, "file", "a file was chosen and a"),
        (
            [(f"f{n}.yml", _sloth(f"s{n}")) for n in range(51)],
            {},
            "file",
            "51 files were given; at most 50 are taken at once",
        ),
    ],
)
def test_files_that_do_not_fit_together_are_refused_at_their_field(
    shop: Shop,
    editor: Browser,
    files: list[tuple[str, bytes]],
    fields: dict[str, str],
    field: str,
    said: str,
) -> None:
    answer = _upload(editor, files, **fields)
    assert answer.status_code == 400, answer.text[-2000:]
    assert said in _problems(answer.text, field)
    assert "Traceback" not in answer.text


def _preview_form(page: str) -> dict[str, list[str]]:
    """The preview form's fields (``Show what would be written``): its hidden ones, with
    every value each is sent with, and the option fields as shown."""
    form = page[page.index('action="/ui/import#import-report"') :]
    form = form[: form.index("</form>")]
    fields: dict[str, list[str]] = {}
    for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', form):
        fields.setdefault(name, []).append(html.unescape(value))
    for name, value in re.findall(
        r'<input id="import-[a-z_]+" name="([a-z_]+)" value="([^"]*)"', form
    ):
        fields[name] = [html.unescape(value)]
    fields["tool"] = ["sloth"]
    return fields


def test_several_files_are_kept_from_a_preview_to_the_next_and_to_the_write(
    shop: Shop, editor: Browser
) -> None:
    """Two files chosen once: a preview refused for an option (a datasource that is not a DNS
    label), the option fixed and previewed again, then written — never chosen again."""
    files = [("bench.yml", _sloth("bench")), ("crate.yml", _sloth("crate", "99"))]
    refused = _upload(editor, files, datasource="Not A Label")
    assert refused.status_code == 400, refused.text[-2000:]
    assert "is not a DNS label" in _problems(refused.text, "datasource")
    assert "choose them again" not in _text(refused.text)
    assert "2 files kept: bench.yml, crate.yml" in _text(refused.text)
    form = _preview_form(refused.text)
    assert form["kept_filename"] == ["bench.yml", "crate.yml"]
    assert form["kept_source"] == [data.decode() for _, data in files]
    form["datasource"] = ["prometheus"]
    again = editor.request("POST", "/ui/import", data=form, files=NO_FILE)
    assert again.status_code == 200, again.text[-2000:]
    report = _report(again.text)
    assert [(f["source"], f["target"]) for f in report["files"]] == [
        ("bench.yml", "sloth-bench.yaml"),
        ("crate.yml", "sloth-crate.yaml"),
    ]
    # kept again for a third preview, and carried to the write form
    assert _preview_form(again.text)["kept_filename"] == ["bench.yml", "crate.yml"]
    written = _write(editor, _write_form(again.text))
    assert written.status_code == 303, written.text[-2000:]
    assert (shop.workspace / "sloth-bench.yaml").is_file()
    assert (shop.workspace / "sloth-crate.yaml").is_file()


def test_files_chosen_or_a_text_pasted_replace_the_kept_ones(shop: Shop, editor: Browser) -> None:
    files = [("pan.yml", _sloth("pan")), ("pot.yml", _sloth("pot"))]
    first = _upload(editor, files)
    form = _preview_form(first.text)
    assert form["kept_filename"] == ["pan.yml", "pot.yml"]
    chosen = editor.request(
        "POST",
        "/ui/import",
        data=form,
        files=[("file", ("jar.yml", _sloth("jar"), "application/yaml"))],
    )
    assert [f["source"] for f in _report(chosen.text)["files"]] == ["jar.yml"]
    pasted = editor.request(
        "POST", "/ui/import", data=form | {"source": [_sloth("lid").decode()]}, files=NO_FILE
    )
    (only,) = _report(pasted.text)["files"]  # the pasted text alone (named TOOL.yaml)
    assert only["source"] == "sloth.yaml"
    assert 'job="lid"' in only["documents"]


def test_kept_files_are_checked_as_chosen_ones(shop: Shop, editor: Browser) -> None:
    csrf = CSRF.search(editor.get("/ui/import").text)
    assert csrf is not None
    base = {"csrf": [csrf.group(1)], "tool": ["sloth"]}
    unpaired = base | {"kept_source": ["a: 1\n", "b: 2\n"], "kept_filename": ["a.yml"]}
    answer = editor.request("POST", "/ui/import", data=unpaired, files=NO_FILE)
    assert answer.status_code == 400
    assert "the form's files and file names do not pair up" in _problems(answer.text, "file")
    many = base | {
        "kept_source": [_sloth(f"k{n}").decode() for n in range(51)],
        "kept_filename": [f"k{n}.yml" for n in range(51)],
    }
    answer = editor.request("POST", "/ui/import", data=many, files=NO_FILE)
    assert answer.status_code == 400
    assert "51 files were given; at most 50 are taken at once" in _problems(answer.text, "file")
