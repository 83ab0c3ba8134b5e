"""The libyaml fast path composes exactly the tree the pure ruamel.yaml parser composes.

Every YAML file of the repository and of the conformance corpus, and a set of tricky texts
(YAML 1.1 vs 1.2 scalars, anchors, tags, flow style, directives, errors), read both ways:
documents, field lines and problems must be identical. When the fast path declines (errors,
directives, caps), the pure parser answers, so the problems are its own.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from covenant.definitions import yamlsource
from covenant.definitions.yamlsource import read_text

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT.parent / "shared" / "corpus"


def both(text: str, monkeypatch: pytest.MonkeyPatch) -> tuple[Any, Any, bool]:
    fast = read_text(text, file="f.yaml")
    used_fast = yamlsource._compose_fast(text) is not None
    with monkeypatch.context() as m:
        m.setattr(yamlsource, "_compose_fast", lambda _text: None)
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
    _, _, used = both(TRICKY["anchors"], monkeypatch)
    assert used
    _, _, used = both(TRICKY["syntax-error"], monkeypatch)
    assert not used  # the pure parser reports the error, as it always did
