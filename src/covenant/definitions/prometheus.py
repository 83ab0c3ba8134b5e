"""Prometheus DataSources and the SLIs read through them: validated, then built for the reader.

A ``DataSource`` whose ``spec.type`` is Prometheus-compatible (Prometheus, VictoriaMetrics,
Thanos, Mimir, Cortex; any case) has its ``connectionDetails`` checked here: ``url``,
``bearerTokenEnv`` or ``basicAuth: {usernameEnv, passwordEnv}`` (secrets only by
environment-variable name), ``headers``, ``headersEnv`` (header → variable: a secret header,
never written in ``headers``), ``tenant`` (sent as ``X-Scope-OrgID``), ``timeout``,
``tlsVerify``, ``caFile``. The OpenSLO Go SDK writes connectionDetails as a list of one-key
mappings; that form is read too.

An SLI whose metric sources are Prometheus-typed and name such a DataSource becomes a
:class:`~covenant.core.promql.SeriesQueries` per stored series (docs/prometheus.md). A query
the convention cannot count is a warning here (the workspace still evaluates events) and the
reason ``covenant ingest prometheus`` gives when asked to read that SLO.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Annotated, Any, TypeVar
from urllib.parse import urlsplit

from pydantic import AfterValidator, BeforeValidator, ValidationError

from covenant.core.model import EventRule, Objective
from covenant.core.promql import (
    CountQueries,
    PrometheusSource,
    QueryFormError,
    SeriesQueries,
    counter_selector,
    is_compatible,
)
from covenant.core.promql_bounds import value_doubt
from covenant.core.promql_histograms import (
    unit_doubt,
)
from covenant.definitions import endpoints
from covenant.definitions.diagnostics import WARNING, at, one_key_items, problems_from
from covenant.definitions.fields import Spec, problem
from covenant.definitions.openslo import (
    DataSourceDocument,
    InlineSLI,
    MetricSpec,
    SLIDocument,
    SLISpec,
    SLODocument,
)
from covenant.definitions.parsed import Parsed
from covenant.definitions.prometheus_checks import (
    LATENCY_BOUND,
    bound_warnings,
    unread_slis,
    unusable,
    variable_warnings,
)
from covenant.definitions.prometheus_counts import (
    count_queries,
    metrics_of,
    syntax_errors,
)
from covenant.definitions.prometheus_headers import conflicts, secret_fix
from covenant.definitions.secrets import foreign_secrets
from covenant.definitions.yamlsource import PathKey, SourceDocument
from covenant.errors import Problem

SECRET_KEYS = ("bearerToken", "token", "password", "apiKey", "secret")


def _env_name(value: str) -> str:
    return endpoints.env_name(value, code="invalid-data-source", example="PROMETHEUS_TOKEN")


_BASE_URL = (
    "write the query API's base URL, e.g. http://prometheus:9090 (Covenant adds "
    "/api/v1/query and the other API paths)"
)


def _url(value: str) -> str:
    url = endpoints.http_url(
        value,
        code="invalid-data-source",
        example=_BASE_URL,
        secret_hint="remove user:password@ and use basicAuth: {usernameEnv, passwordEnv}",
    ).rstrip("/")
    parts = urlsplit(url)
    if parts.query or parts.fragment or url.endswith("#") or url.endswith("?"):
        raise problem(
            "invalid-data-source",
            f"url {value!r} has a query or a fragment, which the API paths would follow",
            "remove ?… and #…: give parameters as headers (headers:, tenant:) instead",
        )
    if re.search(r"/api/v1(/[a-z_]*)?$", parts.path):
        raise problem(
            "invalid-data-source", f"url {value!r} names an API path, not the base URL", _BASE_URL
        )
    return url


def timeout_seconds(value: Any) -> float:
    """``30s``, ``1m``, ``500ms`` or a number of seconds; in (0, 600]."""
    return endpoints.timeout_seconds(
        value,
        code="invalid-data-source",
        limit_s=600,
        limit="of up to 10 minutes",
        example="write e.g. 30s, 2m or 500ms",
    )


EnvName = Annotated[str, AfterValidator(_env_name)]


class BasicAuth(Spec):
    username_env: EnvName
    password_env: EnvName


class Connection(Spec):
    url: Annotated[str, AfterValidator(_url)]
    bearer_token_env: EnvName | None = None
    basic_auth: BasicAuth | None = None
    headers: dict[str, str] | None = None
    headers_env: dict[str, EnvName] | None = None
    tenant: str | None = None
    timeout: Annotated[float, BeforeValidator(timeout_seconds)] = 30.0
    tls_verify: bool = True
    ca_file: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class PrometheusReads:
    """What ``covenant ingest prometheus`` can read, and why the rest cannot be read."""

    reads: tuple[SeriesQueries, ...] = ()
    unreadable: Mapping[str, str] = field(default_factory=dict)  # SLO name → reason
    inline: tuple[CountQueries, ...] = ()
    """SLIs whose metricSources are typed Prometheus inline, naming no DataSource: read from
    ingested events, but their queries still make Prometheus rules (which need no server)."""


def data_sources(parsed: Sequence[Parsed]) -> tuple[dict[str, PrometheusSource], list[Problem]]:
    """Every valid Prometheus-compatible DataSource by name, and the problems of the others."""
    found: dict[str, PrometheusSource] = {}
    problems: list[Problem] = []
    for item in parsed:
        model = item.model
        if not isinstance(model, DataSourceDocument):
            continue
        if not is_compatible(model.spec.type):  # not read here, but committed all the same
            problems += foreign_secrets(item.source, model.spec.type, model.spec.connection_details)
            continue
        source, more = _connection(item.source, model)
        problems += more
        if source is not None:
            found.setdefault(model.metadata.name, source)
    return found, problems


def _connection(
    doc: SourceDocument, model: DataSourceDocument
) -> tuple[PrometheusSource | None, list[Problem]]:
    here: PathKey = ("spec", "connectionDetails")
    raw = model.spec.connection_details
    listed = one_key_items(doc, here, raw) if isinstance(raw, list) else None
    if listed is None:
        return _details(doc, model, raw)
    source, problems = _details(listed.source, model, listed.mapping)  # the Go SDK's form
    return source, [listed.as_written(p) for p in problems]


def _details(
    doc: SourceDocument, model: DataSourceDocument, raw: Any
) -> tuple[PrometheusSource | None, list[Problem]]:
    here: PathKey = ("spec", "connectionDetails")
    if not isinstance(raw, dict):
        return None, [
            at(
                doc,
                here,
                code="invalid-data-source",
                message="a Prometheus DataSource needs connectionDetails with a url",
                fix="add connectionDetails: {url: http://prometheus:9090}",
            )
        ]
    secrets = _inline_secrets(raw)
    inline = [
        at(
            doc,
            (*here, *secret),
            code="inline-secret",
            message=f"{'.'.join(secret)} puts a secret in the workspace",
            fix=secret_fix(secret),
        )
        for secret in secrets
    ]
    try:  # the rest is checked too: every problem of the DataSource at once
        details = Connection.model_validate(_without(raw, secrets))
    except ValidationError as exc:
        return None, inline + problems_from(exc, doc, Connection, prefix=here)
    if inline:
        return None, inline
    refused = conflicts(doc, here, details)
    if refused:
        return None, refused
    auth = details.basic_auth
    ca_file = _beside(doc.file, details.ca_file)
    warned = []
    if ca_file is not None and Path(doc.file).is_file() and not Path(ca_file).is_file():
        warned.append(
            at(
                doc,
                (*here, "caFile"),
                code="ca-file-missing",
                message=f"caFile {details.ca_file!r} is not a file here ({ca_file})",
                fix="give the path of the CA's PEM file, relative to this file's folder or "
                "absolute; reads from this machine fail until it is there",
                severity=WARNING,
            )
        )
    return PrometheusSource(
        name=model.metadata.name,
        url=details.url,
        bearer_token_env=details.bearer_token_env,
        username_env=auth.username_env if auth else None,
        password_env=auth.password_env if auth else None,
        headers=tuple(sorted((details.headers or {}).items())),
        headers_env=tuple(sorted((details.headers_env or {}).items())),
        tenant=details.tenant,
        timeout_s=details.timeout,
        tls_verify=details.tls_verify,
        ca_file=ca_file,
    ), warned


def _beside(file: str, path: str | None) -> str | None:
    """A relative ``path`` written in ``file`` is read from that file's folder (as Prometheus
    reads the paths of its configuration file), whatever folder Covenant is started in; a
    definition that is not a file (the API's text) leaves it as written."""
    if path is None or Path(path).is_absolute() or not Path(file).is_file():
        return path
    return str((Path(file).parent / path).absolute())


def _without(raw: Mapping[str, Any], paths: Sequence[tuple[str, ...]]) -> dict[str, Any]:
    """``raw`` without the values at ``paths`` (one or two keys deep)."""
    out = dict(raw)
    for path in paths:
        if len(path) == 1:
            out.pop(path[0], None)
        elif isinstance(out.get(path[0]), dict):
            out[path[0]] = {k: v for k, v in out[path[0]].items() if str(k) != path[1]}
    return out


def _inline_secrets(raw: Mapping[str, Any]) -> list[tuple[str, ...]]:
    """Where the connection details hold a secret itself instead of a variable's name."""
    found: list[tuple[str, ...]] = [(k,) for k in raw if k in SECRET_KEYS]
    auth = raw.get("basicAuth")
    if isinstance(auth, dict):
        found += [("basicAuth", k) for k in ("username", "password") if k in auth]
    headers = raw.get("headers")
    if isinstance(headers, dict):
        found += [
            ("headers", str(k)) for k in headers if str(k).lower() in endpoints.SECRET_HEADERS
        ]
    return found


def prometheus_reads(
    parsed: Sequence[Parsed],
    *,
    objectives: Sequence[Objective],
    rules: Sequence[EventRule],
) -> tuple[PrometheusReads, list[Problem]]:
    """The reads of every objective whose SLI is Prometheus-typed, with their problems."""
    sources, problems = data_sources(parsed)
    by_kind: dict[tuple[str, str], Parsed] = {}
    for item in parsed:
        by_kind.setdefault((item.definition.kind, item.definition.name), item)
    by_series = {rule.series: rule for rule in rules}
    types = {
        item.definition.name: item.model.spec.type
        for item in parsed
        if isinstance(item.model, DataSourceDocument)
    }
    reads: dict[str, SeriesQueries] = {}
    inline: dict[str, CountQueries] = {}
    unreadable: dict[str, str] = {}
    reported: set[tuple[str, str]] = set()
    for o in objectives:
        if _shared(reads, o) or _shared(inline, o):
            continue
        located = _locate_sli(by_kind, o)
        if located is None:
            continue
        doc, path, spec = located
        metrics = metrics_of(spec)
        refs = {m.metric_source.metric_source_ref for _, m in metrics}
        kinds = [types.get(ref or "") for ref in refs]
        typed = [m.metric_source.type for _, m in metrics] if refs == {None} else kinds
        not_promql = syntax_errors(spec, typed)  # errors: no server would run them
        for exc in not_promql:
            problems += unusable(doc, path, spec, exc, reported)
        if not_promql:
            unreadable.setdefault(o.slo, f"SLI {o.sli!r}: {not_promql[0].message}")
            continue
        problems += variable_warnings(doc, path, spec, typed, reported)
        problems += bound_warnings(doc, path, spec, typed, reported)
        if not any(is_compatible(k) for k in kinds):
            reason = "its metricSources name no Prometheus DataSource (metricSourceRef)"
            if refs == {None} and all(is_compatible(m.metric_source.type) for _, m in metrics):
                try:  # typed Prometheus inline: rules can be made of its queries
                    inline[o.series] = count_queries(o, spec, by_series.get(o.series))
                except QueryFormError as exc:
                    reason = f"{exc.message} — {exc.hint}"
                    problems += unusable(doc, path, spec, exc, reported)
            unreadable.setdefault(o.slo, f"SLI {o.sli!r}: {reason}")
            problems += _unnamed_source(doc, path, metrics, sorted(sources), reported)
            continue
        try:
            built = _queries(o, spec, sources, by_series.get(o.series), types)
        except QueryFormError as exc:
            unreadable.setdefault(o.slo, f"SLI {o.sli!r}: {exc.message} — {exc.hint}")
            if len(refs) == 1 and refs <= set(types) - set(sources):
                continue  # its DataSource is invalid: that error says it, once
            problems += unusable(doc, path, spec, exc, reported)
            continue
        reads[o.series] = built
        problems += _unit_doubt(doc, path, built, by_series.get(o.series), reported)
    problems += unread_slis(parsed, types, reported)
    found = PrometheusReads(
        reads=tuple(reads.values()), unreadable=unreadable, inline=tuple(inline.values())
    )
    return found, problems


Q = TypeVar("Q", bound=CountQueries)


def _shared(found: dict[str, Q], o: Objective) -> bool:
    """Whether another objective reads ``o``'s series already (then ``o``'s SLO is added)."""
    known = found.get(o.series)
    if known is not None and o.slo not in known.slos:
        found[o.series] = replace(known, slos=(*known.slos, o.slo))
    return known is not None


def _unit_doubt(
    doc: SourceDocument,
    path: PathKey,
    built: SeriesQueries,
    rule: EventRule | None,
    reported: set[tuple[str, str]],
) -> list[Problem]:
    """A warning when a histogram SLI's threshold looks written in the other unit."""
    if built.bucket is None or rule is None or rule.latency_ms is None:
        return []
    selector = counter_selector(built.bucket[0])
    name = selector.name if selector else ""
    doubt = unit_doubt(name, rule.latency_ms.threshold)
    code = "histogram-unit"
    if doubt is None:  # in the histogram's unit, and still no plausible request latency?
        doubt, code = value_doubt(name, rule.latency_ms.threshold), LATENCY_BOUND
    if doubt is None or (doc.where(path), doubt[0]) in reported:
        return []
    reported.add((doc.where(path), doubt[0]))
    message, fix = doubt
    return [at(doc, path, code=code, message=message, fix=fix, severity=WARNING)]


def _unnamed_source(
    doc: SourceDocument,
    path: PathKey,
    metrics: Sequence[tuple[str, MetricSpec]],
    names: Sequence[str],
    reported: set[tuple[str, str]],
) -> list[Problem]:
    """A warning for a metric source typed Prometheus that names no DataSource, in a
    workspace that has one: it is read from ingested events only, which is rarely meant."""
    if not names:
        return []
    for key, metric in metrics:
        source = metric.metric_source
        if source.metric_source_ref is None and is_compatible(source.type):
            field = ("thresholdMetric",) if key == "threshold" else ("ratioMetric", key)
            where = (*path, *field, "metricSource")
            if (doc.where(where), "unnamed") in reported:
                return []
            reported.add((doc.where(where), "unnamed"))
            return [
                at(
                    doc,
                    where,
                    code="unresolved-reference",
                    message=f"metricSource is of type {source.type} but names no DataSource, "
                    "so Covenant reads this SLI from ingested events, not from Prometheus",
                    fix=f"{_first(doc)}add metricSourceRef: {names[0]} (the workspace's "
                    f"DataSources: {', '.join(names)}), or ingest its events",
                    severity=WARNING,
                )
            ]
    return []


def _first(doc: SourceDocument) -> str:
    """What to do before adding a reference: openslo/v1alpha has no DataSource to refer to."""
    if doc.converted_from is not None:
        return (
            f"write the file as openslo/v1 (`covenant export openslo`: {doc.converted_from} "
            "has no DataSource kind), then "
        )
    return ""


def _locate_sli(
    by_kind: Mapping[tuple[str, str], Parsed], o: Objective
) -> tuple[SourceDocument, PathKey, SLISpec] | None:
    """The SLI an objective reads: the SLI document, or the inline indicator in its SLO."""
    slo = by_kind.get(("SLO", o.slo))
    if slo is None or not isinstance(slo.model, SLODocument):
        return None
    spec = slo.model.spec
    inline: list[tuple[PathKey, InlineSLI | None]] = [(("spec", "indicator"), spec.indicator)]
    inline += [
        (("spec", "objectives", i, "indicator"), x.indicator) for i, x in enumerate(spec.objectives)
    ]
    for path, indicator in inline:
        if indicator is not None and indicator.metadata.name == o.sli:
            return slo.source, (*path, "spec"), indicator.spec
    sli = by_kind.get(("SLI", o.sli))
    if sli is not None and isinstance(sli.model, SLIDocument):
        return sli.source, ("spec",), sli.model.spec
    return None


def _queries(
    o: Objective,
    spec: SLISpec,
    sources: Mapping[str, PrometheusSource],
    rule: EventRule | None,
    types: Mapping[str, str],
) -> SeriesQueries:
    refs = {m.metric_source.metric_source_ref for _, m in metrics_of(spec)}
    if len(refs) != 1 or None in refs:
        raise QueryFormError(
            "its metrics do not all name one DataSource (metricSourceRef)",
            hint="give every metricSource the same metricSourceRef: good and total are read "
            "from one server at the same instants",
        )
    ref = next(iter(refs))
    assert ref is not None
    source = sources.get(ref)
    if source is None:
        known = ref in types
        raise QueryFormError(
            f"DataSource {ref!r} is " + ("not a valid Prometheus source" if known else "missing"),
            hint="define a DataSource of type Prometheus with connectionDetails.url"
            if not known
            else "fix the DataSource's problems listed by covenant validate",
        )
    return count_queries(o, spec, rule).read_from(source)
