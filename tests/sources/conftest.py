"""Reuse the store fixtures (both backends) for the ingestion tests."""

from tests.store.conftest import engine, postgres_engine, sqlite_engine

__all__ = ["engine", "postgres_engine", "sqlite_engine"]
