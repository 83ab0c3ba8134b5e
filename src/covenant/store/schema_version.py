"""The newest schema revision the packaged migrations define, read without Alembic or SQLAlchemy.

An up-to-date store is recognised from its ``alembic_version`` stamp alone, so opening it costs
one query (``db.migrate``, ``sqlite_reader``); Alembic loads only to migrate.
"""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


@cache
def head_revisions() -> frozenset[str]:
    """The newest revisions of the packaged migrations, read from their files (no Alembic)."""
    revisions, replaced = _graph()
    return frozenset(revisions - replaced)


@cache
def known_revisions() -> frozenset[str]:
    """Every revision of the packaged migrations (a store stamped with another one was
    migrated by a newer Covenant)."""
    return frozenset(_graph()[0])


def _graph() -> tuple[set[str], set[str]]:
    """The revisions the migration files define, and those a later one replaces."""
    revisions: set[str] = set()
    replaced: set[str] = set()
    for path in (MIGRATIONS / "versions").glob("*.py"):
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            target: ast.expr
            if isinstance(node, ast.AnnAssign) and node.value is not None:
                target, expression = node.target, node.value
            elif isinstance(node, ast.Assign) and len(node.targets) == 1:
                target, expression = node.targets[0], node.value
            else:
                continue
            if not isinstance(target, ast.Name):
                continue
            if target.id == "revision":
                revisions.add(ast.literal_eval(expression))
            elif target.id == "down_revision":
                value = ast.literal_eval(expression)
                replaced.update(
                    () if value is None else (value,) if isinstance(value, str) else value
                )
    return revisions, replaced
