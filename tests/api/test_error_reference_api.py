"""``GET /errors`` and ``GET /errors/{code}`` answer the error reference as ``covenant explain``
prints it (typer's runner on the real command, the same installation's docs/errors.md)."""

from __future__ import annotations

from typer.testing import CliRunner

from covenant.cli.main import app as cli
from tests.api.support import Shop
from tests.conftest import ROOT

V1 = "/api/v1"
WIDE = {"COLUMNS": "2000"}


def test_one_code_answers_what_covenant_explain_prints(shop: Shop) -> None:
    answer = shop.client.get(f"{V1}/errors/not-found", shop.tokens["viewer"])
    assert answer.status_code == 200, answer.text
    found = answer.json()
    assert found["code"] == "not-found"
    # the section of docs/errors.md, read here by hand: its group heading and first words
    text = (ROOT / "docs" / "errors.md").read_text(encoding="utf-8")
    section = text[text.index("\n### not-found\n") :]
    group = text[: text.index("\n### not-found\n")].rpartition("\n## ")[2].split("\n", 1)[0]
    assert found["group"] == group.strip()
    first_words = section.split("\n", 3)[2].split()[:4]
    assert found["text"].split()[:4] == first_words
    printed = CliRunner().invoke(cli, ["explain", "not-found"], env=WIDE)
    assert printed.exit_code == 0, printed.output
    assert printed.stdout == f"not-found\n({found['group']})\n{found['text']}\n"


def test_a_pasted_code_is_read_as_the_command_reads_it(shop: Shop) -> None:
    answer = shop.client.get(f"{V1}/errors/[Not-Found]", shop.tokens["admin"])
    assert answer.status_code == 200, answer.text
    assert answer.json()["code"] == "not-found"


def test_the_list_is_the_commands_list(shop: Shop) -> None:
    answer = shop.client.get(f"{V1}/errors", shop.tokens["editor"])
    assert answer.status_code == 200, answer.text
    rows = answer.json()["errors"]
    codes = [r["code"] for r in rows]
    assert {"not-found", "forbidden", "unauthenticated", "yaml-syntax"} <= set(codes)
    printed = CliRunner().invoke(cli, ["explain"], env=WIDE)
    assert printed.exit_code == 0, printed.output
    listed = [line.split()[0] for line in printed.stdout.splitlines() if line.startswith("  ")]
    assert listed == codes
    groups = [line for line in printed.stdout.splitlines() if line and not line.startswith(" ")]
    assert groups == list(dict.fromkeys(r["group"] for r in rows))


def test_an_unknown_code_is_404_naming_the_codes_spelled_like_it(shop: Shop) -> None:
    answer = shop.client.get(f"{V1}/errors/not-fond", shop.tokens["viewer"])
    assert answer.status_code == 404, answer.text
    body = answer.json()
    assert body["code"] == "not-found"
    assert body["message"].startswith("'not-fond' is not a Covenant error or problem code")
    assert "did you mean: not-found" in body["message"]
    assert "GET /api/v1/errors" in body["hint"]
    printed = CliRunner().invoke(cli, ["explain", "not-fond"], env=WIDE)
    assert printed.exit_code == 2
    assert f"error: {body['message']}" in printed.stderr


def test_the_cli_only_codes_are_in_the_reference(shop: Shop) -> None:
    """`invalid-usage`, `interrupted` and `output-unwritable` are only ever printed by the
    command line, and are explained over HTTP as `covenant explain` explains them."""
    text = (ROOT / "docs" / "errors.md").read_text(encoding="utf-8")
    for code in ("invalid-usage", "interrupted", "output-unwritable"):
        answer = shop.client.get(f"{V1}/errors/{code}", shop.tokens["viewer"])
        assert answer.status_code == 200, answer.text
        found = answer.json()
        assert found["code"] == code
        section = text[text.index(f"\n### {code}\n") :]
        assert found["text"].split()[:4] == section.split("\n", 3)[2].split()[:4]
        assert found["group"] == "Errors (raised; the command stops and changes nothing)"
        printed = CliRunner().invoke(cli, ["explain", code], env=WIDE)
        assert printed.exit_code == 0, printed.output
        assert printed.stdout == f"{code}\n({found['group']})\n{found['text']}\n"


def test_pdf_unavailable_is_explained(shop: Shop) -> None:
    """A server or command without Pango answers `pdf-unavailable`: both explain it."""
    answer = shop.client.get(f"{V1}/errors/pdf-unavailable", shop.tokens["viewer"])
    assert answer.status_code == 200, answer.text
    assert "Pango" in answer.json()["text"]
    printed = CliRunner().invoke(cli, ["explain", "pdf-unavailable"], env=WIDE)
    assert printed.exit_code == 0, printed.output
    assert printed.stdout.endswith(f"{answer.json()['text']}\n")


def test_the_latency_bound_warning_is_in_the_reference(shop: Shop) -> None:
    """implausible-latency-bound (stop 41): a definition warning, answered as explain prints."""
    code = "implausible-latency-bound"
    answer = shop.client.get(f"{V1}/errors/{code}", shop.tokens["viewer"])
    assert answer.status_code == 200, answer.text
    found = answer.json()
    assert found["code"] == code
    assert found["text"].startswith("(Warning.) A histogram bucket bound")
    printed = CliRunner().invoke(cli, ["explain", code], env=WIDE)
    assert printed.exit_code == 0, printed.output
    assert printed.stdout == f"{code}\n({found['group']})\n{found['text']}\n"
