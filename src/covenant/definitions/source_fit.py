"""Whether a metricSource's query fits the DataSource it names: a ``metricSource`` that says
what its query is written for (``type: Prometheus``: PromQL) and names (``metricSourceRef``) a
DataSource of a type that cannot run it (a CloudWatch ``prometheus``) could never be read."""

from __future__ import annotations

from covenant.core.promql import is_compatible
from covenant.definitions.diagnostics import at
from covenant.definitions.openslo import DataSourceDocument
from covenant.definitions.parsed import Parsed
from covenant.definitions.yamlsource import PathKey, SourceDocument
from covenant.errors import Problem

PROMQL_TYPES = "VictoriaMetrics, Thanos, Mimir, Cortex"
"""The types other than Prometheus that run PromQL (``covenant.core.promql.COMPATIBLE``)."""


def runs(source_type: str, query_type: str) -> bool:
    """Whether a DataSource of ``source_type`` runs a query written for ``query_type``: the
    same type (in any case), or two that both read PromQL (Thanos runs a Prometheus query)."""
    if source_type.lower() == query_type.lower():
        return True
    return is_compatible(source_type) and is_compatible(query_type)


def query_language(query_type: str) -> str:
    """`` (its query is PromQL)`` for a Prometheus-compatible type, else ''."""
    return " (its query is PromQL)" if is_compatible(query_type) else ""


def wanted_source(query_type: str) -> str:
    """The DataSources that would run a query of ``query_type``, in words."""
    if is_compatible(query_type):
        return f"a DataSource of type {query_type} (or another that runs PromQL: {PROMQL_TYPES})"
    return f"a DataSource of type {query_type}"


def misfit(
    doc: SourceDocument, path: PathKey, query_type: str | None, ref: str, target: Parsed
) -> Problem | None:
    """An error at the ``metricSourceRef`` (``path``: its metricSource) when the metricSource's
    ``query_type`` is not one the DataSource ``target`` (named ``ref``) runs; None when it
    is, when the metricSource says no type, or when the DataSource is not valid (its own
    errors say why)."""
    model = target.model
    if query_type is None or not isinstance(model, DataSourceDocument):
        return None
    source_type = model.spec.type
    if runs(source_type, query_type):
        return None
    server = "server" if is_compatible(query_type) else "source"
    return at(
        doc,
        (*path, "metricSourceRef"),
        code="conflicting-fields",
        message=f"metricSource is of type {query_type}{query_language(query_type)}, but its "
        f"metricSourceRef names DataSource {ref!r} ({target.source.where()}), of type "
        f"{source_type}, which cannot run it: the SLI could never be read",
        fix=f"name {wanted_source(query_type)} in metricSourceRef; or, if DataSource {ref!r} "
        f"is such a {server}, correct its spec.type ({target.source.where(('spec', 'type'))})",
    )
