"""The store fixtures live in tests/conftest.py (``store_url``, ``engine`` on both backends,
``sqlite_engine``, ``postgres_engine``); re-exported here for modules that import them."""

from tests.conftest import engine, postgres_engine, sqlite_engine, store_url

__all__ = ["engine", "postgres_engine", "sqlite_engine", "store_url"]
