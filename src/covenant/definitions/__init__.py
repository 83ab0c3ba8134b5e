"""Covenant definitions layer."""
