"""``/metrics``: the stored agreements per state (``covenant agreements list``'s status column,
``services.selection.agreement_state``): the status of the version in force, ``none`` when no
version is, ``tampered`` when the stored agreement disagrees with its hash-chained history —
never per agreement (the label set is the states).

``covenant_agreements`` has a sample for every state, 0 when none, so a series does not come and
go: ``covenant_agreements{status="tampered"} > 0`` is a contract altered outside Covenant.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Mapping

from covenant.core.agreements import VersionStatus
from covenant.render.prom_text import Family, pairs

STATES = (*(s.value for s in VersionStatus), "none", "tampered")


def agreement_counts(states: Iterable[str]) -> dict[str, int]:
    """Every state with how many of ``states`` (one per stored agreement) are in it."""
    counted = Counter(states)
    return {state: counted[state] for state in STATES}


def agreement_families(counts: Mapping[str, int] | None) -> Iterator[Family]:
    """The family (nothing when not counted)."""
    if counts is None:
        return
    family = Family(
        "covenant_agreements",
        "Stored agreements by the status of the version in force (none: no version is; "
        "tampered: the store disagrees with the agreement's history).",
    )
    for state, count in counts.items():
        family.add(pairs(("status",), (state,)), float(count))
    yield family
