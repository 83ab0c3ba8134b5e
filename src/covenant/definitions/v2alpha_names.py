"""openslo.com/v2alpha's field names written in an openslo/v1 document, told as such.

OpenSLO/OpenSLO's own ``pkg/openslo/v2alpha/examples/slos.yml`` heads a v2alpha SLO (``sli``,
``dataSourceRef``) with ``apiVersion: openslo/v1``. "unknown field 'sli' — remove it" would
throw the SLI away: the problem names the version the field is from, and both ways out (the
v2alpha apiVersion, which Covenant reads, or v1's name for it).
"""

from __future__ import annotations

from collections.abc import Sequence

from covenant.definitions.yamlsource import PathKey
from covenant.errors import Problem

RENAMED = {"serviceRef": "service", "sli": "indicator", "sliRef": "indicatorRef"}
"""v2alpha's name → openslo/v1's, on an SLO's spec (and an objective, for the SLI)."""
METRIC_KEYS = ("dataSourceRef", "dataSourceSpec")
METRIC_HOLDERS = frozenset({"thresholdMetric", "good", "bad", "total", "raw"})
READ_AS_V2 = "write apiVersion: openslo.com/v2alpha (Covenant reads it), or "
NAME_MESSAGE = (
    "openslo.com/v2alpha's name, not openslo/v1's (or write apiVersion: openslo.com/v2alpha, "
    "which Covenant reads)"
)
"""Its fix is the plain rename, so that ``misspelt.one_per_misspelling`` folds the missing
field's problem ("the SLO has no indicator") into it, keeping this message."""
METRIC_MESSAGE = "openslo.com/v2alpha's form of a metric, not openslo/v1's"


def v2alpha_name(name: str, loc: PathKey) -> tuple[str, str] | None:
    """``(what is said after "unknown field 'name'", the fix)`` when ``name`` at ``loc`` is
    v2alpha's field in an openslo/v1 document, else None."""
    parent = loc[-2] if len(loc) > 1 else None
    if name in RENAMED and (parent == "spec" or isinstance(parent, int)):
        return NAME_MESSAGE, f"rename {name} to {RENAMED[name]}"
    if name in METRIC_KEYS and parent in METRIC_HOLDERS:
        return METRIC_MESSAGE, (
            f"{READ_AS_V2}write it as openslo/v1 does: metricSource: {{metricSourceRef: <the "
            "DataSource>, spec: {query: …}} (dataSourceSpec's type goes in metricSource.type)"
        )
    return None


def one_per_metric(problems: Sequence[Problem]) -> list[Problem]:
    """``problems`` without what a v2alpha metric's ``dataSourceRef`` problem already says:
    its sibling ``spec`` unknown and its ``metricSource`` missing."""
    holders = {
        p.field.rpartition(".")[0]
        for p in problems
        if p.code == "unknown-field" and METRIC_MESSAGE in p.message
    }
    return [
        p
        for p in problems
        if not (
            (p.code == "unknown-field" and p.field.endswith(".spec"))
            or (p.code == "missing-field" and p.field.endswith(".metricSource"))
        )
        or p.field.rpartition(".")[0] not in holders
    ]
