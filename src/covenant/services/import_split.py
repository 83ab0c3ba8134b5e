"""``covenant import … --split-groups``: a grouped SLI as one SLO per group value.

For each grouped SLI an import made (``ImportedFile.groups``), the Prometheus at
``--prometheus-url`` is asked which group values it has over the SLO's window, at one instant
(:func:`covenant.definitions.importers.groups.ask_query`, an instant query through the
project's client: its timeouts, retries and coded errors). A server that does not answer
usably fails the whole import before anything is written (``source-unreachable``,
``source-refused``, ``source-bad-answer``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from covenant.core.promql import PrometheusSource
from covenant.definitions.durations import parse_duration
from covenant.definitions.importers import groups
from covenant.definitions.importers.base import Grouping, ImportedFile, Options
from covenant.errors import SourceError

Ask = Callable[[str, int], list[dict[str, str]]]


def _instant(at: datetime) -> str:
    return at.isoformat().replace("+00:00", "Z")


def split_groups(
    files: Sequence[ImportedFile], *, options: Options, at: datetime, ask: Ask | None = None
) -> None:
    """Split each grouped SLI of ``files`` by the group values the server has at ``at``
    (``ask``: the instant query, by default the server at ``options.prometheus_url``)."""
    pending = [
        (result, grouping)
        for result in files
        for grouping in result.groups
        if grouping.document is not None
        and any(one is grouping.document for one in result.documents)
    ]
    if not pending:
        return
    server = options.prometheus_url
    if ask is None:
        from covenant.sources.prometheus.client import PrometheusClient  # noqa: PLC0415

        client = PrometheusClient(PrometheusSource(name=options.datasource, url=server))
        try:
            _split(pending, server=server, at=at, ask=lambda q, t: client.label_sets(q, at=t))
        finally:
            client.close()
    else:
        _split(pending, server=server, at=at, ask=ask)


def _split(
    pending: Sequence[tuple[ImportedFile, Grouping]], *, server: str, at: datetime, ask: Ask
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
        query = groups.ask_query(grouping, parse_duration(window).seconds)
        if query not in answers:
            try:
                answers[query] = ask(query, stamp)
            except SourceError as exc:
                raise type(exc)(
                    f"--split-groups: asking {server} which group values exist failed: "
                    f"{exc.message}; nothing was written",
                    hint=exc.hint,
                ) from exc
        found = answers[query]
        seen = f"{server} had over the {window} window up to {_instant(at)}"
        if not found:
            groups.add_note(
                result,
                grouping,
                f"--split-groups: {server} had no series for {query} at {_instant(at)}: kept as "
                "one SLO over all groups (import again with --split-groups --force once it has)",
            )
            continue
        groups.apply_split(result, grouping, found, asked=seen)
