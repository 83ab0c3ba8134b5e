"""The states a table command's ``--status`` (and the API's ``status``) chooses rows by.

Kept apart from ``services.selection`` so that a command's options are declared without
loading the evaluation code."""

from __future__ import annotations

EXPOSURE_STATES = ("owed", "at-risk", "ok", "no-forecast")
STATEMENT_STATES = ("met", "missed", "no-data")
AGREEMENT_STATES = (
    "draft",
    "proposed",
    "signed",
    "active",
    "superseded",
    "expired",
    "terminated",
    "none",
    "tampered",
)
