"""Alembic environment: runs online against the connection ``migrate()`` hands over.

There is no ``alembic.ini``: ``covenant.store.db.migrate`` builds the config in code and puts
the open connection in ``config.attributes["connection"]``.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from covenant.store import (  # noqa: F401 - register tables
    agreement_tables,
    audit_tables,
    correction_tables,
    definition_tables,
    outbox_tables,
    record_tables,
    statement_tables,
    token_tables,
    web_tables,
    worker_tables,
)
from covenant.store.tables import metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run() -> None:
    connection = context.config.attributes.get("connection")
    if connection is None:
        raise RuntimeError("run migrations through covenant.store.db.migrate(engine)")
    _run(connection)


if context.is_offline_mode():
    raise RuntimeError("offline (SQL script) migrations are not supported; use migrate(engine)")
run()
