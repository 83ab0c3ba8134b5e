"""Shared helpers for definitions tests."""

from __future__ import annotations

from pathlib import Path

from covenant.definitions.workspace import Workspace, analyse, analyse_text
from covenant.errors import Problem


def errors(problems: list[Problem]) -> list[Problem]:
    return [p for p in problems if p.severity == "error"]


def error_reasons(path: Path) -> set[tuple[str, str]]:
    """(code, field) of every error found when ``path`` is loaded alone."""
    _, problems = analyse([path])
    return {(p.code, p.field) for p in errors(problems)}


def load_text(text: str) -> tuple[Workspace | None, list[Problem]]:
    return analyse_text(text, file="ws.yaml")


def codes(problems: list[Problem]) -> list[str]:
    return [p.code for p in problems]
