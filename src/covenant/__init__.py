"""Covenant: SLOs and SLAs managed together."""

__version__ = "0.1.0"
