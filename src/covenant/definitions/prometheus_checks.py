"""The problems of an SLI's Prometheus queries said at each query's own line: a query the
convention cannot count (a warning), one that is not PromQL (an error), one with a Grafana
variable in a label value (a warning: it parses, and matches no series), for SLIs an SLO reads
and those none does (docs/prometheus.md#query-syntax)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from covenant.core.promql import QueryFormError, shown
from covenant.core.promql_bounds import bound_doubt
from covenant.core.promql_syntax import QuerySyntaxError
from covenant.definitions.diagnostics import WARNING, at
from covenant.definitions.openslo import SLIDocument, SLISpec
from covenant.definitions.parsed import Parsed
from covenant.definitions.prometheus_counts import (
    latency_bounds,
    metrics_of,
    query_path,
    syntax_errors,
    value_variables,
)
from covenant.definitions.yamlsource import PathKey, SourceDocument
from covenant.errors import Problem

VARIABLE_FIX = (
    'write the value the variable stands for, e.g. job="api": a Grafana dashboard or a '
    "templating tool fills it in, Prometheus and Covenant do not"
)


def unread_slis(
    parsed: Sequence[Parsed], types: Mapping[str, str], reported: set[tuple[str, str]]
) -> list[Problem]:
    """Each SLI document's queries that are not PromQL, read by an objective or not (once)."""
    found: list[Problem] = []
    for item in parsed:
        if isinstance(item.model, SLIDocument):
            metrics = metrics_of(spec := item.model.spec)
            refs = [(m.metric_source.metric_source_ref, m.metric_source.type) for _, m in metrics]
            kinds = [kind if ref is None else types.get(ref) for ref, kind in refs]
            for exc in syntax_errors(spec, kinds):
                found += unusable(item.source, ("spec",), spec, exc, reported)
            found += variable_warnings(item.source, ("spec",), spec, kinds, reported)
            found += bound_warnings(item.source, ("spec",), spec, kinds, reported)
    return found


def unusable(
    doc: SourceDocument,
    path: PathKey,
    spec: SLISpec,
    exc: QueryFormError,
    reported: set[tuple[str, str]],
) -> list[Problem]:
    """A warning at the query's own line that Prometheus cannot count it (once per line)."""
    written = (*path, *query_path(spec, exc.part))
    if (doc.where(written), exc.message) in reported:
        return []
    reported.add((doc.where(written), exc.message))
    if isinstance(exc, QuerySyntaxError):  # no server would run it: an error
        return [at(doc, written, code=exc.code, message=exc.message, fix=exc.hint)]
    return [
        at(
            doc,
            written,
            code=exc.code,
            message=f"cannot be read from Prometheus: {exc.message}",
            fix=exc.hint,
            severity=WARNING,
        )
    ]


def variable_warnings(
    doc: SourceDocument,
    path: PathKey,
    spec: SLISpec,
    kinds: Sequence[str | None],
    reported: set[tuple[str, str]],
) -> list[Problem]:
    """A warning at each query holding a Grafana variable in a label value (once per line)."""
    found: list[Problem] = []
    for part, query, variable in value_variables(spec, kinds):
        written = (*path, *query_path(spec, part))
        message = (
            f"{shown(query)} holds the variable {variable!r} in a label value: Prometheus "
            f"matches it as the text {variable}, which no series has, so it reads no data"
        )
        if (doc.where(written), message) not in reported:
            reported.add((doc.where(written), message))
            found.append(
                at(
                    doc,
                    written,
                    code="dashboard-variable",
                    message=message,
                    fix=VARIABLE_FIX,
                    severity=WARNING,
                )
            )
    return found


LATENCY_BOUND = "implausible-latency-bound"


def bound_warnings(
    doc: SourceDocument,
    path: PathKey,
    spec: SLISpec,
    kinds: Sequence[str | None],
    reported: set[tuple[str, str]],
) -> list[Problem]:
    """A warning at each query whose histogram bucket bound, read in the unit its metric's
    name gives, is no plausible request latency (once per line and bound)."""
    found: list[Problem] = []
    for part, bound in latency_bounds(spec, kinds):
        doubt = bound_doubt(bound)
        if doubt is None:
            continue
        written = (*path, *query_path(spec, part))
        message, fix = doubt
        if (doc.where(written), message) not in reported:
            reported.add((doc.where(written), message))
            found.append(
                at(doc, written, code=LATENCY_BOUND, message=message, fix=fix, severity=WARNING)
            )
    return found
