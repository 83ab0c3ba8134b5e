"""Covenant render layer."""
