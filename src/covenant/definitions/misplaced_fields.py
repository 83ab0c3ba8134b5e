"""An SLO's numbers written outside its objectives, as generators write them: where they go.

startd8's observability generator writes ``spec.target`` on the SLO and ``threshold`` /
``operator`` in the SLI's ``thresholdMetric``. "Unknown field — remove it" would throw the
objective's numbers away: the fix says which objective field takes each.
"""

from __future__ import annotations

from covenant.definitions.yamlsource import PathKey

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
