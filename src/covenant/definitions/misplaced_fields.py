"""An SLO's numbers written outside its objectives, as generators write them: where they go.

startd8's observability generator writes ``spec.target`` on the SLO and ``threshold`` /
``operator`` in the SLI's ``thresholdMetric``. "Unknown field — remove it" would throw the
objective's numbers away: the fix says which objective field takes each.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from covenant.definitions.yamlsource import PathKey
from covenant.errors import Problem

_OBJECTIVE = "(objectives: [{op: lte, value: 0.5, target: 0.99}])"
BY_PLACE = {
    ("spec", "target"): "move it into an objective: objectives: [{target: 0.999}] (a fraction "
    "of 1; a percentage such as 99.9 is targetPercent: 99.9)",
    ("thresholdMetric", "threshold"): "the threshold is the objective's value: move it there, "
    f"with op {_OBJECTIVE}",
    ("thresholdMetric", "value"): f"value belongs to the objective: move it there {_OBJECTIVE}",
    ("thresholdMetric", "operator"): "the comparison is the objective's op: move it there as "
    f"op {_OBJECTIVE}",
    ("thresholdMetric", "op"): f"op belongs to the objective: move it there {_OBJECTIVE}",
    **dict.fromkeys(
        (("ratioMetric", "description"), ("thresholdMetric", "description")),
        "description belongs to the SLI's spec: move it up to spec.description",
    ),
}
"""(the key holding it, the field) → the fix; ``spec.target`` only on an SLO."""


QUERY_FIX = (
    "a query goes in a metric source: thresholdMetric: {metricSource: {type: Prometheus, "
    "spec: {query: …}}}, or a ratioMetric's good (or bad) and total, one query each"
)


def misplaced_number(name: str, loc: PathKey, kind: object) -> str | None:
    """The fix for ``name`` at ``loc`` when it is an objective's number written elsewhere,
    or a query written straight in an SLI's spec."""
    if name == "query" and loc[-2:-1] == ("spec",):
        inline = len(loc) > 2 and loc[-3] == "indicator"
        return QUERY_FIX if inline or (kind == "SLI" and len(loc) == 2) else None
    if len(loc) < 2 or (loc == ("spec", "target") and kind != "SLO"):
        return None
    return BY_PLACE.get((str(loc[-2]), name))


INLINE_HEADER = (  # OpenSLO's inline form, and its go-sdk (oslo) refuses any other key there
    "an inline indicator is an SLI's metadata and spec only; apiVersion and kind head an SLI "
    "document of its own: remove both here, or write the SLI as its own document (kind: SLI) "
    "and point to it with indicatorRef: <its name>"
)

MISPLACED = {  # field → (a key its place holds, "" for any; the fix), seen in real files
    "timeWindow": (
        "objectives",
        "timeWindow belongs to the SLO's spec (spec.timeWindow), not to an objective: move it",
    ),
    "timeWindows": (
        "spec",
        "timeWindows is openslo/v1alpha's: in openslo/v1 write "
        "timeWindow: [{duration: 30d, isRolling: true}]",
    ),
    "ratioMetrics": (
        "objectives",
        "ratioMetrics is openslo/v1alpha's objective field: in openslo/v1 the SLI goes in "
        "spec.indicator (spec: {ratioMetric: {good, total}}), or write apiVersion: "
        "openslo/v1alpha",
    ),
    # worded as a misspelling's fix, so that the "needs type" at its parent folds into it
    "metricSourceType": ("", "rename metricSourceType to type"),
    **{  # beside metadata (OpenSLO/slogen's samples write them at the top): "remove" loses them
        key: ("", f"{key} belong in metadata (metadata.{key}): move them there")
        for key in ("labels", "annotations")
    },
    "countMetrics": (
        "objectives",
        "countMetrics is Nobl9's (n9/v1alpha): in openslo/v1 the SLI goes in spec.indicator "
        "(spec: {ratioMetric: {counter: true, good: {metricSource: …}, total: {metricSource: "
        "…}}}), the objective keeps its target",
    ),
    "rawMetric": (
        "objectives",
        "rawMetric is Nobl9's (n9/v1alpha): in openslo/v1 the SLI goes in spec.indicator "
        "(spec: {thresholdMetric: {metricSource: …}}), the objective keeps op, value and target",
    ),
    "project": (
        "metadata",
        "metadata.project is Nobl9's (n9/v1alpha): OpenSLO has no project; remove it, or keep "
        "it as a label (labels: {project: …})",
    ),
    **dict.fromkeys(
        ("count", "unit"),
        (
            "timeWindow",
            "count and unit are openslo/v1alpha's (and the v1beta1 draft's) window: openslo/v1 "
            "writes them as one duration, <count><unit> (Day d, Week w, Month M, Quarter Q, "
            "Year Y): {count: 7, unit: Day} is duration: 7d",
        ),
    ),
    # an Agreement's availability commitment: "remove it" would measure 24×7 silently
    "calendar": (
        "availability",
        "availability is measured 24×7, every second of the period: a calendar applies to "
        "support commitments only, and availability measured in business hours alone is not "
        "supported — remove calendar only if the contract measures around the clock "
        "(docs/sla.md, Availability)",
    ),
    **{
        key: (
            "conditions",
            f"{key} goes in the condition's spec.condition: conditions: [{{kind: "
            "AlertCondition, metadata: {name: …}, spec: {severity: page, condition: {kind: "
            "burnrate, op: gte, threshold: 14.4, lookbackWindow: 1h, alertAfter: 5m}}}]",
        )
        for key in ("threshold", "lookbackWindow", "alertAfter", "op")
    },
}


REF_KEYS = {"indicator": "indicatorRef"}
"""An inline object's holder → the reference key to write for a ``ref:`` written inside it."""
REF_MESSAGE = "a reference is written beside, not inside, the inline object"


def written_ref(loc: PathKey, value: Any) -> tuple[str, str] | None:
    """``(message, fix)`` for ``indicator: {ref: name}`` (a generator's form, seen in a public
    pipeline-canvas generator): the SLI named by ``indicatorRef``, not an inline SLI."""
    if len(loc) < 2 or loc[-1] != "ref" or loc[-2] not in REF_KEYS:
        return None
    key = REF_KEYS[str(loc[-2])]
    name = value if isinstance(value, str) and value else "<the SLI's name>"
    return (
        f"unknown field 'ref': {REF_MESSAGE}",
        f"replace {loc[-2]}: {{ref: {name}}} with {key}: {name}",
    )


def one_per_ref(problems: Sequence[Problem]) -> list[Problem]:
    """``problems`` without an inline object's missing ``metadata`` / ``spec`` where its
    ``ref`` problem (``written_ref``) already says it is a reference."""
    holders = {
        p.field.rpartition(".")[0]
        for p in problems
        if p.code == "unknown-field" and REF_MESSAGE in p.message
    }
    return [
        p
        for p in problems
        if not (p.code == "missing-field" and p.field.rpartition(".")[0] in holders)
    ]
