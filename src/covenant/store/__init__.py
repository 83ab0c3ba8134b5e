"""Covenant store layer."""
