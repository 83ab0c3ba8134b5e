"""A PDF statement whose text has characters no installed font can draw (a Japanese statement
on a machine without a CJK font, a customer name in a rare script) used to be written with
empty boxes in their place, without a word. It is still written (the figures are right), with
a warning on stderr naming the characters and the fonts to install (docs/sla.md)."""

from __future__ import annotations

import sys
import types
from pathlib import Path

import pytest
from typer.testing import CliRunner

from covenant.cli.main import app
from covenant.render.statement_doc import pdf_and_missing_glyphs

runner = CliRunner()
AT = "2026-11-27T09:30:00Z"
NO_FONT = "\U0010fffd"  # a private-use code point of plane 16: no font draws it


def test_the_characters_no_font_draws_are_named() -> None:
    pdf, missing = pdf_and_missing_glyphs(f"<p>Globex {NO_FONT} GmbH</p>")
    assert pdf.startswith(b"%PDF-")
    assert missing == NO_FONT
    _, none_missing = pdf_and_missing_glyphs("<p>Globex GmbH 99.95 %</p>")
    assert none_missing == ""


@pytest.fixture
def shop(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in ("COVENANT_DATABASE_URL", "COVENANT_WORKSPACE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("COVENANT_NOW", AT)
    monkeypatch.chdir(tmp_path)
    done = runner.invoke(app, ["demo", "--days", "3", "--format", "json"])
    assert done.exit_code == 0, done.output
    return tmp_path / "covenant-demo" / "shop"


def report_pdf(shop: Path, out: str) -> tuple[int, str]:
    result = runner.invoke(
        app,
        [
            "report",
            "sla",
            "-w",
            str(shop),
            "-c",
            "globex",
            "-p",
            "this-month",
            "-f",
            "pdf",
            "-o",
            out,
        ],
        env={"COLUMNS": "300"},
    )
    return result.exit_code, " ".join(result.stderr.split())


def test_a_pdf_with_characters_no_font_has_warns(shop: Path) -> None:
    contracts = shop / "contracts.yaml"
    text = contracts.read_text(encoding="utf-8")
    contracts.write_text(
        text.replace("displayName: Globex Corporation", f"displayName: Globex {NO_FONT}"),
        encoding="utf-8",
    )
    code, err = report_pdf(shop, "globex.pdf")
    assert code == 0, err
    assert (shop.parent.parent / "globex.pdf").read_bytes().startswith(b"%PDF-")
    assert "warning:" in err, err
    assert "U+10FFFD" in err, err
    assert "install a font" in err, err


def test_a_pdf_every_character_of_which_is_drawn_says_nothing_more(shop: Path) -> None:
    code, err = report_pdf(shop, "globex.pdf")
    assert code == 0, err
    assert "warning" not in err, err


class _NoPango(types.ModuleType):
    """WeasyPrint as it fails on a machine without Pango: cffi cannot open the library."""

    def __getattr__(self, name: str) -> object:
        raise OSError("cannot load library 'libpango-1.0-0': libpango-1.0-0: No such file")


@pytest.mark.parametrize("broken", [None, _NoPango("weasyprint")])
def test_a_pdf_without_weasyprints_libraries_is_a_coded_error_and_no_file(
    shop: Path, monkeypatch: pytest.MonkeyPatch, broken: object
) -> None:
    """It used to end in a traceback (WeasyPrint's import raises OSError without Pango)."""
    monkeypatch.setitem(sys.modules, "weasyprint", broken)
    code, err = report_pdf(shop, "globex.pdf")
    assert code == 1, err
    assert "Traceback" not in err, err
    assert "error: cannot write a PDF" in err, err
    assert "--format html" in err, err
    assert "run: covenant explain pdf-unavailable" in err, err
    assert not (shop.parent.parent / "globex.pdf").exists()
