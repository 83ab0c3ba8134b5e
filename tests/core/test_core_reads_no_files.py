"""Core is pure (ADR 0001, ADR 0004): no module of it opens a file; import-linter keeps out the
modules that would (os, pathlib, io, importlib, ...), and this keeps out the builtins."""

from __future__ import annotations

import ast

from tests.conftest import ROOT

FORBIDDEN = {"open", "__import__", "exec", "eval", "compile"}


def test_no_core_module_calls_open() -> None:
    modules = sorted((ROOT / "src" / "covenant" / "core").rglob("*.py"))
    assert len(modules) > 20
    found = [
        f"{path.name}:{node.lineno} {node.func.id}()"
        for path in modules
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id in FORBIDDEN
    ]
    assert found == []
