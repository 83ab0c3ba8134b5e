"""Alembic environment and revisions of the store (run by ``covenant.store.db.migrate``)."""
