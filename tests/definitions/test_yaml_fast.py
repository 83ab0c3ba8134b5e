"""The libyaml fast path reads exactly what the pure ruamel.yaml parser reads.

Every YAML file of the repository and of the conformance corpus, and a set of tricky texts
(YAML 1.1 vs 1.2 scalars, anchors, tags, flow style, directives, errors), read both ways:
documents, field lines and problems must be identical. When the fast path declines (errors,
directives, caps), the pure parser answers, so the problems are its own.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from ruamel.yaml.nodes import ScalarNode
from ruamel.yaml.resolver import VersionedResolver

from covenant.definitions import yamlsource
from covenant.definitions.yamlsource import read_text

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT.parent / "shared" / "corpus"


def both(text: str, monkeypatch: pytest.MonkeyPatch) -> tuple[Any, Any, bool]:
    fast = read_text(text, file="f.yaml")
    used_fast = yamlsource._read_fast(text, "f.yaml") is not None
    with monkeypatch.context() as m:
        m.setattr(yamlsource, "_read_fast", lambda _text, _file: None)
        slow = read_text(text, file="f.yaml")
    return fast, slow, used_fast


def files() -> list[Path]:
    found = [
        p
        for base in (ROOT / "examples", ROOT / "tests", ROOT / "docs", CORPUS)
        if base.exists()
        for p in base.rglob("*")
        if p.suffix in (".yaml", ".yml") and p.is_file()
    ]
    return sorted(found)


def test_there_are_files_to_compare() -> None:
    assert len(files()) > 20


@pytest.mark.parametrize("path", files(), ids=lambda p: str(p.relative_to(p.parents[2])))
def test_every_file_reads_the_same(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = path.read_text(encoding="utf-8", errors="replace")
    fast, slow, _ = both(text, monkeypatch)
    assert fast == slow


TRICKY = {
    "yaml11-words": "a: yes\nb: no\nc: on\nd: off\ne: y\nf: True\ng: NULL\nh: ~\n",
    "numbers": "a: 0o17\nb: 017\nc: 1_000\nd: 0x1F\ne: 1e3\nf: .inf\ng: -.5\nh: 0.9995\ni: 1:30\n",
    "quoted": "a: '0.999'\nb: \"yes\"\nc: |\n  line\n  two\nd: >-\n  folded\n",
    "dates": "a: 2026-01-01\nb: 2026-01-01 12:00:00\nc: 2026-01-01T00:00:00Z\n",
    "anchors": "base: &b {x: 1, y: [1, 2]}\nuse: *b\nmerged:\n  <<: *b\n  z: 3\n",
    "tags": "a: !!str 1\nb: !!int '7'\nc: !custom thing\nd: !!float 1\n",
    "flow": "[{kind: SLO, metadata: {name: a}}, {kind: SLI, metadata: {name: b}}]\n",
    "docs": "---\na: 1\n---\n---\nb: 2\n...\n",
    "empty": "",
    "comments": "# c\na: 1 # c\n# c\nb:\n  - 1 # c\n",
    "duplicate-key": "a: 1\na: 2\n",
    "directive": "%YAML 1.1\n---\na: yes\n",
    "syntax-error": "a: [1, 2\nb: 3\n",
    "bad-indent": "a:\n  b: 1\n c: 2\n",
    "unknown-alias": "a: *nope\n",
    "reused-anchor": "a: &x 1\nb: &x 2\nc: *x\n",
    "self-alias": "a: &x [1, *x]\n",
    "deep": "a: " + "[" * 80 + "]" * 80 + "\n",
    "keys": "1: one\ntrue: yes\nnull: x\n? [a, b]\n: c\n",
    "unicode": "name: checkout — p99 ≤ 300 ms\n",
}


@pytest.mark.parametrize("name", sorted(TRICKY))
def test_tricky_texts_read_the_same(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    fast, slow, _ = both(TRICKY[name], monkeypatch)
    assert fast == slow


def test_the_fast_path_is_taken_for_plain_definitions(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("numbers", "quoted", "flow", "docs", "yaml11-words", "unicode", "empty"):
        _, _, used = both(TRICKY[name], monkeypatch)
        assert used, name
    _, _, used = both(TRICKY["anchors"], monkeypatch)
    assert not used  # anchors and aliases: the pure parser expands and checks them
    _, _, used = both(TRICKY["syntax-error"], monkeypatch)
    assert not used  # the pure parser reports the error, as it always did


SCALARS = [
    *("true", "True", "TRUE", "tRue", "false", "yes", "no", "on", "off", "y", "n"),
    *("0", "-0", "+1", "1_000", "0o17", "017", "0x1F", "0b101", "0b", "0x", "09", "1:30"),
    *("1.", ".5", "-.5", "1e3", "1E-3", "1.5e+3", ".5e3", ".5e+3", "1_0.0_1", ".", "-", "+"),
    *(".inf", "-.Inf", "+.INF", ".nan", ".NaN", "-.nan", "inf", "nan"),
    *("", "~", "null", "Null", "NULL", "nULL", "none", "nullx"),
    *("2026-01-01", "2026-01-01 12:00:00", "<<", "=", "0.9995", "99.9%", "1_", "_1"),
]


def ruamel_tag(value: str) -> str:
    tag = str(VersionedResolver().resolve(ScalarNode, value, (True, False)))
    # timestamps, merge keys and "=" are text to scalar_value, like any string
    plain = ("null", "bool", "int", "float")
    return tag if tag.rsplit(":", 1)[-1] in plain else "tag:yaml.org,2002:str"


@pytest.mark.parametrize("value", SCALARS)
def test_plain_scalars_resolve_as_ruamel_resolves_them(value: str) -> None:
    assert yamlsource.plain_tag(value) == ruamel_tag(value)


@settings(max_examples=400, deadline=None, derandomize=True)
@given(st.text(alphabet="0123456789+-._eExXoObBaAfFnNiIlLtTrRuUsS~:", max_size=8))
def test_any_plain_scalar_resolves_as_ruamel_resolves_it(value: str) -> None:
    assert yamlsource.plain_tag(value) == ruamel_tag(value)
