"""The store fixtures (both backends) come from tests/conftest.py."""
