"""Rules on an SLO's objectives that need its resolved SLIs, and small value conversions."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from fractions import Fraction

from covenant.core.model import Comparison, NoDataPolicy, Operator
from covenant.definitions.covenant_v1 import NO_DATA_KEY, ComparisonSpec
from covenant.definitions.diagnostics import at
from covenant.definitions.extensions import SLIExtensions
from covenant.definitions.kinds import V1ALPHA
from covenant.definitions.openslo import (
    InlineSLI,
    Metadata,
    ObjectiveSpec,
    SLISpec,
    SLODocument,
)
from covenant.definitions.parsed import StandIn
from covenant.definitions.partial import not_at_broken
from covenant.definitions.yamlsource import PathKey, SourceDocument
from covenant.errors import Problem

SLIRef = tuple[str, SLISpec, SLIExtensions, Metadata]
"""An SLI as an objective uses it: name, spec, Covenant extensions, metadata."""


def component_no_data(metadata: Metadata) -> NoDataPolicy | None:
    text = (metadata.annotations or {}).get(NO_DATA_KEY, "").strip()
    return NoDataPolicy(text) if text in {"good", "bad", "skip"} else None


def component_no_data_problems(
    doc: SourceDocument, objectives: Sequence[ObjectiveSpec], components: dict[int, SLIRef]
) -> list[Problem]:
    """A component SLI's ``covenant.dev/no-data-policy`` annotation must be good/bad/skip."""
    problems: list[Problem] = []
    for i, (_, _, _, metadata) in sorted(components.items()):
        text = (metadata.annotations or {}).get(NO_DATA_KEY)
        if text is not None and text.strip() not in {"good", "bad", "skip"}:
            inline = objectives[i].indicator is not None
            path: PathKey = (
                ("spec", "objectives", i, "indicator", "metadata", "annotations", NO_DATA_KEY)
                if inline
                else ("spec", "objectives", i, "indicatorRef")
            )
            problems.append(
                at(
                    doc,
                    path,
                    code="invalid-annotation",
                    message=f"{NO_DATA_KEY} of a composite component must be good, bad or "
                    f"skip, not {text.strip()!r}",
                    fix="write good, bad or skip",
                )
            )
    return problems


NamedSLI = tuple[str, SLISpec]
"""An SLI as op/value is checked against it: its name and spec."""


def stand_in_op_problems(
    stand: StandIn | None, sli_of: Callable[[str], SLISpec | None]
) -> list[Problem]:
    """op/value against the SLIs of an SLO that failed validation (its stand-in), so that a
    wrong window or target does not hide them. ``sli_of`` gives a valid SLI document's spec by
    name. An SLI with a refused field, or named by a refused reference, is not checked
    against, and nothing is said at a refused field (its problem was said)."""
    if stand is None or not isinstance(stand.model, SLODocument):
        return []
    doc, spec = stand.source, stand.model.spec

    def chosen(path: PathKey, inline: InlineSLI | None, ref: str | None) -> NamedSLI | None:
        if doc.broken_at((*path, "indicator"), (*path, "indicatorRef")):
            return None
        if ref is not None:
            found = sli_of(ref)
            return None if found is None else (ref, found)
        return None if inline is None else (inline.metadata.name, inline.spec)

    sli = chosen(("spec",), spec.indicator, spec.indicator_ref)
    components = {
        i: named
        for i, o in enumerate(spec.objectives)
        if (named := chosen(("spec", "objectives", i), o.indicator, o.indicator_ref))
    }
    return not_at_broken(stand, op_problems(doc, stand.model, sli, components))


def op_problems(
    doc: SourceDocument,
    model: SLODocument,
    sli: NamedSLI | None,
    components: Mapping[int, NamedSLI] | None = None,
) -> list[Problem]:
    problems: list[Problem] = []
    for i, objective in enumerate(model.spec.objectives):
        own = (components or {}).get(i)
        if objective.indicator or objective.indicator_ref:
            if own is None:
                continue
            chosen = own
        elif sli is None:
            continue
        else:
            chosen = sli
        threshold = chosen[1].threshold_metric is not None
        if not threshold and chosen[1].ratio_metric is None:
            continue  # an SLI of neither kind is an error of its own (a misspelt key, …)
        here: PathKey = ("spec", "objectives", i)
        if threshold:
            missing = [
                k
                for k, v in (("op", objective.op), ("value", objective.value))
                if v is None and not (k == "value" and _alpha_said(doc, i))
            ]
            if missing:
                problems.append(
                    at(
                        doc,
                        (*here, missing[0]),
                        code="threshold-needs-op-value",
                        message=f"SLI {chosen[0]!r} is a thresholdMetric: the objective needs "
                        f"{' and '.join(missing)}",
                        fix=_threshold_fix(chosen[1]),
                    )
                )
            continue
        for key, given in (("op", objective.op), ("value", objective.value)):
            if given is not None:
                problems.append(
                    at(
                        doc,
                        (*here, key),
                        code="op-on-ratio-objective",
                        message=f"SLI {chosen[0]!r} is a ratioMetric: {key} is forbidden on its "
                        "objectives",
                        fix="remove op/value; they apply to thresholdMetric SLIs",
                    )
                )
                break
    return problems


SPELT_OPS = {"lessthan": "lt", "lessthanorequal": "lte", "greaterthan": "gt"}
SPELT_OPS |= {"greaterthanorequal": "gte", **{op: op for op in ("lt", "lte", "gt", "gte")}}
"""An operator as slogen (LessThanOrEqual) or OpenSLO (lte) spells it → OpenSLO's."""


def _threshold_fix(spec: SLISpec) -> str:
    """Add op and value; with the ones the SLI's metricSource.spec holds when it writes them
    there (slogen: ``op: LessThanOrEqual``, ``threshold: 1``), not an example's."""
    source = spec.threshold_metric.metric_source.spec if spec.threshold_metric else {}
    op = SPELT_OPS.get(str(source.get("op", "")).lower())
    bound = source.get("threshold")
    if op and isinstance(bound, int | float | Decimal) and not isinstance(bound, bool):
        return (
            f"add op: {op}, value: {bound} to the objective: the SLI's metricSource.spec says "
            f"op: {source['op']}, threshold: {bound} (slogen's place for them), which OpenSLO "
            "reads from the objective"
        )
    return "add op (lt, lte, gt, gte) and value, e.g. op: lte, value: 300"


def _alpha_said(doc: SourceDocument, i: int) -> bool:
    """Whether objective ``i`` of an openslo/v1alpha SLO has no ``value`` key: v1alpha requires
    one on every objective, and its conversion said so at that field already."""
    if doc.converted_from != V1ALPHA:
        return False
    spec = doc.data.get("spec")
    objectives = spec.get("objectives") if isinstance(spec, dict) else None
    if not isinstance(objectives, list) or i >= len(objectives):
        return False
    return isinstance(objectives[i], dict) and "value" not in objectives[i]


def comparison(spec: ComparisonSpec | None) -> Comparison | None:
    if spec is None:
        return None
    return Comparison(op=Operator(spec.op), threshold=Fraction(spec.value))


def fraction(value: Decimal | None) -> Fraction | None:
    return None if value is None else Fraction(value)


def plain(value: Decimal) -> str:
    """A number as written without exponent or trailing zeros: 300.0 → ``300``."""
    return format(value.normalize(), "f")
