"""The rewrites behind ``covenant import … --split-groups`` (no server: the group values are
given; tests/services/test_import_split.py asks a real Prometheus)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from covenant.definitions.importers import groups
from covenant.definitions.importers.base import Options
from covenant.definitions.importers.pyrra import import_pyrra
from covenant.definitions.importers.sloth import import_sloth
from covenant.definitions.yamlsource import read_file, read_text
from covenant.services.import_split import split_groups

AT = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "quoted"),
    [
        ("/api/v1/query", '"/api/v1/query"'),
        ('a"b', '"a\\"b"'),
        ("a\\b", '"a\\\\b"'),
        ("line\nbreak", '"line\\nbreak"'),
        ("", '""'),
        ("Zürich", '"Zürich"'),
    ],
)
def test_values_are_quoted_as_promql_reads_them(value: str, quoted: str) -> None:
    assert groups.quote(value) == quoted


@pytest.mark.parametrize(
    ("query", "rewritten"),
    [
        ("sum(x)", 'sum(x{h="v"})'),
        ('sum(x{a="b",})', 'sum(x{a="b",h="v"})'),
        ("sum(x{})", 'sum(x{h="v"})'),
        ('{__name__="x"}', '{__name__="x",h="v"}'),
        (
            "sum(increase(x[{{.window}}] offset 5m)) / sum(increase(y[{{.window}}]))",
            'sum(increase(x{h="v"}[{{.window}}] offset 5m)) / sum(increase(y{h="v"}[{{.window}}]))',
        ),
        (
            'sum by (a) (rate(x{s="{not a brace}"}[5m]))',
            'sum by (a) (rate(x{s="{not a brace}",h="v"}[5m]))',
        ),
        ("sum(x) or vector(0)", 'sum(x{h="v"}) or vector(0)'),
        ("sum without (i) (x)", 'sum without (i) (x{h="v"})'),
        ("count_over_time(x[{{.window}}:1m])", 'count_over_time(x{h="v"}[{{.window}}:1m])'),
    ],
)
def test_the_matchers_go_into_every_selector(query: str, rewritten: str) -> None:
    assert groups.with_matchers(query, {"h": "v"}) == rewritten


@pytest.mark.parametrize("query", ["vector(1)", "sum(x", "x{{.window}}", "sum(x))]"])
def test_what_the_scanner_cannot_read_is_not_rewritten(query: str) -> None:
    assert groups.with_matchers(query, {"h": "v"}) is None


def test_names_are_dns_labels_unique_and_depend_on_their_own_values_only() -> None:
    values = [("/api/v1/query",), ("/API/v1/query",), ("",), ("/",), ("checkout",)]
    names = groups.group_names("api", values)
    assert len(set(names)) == len(names)
    assert names[4] == "api-checkout"
    assert re.fullmatch(r"api-api-v1-query-[0-9a-f]{6}", names[0])
    assert re.fullmatch(r"api-none-[0-9a-f]{6}", names[2])  # "" and "/" both slug to none
    # a value set's name does not move when another value appears (or disappears)
    assert groups.group_names("api", [values[0], values[1]]) == names[:2]
    long = groups.group_names("x" * 63, [("a" * 80,), ("b",)])
    assert all(
        len(name) <= 63 and re.fullmatch(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?", name) for name in long
    )
    assert long[0] != long[1]


def _imported(tool: str, path: Path) -> Any:
    docs, problems = read_file(path)
    assert problems == []
    convert = import_pyrra if tool == "pyrra" else import_sloth
    return convert(docs, file=str(path), options=Options(split_groups=True))


def _queries(result: Any) -> dict[str, dict[str, str]]:
    found = {}
    for document in result.documents:
        if document["kind"] == "SLO":
            ratio = document["spec"]["indicator"]["spec"]["ratioMetric"]
            found[document["metadata"]["name"]] = {
                role: ratio[role]["metricSource"]["spec"]["query"]
                for role in ("good", "bad", "total")
                if role in ratio
            }
    return found


def test_pyrra_native_latency_grouped_by_two_labels(corpus: Path) -> None:
    result = _imported("pyrra", corpus / "pyrra/pyrra-connect-latency.yaml")
    asked: list[tuple[str, int]] = []

    def ask(query: str, at: int) -> list[dict[str, str]]:
        asked.append((query, at))
        return [
            {"service": "pyrra.v1.Objectives", "method": "List"},
            {"service": "pyrra.v1.Objectives", "method": "GetStatus"},
        ]

    split_groups([result], options=Options(split_groups=True), at=AT, ask=ask)
    window = 14 * 86400  # window: 2w
    assert asked == [
        (
            "group by (service, method) (last_over_time(connect_server_requests_duration_seconds"
            f'{{job="pyrra",code="ok"}}[{window}s]))',
            int(AT.timestamp()),
        )
    ]
    selector = (
        'connect_server_requests_duration_seconds{job="pyrra",code="ok",'
        'service="pyrra.v1.Objectives",method="List"}'
    )
    hist = f"sum(increase({selector}[{{{{.window}}}}]))"
    assert _queries(result)["pyrra-connect-latency-pyrra-v1-objectives-list"] == {
        "good": f"histogram_count({hist}) * histogram_fraction(0, 0.2, {hist})",
        "total": f"histogram_count({hist})",
    }
    assert len(_queries(result)) == 2


def test_the_split_workspace_validates(corpus: Path, tmp_path: Path) -> None:
    from covenant.definitions.export import dump_yaml  # noqa: PLC0415
    from covenant.definitions.workspace import analyse_sources  # noqa: PLC0415

    result = _imported("pyrra", corpus / "pyrra/prometheus-probe-success.yaml")
    split_groups(
        [result],
        options=Options(split_groups=True),
        at=AT,
        ask=lambda query, at: [{"target": "https://a.example"}, {"target": "b:9090"}],
    )
    assert _queries(result)["prometheus-blackbox-probe-success-b-9090"] == {
        "good": 'sum(sum_over_time(probe_success{target="b:9090"}[{{.window}}]))',
        "total": 'sum(count_over_time(probe_success{target="b:9090"}[{{.window}}]))',
    }
    sources, syntax = read_text(dump_yaml(result.documents), file=str(tmp_path / "x.yaml"))
    assert syntax == []
    _, problems = analyse_sources(sources)
    assert [p for p in problems if p.severity == "error"] == []


SLOTH = """\
version: prometheus/v1
service: svc
slos:
  - name: a
    objective: 99
    sli:
      events:
        error_query: ERROR
        total_query: TOTAL
    alerting: {page_alert: {disable: true}, ticket_alert: {disable: true}}
"""


@pytest.mark.parametrize(
    ("error", "total", "why"),
    [
        (  # (error_query by (host) over total_query by (zone) is left out at import:
            # tests/definitions/test_import_sloth_events_share.py)
            "sum(rate(e[{{.window}}])) by (host)",
            "sum by (host) (sum by (instance) (rate(t[{{.window}}])))",
            "total_query: it aggregates, joins or relabels inside",
        ),
        (
            'sum by (host) (label_replace(rate(e[{{.window}}]), "host", "$1", "i", "(.*)"))',
            "sum by (host) (rate(t[{{.window}}]))",
            "error_query: it aggregates, joins or relabels inside",
        ),
        (
            "rate(e[{{.window}}])",
            "rate(t[{{.window}}])",
            "error_query: it is not aggregated",
        ),
    ],
)
def test_sloth_queries_that_cannot_be_split_safely_are_kept_and_say_why(
    tmp_path: Path, error: str, total: str, why: str
) -> None:
    source = tmp_path / "s.yaml"
    source.write_text(SLOTH.replace("ERROR", f"'{error}'").replace("TOTAL", f"'{total}'"))
    result = _imported("sloth", source)
    before = _queries(result)

    def ask(query: str, at: int) -> list[dict[str, str]]:
        raise AssertionError("a grouping that is not split asks nothing")

    split_groups([result], options=Options(split_groups=True), at=AT, ask=ask)
    assert _queries(result) == before
    reasons = [n.reason for n in result.notes if n.reason.startswith("--split-groups: not split")]
    assert len(reasons) == 1
    assert why in reasons[0]


@pytest.mark.parametrize(
    "name",
    [
        "prometheus-http.yaml",
        "prometheus-probe-success.yaml",
        "pyrra-connect-errors.yaml",
        "pyrra-connect-latency.yaml",
    ],
)
def test_every_grouped_corpus_file_splits_into_a_valid_workspace(
    corpus: Path, tmp_path: Path, name: str
) -> None:
    from covenant.definitions.export import dump_yaml  # noqa: PLC0415
    from covenant.definitions.workspace import analyse_sources  # noqa: PLC0415

    result = _imported("pyrra", corpus / "pyrra" / name)
    (grouping,) = result.groups
    labels = grouping.labels

    def ask(query: str, at: int) -> list[dict[str, str]]:
        assert query.startswith(f"group by ({', '.join(labels)}) (last_over_time(")
        return [{label: f"{label}-{n}" for label in labels} for n in (1, 2)] + [{}]

    split_groups([result], options=Options(split_groups=True), at=AT, ask=ask)
    queries = _queries(result)
    assert len(queries) == 3
    for one in queries.values():
        for query in one.values():
            for label in labels:  # every selector of every query has the group's matcher
                selectors = groups.selectors(query) or []
                assert selectors
                assert all(f'{label}="' in query[s:e] for s, e in selectors), query
    sources, _ = read_text(dump_yaml(result.documents), file=str(tmp_path / "x.yaml"))
    _, problems = analyse_sources(sources)
    assert [p for p in problems if p.severity == "error"] == []
