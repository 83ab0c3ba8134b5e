"""``covenant import … --split-groups``: a grouped SLI as one SLO per group value.

For each grouped SLI an import made (``ImportedFile.groups``), a Prometheus is asked which
group values it has over the SLO's window, at one instant
(:func:`covenant.definitions.importers.groups.ask_query`, an instant query through the
project's client: its timeouts, retries and coded errors). Which Prometheus
(:func:`split_source`): the workspace's DataSource of the import's name, with all its
connection settings (authentication from its environment variables, headers, tenant, TLS,
timeout), unless ``--prometheus-url`` names another URL, which is then asked bare. A server
that does not answer usably fails the whole import before anything is written
(``source-unreachable``, ``source-refused``, ``source-bad-answer``, ``source-tls``,
``source-credentials``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from covenant.core.promql import PrometheusSource
from covenant.core.timeutil import utc_text
from covenant.definitions.durations import parse_duration
from covenant.definitions.importers import groups
from covenant.definitions.importers.base import Grouping, ImportedFile, Options
from covenant.definitions.yamlsource import SourceDocument
from covenant.errors import DefinitionError, SourceError, SourceUnreachableError

Ask = Callable[[str, int], list[dict[str, str]]]


@dataclass(frozen=True, slots=True, kw_only=True)
class SplitServer:
    """The server the split asks, and how the report names it."""

    source: PrometheusSource
    said: str  # "https://prom:9090 (DataSource prometheus as the workspace defines it…)"
    bare: bool = True  # the URL alone: no authentication, headers, tenant or TLS settings

    def hint(self, exc: SourceError) -> str:
        """The hint of a failed question, with the way to the DataSource's settings when the
        URL was asked bare and the server answered (a refusal, TLS, an answer not Prometheus's)."""
        hint = exc.hint or ""
        if not self.bare or isinstance(exc, SourceUnreachableError):
            return hint
        name = self.source.name
        return (
            f"{hint}; --prometheus-url is asked bare (no authentication, headers, tenant or "
            f"TLS settings): to use them define DataSource {name} in the workspace and leave "
            "--prometheus-url out (or give its url)"
        )


def _workspace_source(workspace: Sequence[SourceDocument], name: str) -> PrometheusSource | None:
    """The workspace's Prometheus-compatible DataSource ``name`` (None: it has none); one that
    is not valid is an error naming its problems."""
    from covenant.core.promql import is_compatible  # noqa: PLC0415
    from covenant.definitions.documents import parse_document  # noqa: PLC0415
    from covenant.definitions.openslo import DataSourceDocument  # noqa: PLC0415
    from covenant.definitions.prometheus import data_sources  # noqa: PLC0415

    for doc in workspace:
        data = doc.data
        if not (
            isinstance(data, dict)
            and data.get("kind") == "DataSource"
            and isinstance(data.get("metadata"), dict)
            and data["metadata"].get("name") == name
        ):
            continue
        parsed, problems = parse_document(doc)
        errors = [p for p in problems if p.severity == "error"]
        if errors:  # a DataSource with an invalid name is checked, but not used
            raise DefinitionError(problems=errors, applying=True)
        if parsed is None or not isinstance(parsed.model, DataSourceDocument):
            continue
        if parsed.definition.name != name or not is_compatible(parsed.model.spec.type):
            continue
        found, problems = data_sources([parsed])
        if name in found:
            return found[name]
        raise DefinitionError(problems=problems, applying=True)
    return None


def split_source(workspace: Sequence[SourceDocument], *, options: Options) -> SplitServer | None:
    """The server ``--split-groups`` asks: the workspace's DataSource ``options.datasource``
    (Prometheus-compatible) when ``--prometheus-url`` is not given or is its url, else the
    bare ``--prometheus-url``. None: neither."""
    defined = _workspace_source(workspace, options.datasource)
    given = options.prometheus_url.rstrip("/") if options.prometheus_url_given else None
    named = given is not None and (defined is None or given != defined.url)
    if options.split_asks_workspace_only and named:
        from covenant.services.importing import ImportOptionError  # noqa: PLC0415

        refused = ImportOptionError(
            "split_groups asks only a Prometheus DataSource the workspace defines, not a "
            "server a request names (prometheus_url): the server does not fetch addresses "
            "sent to it",
            hint=f"define the DataSource {options.datasource!r} in the workspace and leave out "
            "prometheus_url, or run `covenant import … --split-groups --prometheus-url URL` "
            "on the command line",
        )
        refused.field = "prometheus_url"
        raise refused
    if defined is None:
        if given is None:
            return None
        return SplitServer(source=PrometheusSource(name=options.datasource, url=given), said=given)
    if given is None or given == defined.url:  # a DataSource's url has no trailing / either
        return SplitServer(
            source=defined,
            bare=False,
            said=f"{defined.url} (DataSource {defined.name} as the workspace defines it, "
            "with its connection settings)",
        )
    return SplitServer(
        source=PrometheusSource(name=options.datasource, url=given),
        said=f"{given} (--prometheus-url as given, bare: not the workspace's DataSource "
        f"{defined.name} at {defined.url}, whose connection settings were not used)",
    )


def split_groups(
    files: Sequence[ImportedFile],
    *,
    options: Options,
    at: datetime,
    server: SplitServer | None = None,
    ask: Ask | None = None,
) -> None:
    """Split each grouped SLI of ``files`` by the group values the server has at ``at``
    (``ask``: the instant query, by default to ``server``, else the bare
    ``options.prometheus_url``)."""
    pending = [
        (result, grouping)
        for result in files
        for grouping in result.groups
        if grouping.document is not None
        and any(one is grouping.document for one in result.documents)
    ]
    if not pending:
        return
    if server is None:
        url = options.prometheus_url
        server = SplitServer(source=PrometheusSource(name=options.datasource, url=url), said=url)
    if ask is None:
        from covenant.sources.prometheus.client import PrometheusClient  # noqa: PLC0415

        try:
            client = PrometheusClient(server.source)
        except SourceError as exc:  # an unset credential variable, an unreadable caFile
            raise type(exc)(
                f"--split-groups: cannot ask {server.said}: {exc.message}; nothing was written",
                hint=exc.hint,
            ) from exc
        try:
            _split(pending, server=server, at=at, ask=lambda q, t: client.label_sets(q, at=t))
        finally:
            client.close()
    else:
        _split(pending, server=server, at=at, ask=ask)


def _split(
    pending: Sequence[tuple[ImportedFile, Grouping]],
    *,
    server: SplitServer,
    at: datetime,
    ask: Ask,
) -> None:
    answers: dict[str, list[dict[str, str]]] = {}
    stamp = int(at.timestamp())
    for result, grouping in pending:
        if grouping.refusal:
            groups.add_note(
                result,
                grouping,
                f"--split-groups: not split ({grouping.refusal}); imported as one SLO over all "
                "groups",
            )
            continue
        assert grouping.document is not None
        window = grouping.document["spec"]["timeWindow"][0]["duration"]
        query = groups.ask_query(grouping, parse_duration(window).rolling_seconds)
        if query not in answers:
            try:
                answers[query] = ask(query, stamp)
            except SourceError as exc:
                raise type(exc)(
                    f"--split-groups: asking {server.said} which group values exist failed: "
                    f"{exc.message}; nothing was written",
                    hint=server.hint(exc),
                ) from exc
        found = answers[query]
        seen = f"{server.said} had over the {window} window up to {utc_text(at)}"
        if not found:
            groups.add_note(
                result,
                grouping,
                f"--split-groups: {server.said} had no series for {query} at {utc_text(at)}: "
                "kept as one SLO over all groups (import again with --split-groups --force once "
                "it has)",
            )
            continue
        groups.apply_split(result, grouping, found, asked=seen)
