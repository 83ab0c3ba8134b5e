"""Use cases on workspace definitions: validate, load, export, scaffold."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from covenant.definitions import workspace as definitions
from covenant.definitions.workspace import Workspace
from covenant.errors import Problem


def validate_paths(paths: Sequence[Path]) -> list[Problem]:
    """Every problem (errors and warnings) in the definitions under ``paths``."""
    _, problems = definitions.analyse(paths)
    return problems


def load_workspace(path: Path) -> Workspace:
    """The resolved workspace at ``path``; raises DefinitionError listing every problem."""
    return definitions.load_workspace(path)


def export_openslo(path: Path) -> str:
    """The workspace at ``path`` as OpenSLO v1 YAML (covenant extensions in annotations)."""
    from covenant.definitions import export  # noqa: PLC0415 - the YAML writer loads to export

    workspace = definitions.load_workspace(path)
    return export.export_openslo(workspace.documents)


def init_workspace(directory: Path) -> list[Path]:
    """Scaffold a new workspace in ``directory``; returns the files written."""
    from covenant.definitions import scaffold  # noqa: PLC0415

    return scaffold.write_scaffold(directory)
