"""Covenant cli layer."""
