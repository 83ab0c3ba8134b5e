"""Covenant sources layer."""
