"""A duration on a statement keeps its number and its unit on one line: a no-break space
(U+00A0) between them (``15 Tg.`` never wraps into ``15`` / ``Tg.`` in the PDF), a plain space
between the parts (``29 d 17 h`` may wrap between ``d`` and ``17``); Japanese and Chinese write
no space. The terminal table and the JSON, which people and scripts read, keep plain spaces."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from rich.console import Console

from covenant.render.sla import render_statement_table, statement_json
from covenant.render.statement_labels import catalogue, translate_reason
from covenant.render.statement_view import statement_view
from tests.services.test_sla_edges import incident, statement, write

NB = "\u00a0"
# One outage of 1 d 2 h 30 min in November 2026 (UTC), written by hand per language
DOWN = [incident("2026-11-20T10:00:00Z", "2026-11-21T12:30:00Z")]
SHOWN = {
    "": f"1{NB}d 2{NB}h 30{NB}min",
    "de_DE": f"1{NB}Tg. 2{NB}Std. 30{NB}Min.",
    "fr_FR": f"1{NB}j 2{NB}h 30{NB}min",
    "es_ES": f"1{NB}d 2{NB}h 30{NB}min",
    "ja_JP": "1日2時間30分",
    "zh_CN": "1天2小时30分钟",
}


def _folder(folder: Path, locale: str) -> Path:
    write(folder)
    if locale:
        path = folder / "contract.yaml"
        text = path.read_text().replace(
            "  customer: acme\n", f"  customer: acme\n  locale: {locale}\n"
        )
        path.write_text(text)
    return folder


@pytest.mark.parametrize(("locale", "shown"), SHOWN.items())
def test_a_number_and_its_unit_do_not_part(tmp_path: Path, locale: str, shown: str) -> None:
    st = statement(_folder(tmp_path, locale), "2026-11", "2026-12-10T00:00:00Z", DOWN)
    (section,) = statement_view(st)["availability"]
    (row,) = section.rows
    assert row.cells[2] == shown
    downtime = [value for _, value, _ in section.facts if value == shown]
    assert downtime == [shown]  # the "Downtime counted" fact


def test_an_english_reasons_spans_too() -> None:
    reason = "planned maintenance: announced 13 d ahead (notice 5 d)"
    assert translate_reason(reason, catalogue("en_GB")) == (
        f"planned maintenance: announced 13{NB}d ahead (notice 5{NB}d)"
    )


def test_the_terminal_table_and_the_json_keep_plain_spaces(tmp_path: Path) -> None:
    st = statement(_folder(tmp_path, ""), "2026-11", "2026-12-10T00:00:00Z", DOWN)
    out = io.StringIO()
    render_statement_table(Console(file=out, width=200), st, wide=True)
    assert "1 d 2 h 30 min" in out.getvalue()
    assert NB not in out.getvalue()
    document = statement_json(st)
    assert document["availability"][0]["downtime_seconds"] == 95400  # 26.5 h
    assert NB not in json.dumps(document, ensure_ascii=False)
