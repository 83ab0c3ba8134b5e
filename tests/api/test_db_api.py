"""``GET /db`` (admin) answers what ``covenant db current --format json`` prints for the same
store (typer's runner on the real command): its revision beside this version's newest, read
anew at each request, never changed."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic.script import ScriptDirectory
from typer.testing import CliRunner

from covenant.cli.main import app as cli
from covenant.store.db import alembic_config, create_engine_for
from tests.api.support import Shop, make_shop

V1 = "/api/v1"
OLDER = "0018_source_query"  # a revision before the newest


def heads() -> list[str]:
    """The newest revisions, as Alembic reads the migration scripts."""
    return sorted(ScriptDirectory.from_config(alembic_config()).get_heads())


def _printed(shop: Shop) -> tuple[int, Any, str]:
    printed = CliRunner().invoke(
        cli,
        ["db", "current", "-w", str(shop.workspace), "--format", "json"],
        env={"COVENANT_DATABASE_URL": shop.settings.database_url},
    )
    return printed.exit_code, printed.stdout, printed.stderr


def _stamp(shop: Shop, revision: str) -> None:
    engine = create_engine_for(shop.settings.database_url)
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE alembic_version SET version_num = :r"), {"r": revision})
    engine.dispose()


def test_the_revision_is_the_commands(tmp_path: Path) -> None:
    shop = make_shop(tmp_path)
    answer = shop.client.get(f"{V1}/db", shop.tokens["admin"])
    assert answer.status_code == 200, answer.text
    found = answer.json()
    assert (found["from"], found["to"], found["head"], found["behind"]) == (
        heads(),
        heads(),
        heads(),
        False,
    )
    assert found["store"].endswith("covenant.db")
    code, out, err = _printed(shop)
    assert code == 0, err
    assert found == json.loads(out)

    assert heads() != [OLDER]
    _stamp(shop, OLDER)  # another process's older Covenant, say: read anew, not remembered
    behind = shop.client.get(f"{V1}/db", shop.tokens["admin"]).json()
    assert (behind["to"], behind["head"], behind["behind"]) == ([OLDER], heads(), True)
    assert behind == json.loads(_printed(shop)[1])


def test_a_store_newer_than_this_version_is_refused_as_the_command_refuses_it(
    tmp_path: Path,
) -> None:
    shop = make_shop(tmp_path)
    assert shop.client.get(f"{V1}/me", shop.tokens["admin"]).status_code == 200  # store opened
    _stamp(shop, "9999_future")
    answer = shop.client.get(f"{V1}/db", shop.tokens["admin"])
    assert answer.status_code == 503, answer.text
    assert answer.json()["code"] == "store-newer"
    assert "newer Covenant" in answer.json()["message"]
    code, _, err = _printed(shop)
    assert code == 1
    assert "newer Covenant" in err
    assert "covenant explain store-newer" in err
