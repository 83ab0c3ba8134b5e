"""OpenSLO/slogen's keys beside an OpenSLO document, and what to do with each.

Kept apart from :mod:`covenant.definitions.foreign` so the diagnostics every kind module
imports do not reach the kind registry (the import contract in pyproject.toml).
"""

from __future__ import annotations

SLOGEN_WHOSE = (
    "OpenSLO/slogen's (Sumo Logic's SLO generator reads it beside the OpenSLO document), "
    "not OpenSLO's"
)
_SLOGEN_ALERTS = (
    "remove it and alert with an AlertPolicy (spec.alertPolicies; a burnrate AlertCondition "
    "per window: threshold is slogen's limit, lookbackWindow its window) or with covenant/v1 "
    "alert tiers, whose short and long windows are slogen's (see `covenant explain "
    "invalid-alert-tier`)"
)
SLOGEN_KEYS = {
    "createView": "remove it: slogen's Sumo Logic scheduled view has no Covenant counterpart "
    "(Covenant reads the SLI's queries itself)",
    "fields": "remove it: slogen's dashboard panel fields (Sumo Logic query expressions to "
    "group by) have no Covenant counterpart",
    "alerts": _SLOGEN_ALERTS,
    "burnRateAlerts": _SLOGEN_ALERTS,
}
"""OpenSLO/slogen's top-level keys (its ``libs/spec.go``) → the fix."""
