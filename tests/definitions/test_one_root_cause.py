"""One typo, one problem: the root cause at the typo's line, not a cascade.

Each case edits one line of the demo shop workspace (valid as shipped: no error, no warning)
and expects exactly one problem from the whole workspace, at the edited line. Before, a
misspelt `kind`/`apiVersion` key said only "kind is missing" at the document's first line; a
misspelt or missing `metadata.name` (or any other fault that kept a document out of the
workspace) added a "no SLI named …" for every document referring to it; a misspelt or missing
`thresholdMetric` added "op is forbidden on a ratioMetric" to the SLO using it.
"""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from covenant.definitions.workspace import analyse, analyse_text
from covenant.errors import Problem
from covenant.resources import demo_shop


@pytest.fixture
def shop(tmp_path: Path) -> Path:
    target = tmp_path / "shop"
    shutil.copytree(demo_shop(), target)
    return target


def problems(folder: Path) -> list[Problem]:
    """The workspace's problems, each ``where`` relative to ``folder``."""
    _, found = analyse([folder])
    return [replace(p, where=p.where.removeprefix(f"{folder}/")) for p in found]


def edit(folder: Path, file: str, after: str, written: str, new: str | None) -> int:
    """Replace the first line ``written`` following the line ``after`` in ``file`` with
    ``new`` (None: delete it and the lines indented under it); the 1-based line of the edit."""
    path = folder / file
    lines = path.read_text(encoding="utf-8").split("\n")
    start = lines.index(after)
    at = lines.index(written, start)
    if new is None:
        indent = len(written) - len(written.lstrip())
        end = at + 1
        while end < len(lines) and len(lines[end]) - len(lines[end].lstrip()) > indent:
            end += 1
        del lines[at:end]
    else:
        lines[at] = new
    path.write_text("\n".join(lines), encoding="utf-8")
    return at + 1


def test_the_demo_shop_is_valid_without_warnings(shop: Path) -> None:
    assert problems(shop) == []


# the SLI checkout-availability (slis.yaml) is the indicator of three SLOs
SLI_START = "apiVersion: covenant/v1"


@pytest.mark.parametrize(
    ("written", "misspelt", "meant"),
    [
        ("kind: SLI", "kidn: SLI", "kind"),
        ("apiVersion: covenant/v1", "apiversion: covenant/v1", "apiVersion"),
        ("apiVersion: covenant/v1", "apiVrsion: covenant/v1", "apiVersion"),
    ],
)
def test_a_misspelt_kind_or_api_version_key_is_named_at_its_line(
    shop: Path, written: str, misspelt: str, meant: str
) -> None:
    line = edit(shop, "slis.yaml", SLI_START, written, misspelt)
    wrong = misspelt.split(":", maxsplit=1)[0]

    found = problems(shop)

    assert len(found) == 1, "\n".join(map(str, found))
    (problem,) = found
    assert (problem.code, problem.where, problem.field) == (
        "unknown-field",
        f"slis.yaml:{line}",
        wrong,
    )
    assert problem.message == (
        f"unknown field {wrong!r}: likely the required field {meant!r}, misspelt"
    )
    assert problem.fix == f"rename {wrong} to {meant}"


def test_a_misspelt_kind_key_of_a_lone_document_is_named_too() -> None:
    text = "apiVersion: openslo/v1\nkidn: Service\nmetadata:\n  name: web\nspec: {}\n"
    _, found = analyse_text(text, file="one.yaml")
    assert [(p.code, p.where, p.fix) for p in found] == [
        ("unknown-field", "one.yaml:2", "rename kidn to kind")
    ]


def test_an_unknown_key_that_is_no_misspelling_leaves_kind_missing() -> None:
    text = "apiVersion: openslo/v1\ncolor: red\nmetadata:\n  name: web\nspec: {}\n"
    _, found = analyse_text(text, file="one.yaml")
    assert [(p.code, p.where, p.field) for p in found] == [("missing-field", "one.yaml:1", "kind")]


@pytest.mark.parametrize(
    ("file", "after", "written", "misspelt"),
    [
        (
            "slis.yaml",
            "kind: SLI",
            "  name: checkout-availability",
            "  nmae: checkout-availability",
        ),
        ("services.yaml", "kind: Service", "  name: checkout", "  naem: checkout"),
        ("services.yaml", "kind: DataSource", "  name: prometheus", "  nme: prometheus"),
        ("contracts.yaml", "kind: Customer", "  name: globex", "  nmae: globex"),
        ("contracts.yaml", "kind: Calendar", "  name: berlin-support", "  nmae: berlin-support"),
        ("slis.yaml", "kind: SLI", "metadata:", "metadaat:"),
        ("slis.yaml", "kind: SLI", "kind: SLI", "kind: SIL"),
        ("slis.yaml", SLI_START, "apiVersion: covenant/v1", "apiVersion: covenant/v2"),
        ("slis.yaml", SLI_START, "kind: SLI", None),
        ("services.yaml", "kind: Service", "kind: Service", "kind: 7"),
    ],
)
def test_references_to_a_document_broken_by_a_typo_are_not_reported_again(
    shop: Path, file: str, after: str, written: str, misspelt: str | None
) -> None:
    """The document exists under that name but its own error keeps it out of the workspace:
    that error is the one to fix, and fixing it resolves the references."""
    start = (shop / file).read_text(encoding="utf-8").split("\n").index(after) + 1
    line = edit(shop, file, after, written, misspelt)

    found = problems(shop)

    assert len(found) == 1, "\n".join(map(str, found))
    assert found[0].severity == "error"
    assert found[0].where in {f"{file}:{line}", f"{file}:{start}"}  # the key, or its document
    assert found[0].code not in {"missing-reference", "unresolved-reference"}


def test_a_document_without_a_name_takes_the_name_its_references_use(shop: Path) -> None:
    line = edit(shop, "slis.yaml", "kind: SLI", "  name: checkout-availability", None)

    found = problems(shop)

    assert len(found) == 1, "\n".join(map(str, found))
    (problem,) = found
    assert (problem.code, problem.field) == ("missing-field", "metadata.name")
    assert problem.where == f"slis.yaml:{line - 1}"  # metadata:, the name's parent
    assert problem.fix.startswith("add name: checkout-availability")
    # the three SLOs using it, by line (slos.yaml as shipped)
    slos = (shop / "slos.yaml").read_text(encoding="utf-8").split("\n")
    refs = [i + 1 for i, text in enumerate(slos) if text.endswith("Ref: checkout-availability")]
    assert len(refs) == 3
    assert f"slos.yaml:{refs[0]}" in problem.fix
    assert "2 more" in problem.fix


def test_a_reference_to_a_name_nobody_has_is_still_reported(shop: Path) -> None:
    line = edit(
        shop,
        "slos.yaml",
        "kind: SLO",
        "  indicatorRef: checkout-availability",
        "  indicatorRef: checkout-availabilty",
    )
    found = problems(shop)
    assert [(p.code, p.where) for p in found] == [("missing-reference", f"slos.yaml:{line}")]


THRESHOLD = """\
apiVersion: openslo/v1
kind: Service
metadata:
  name: web
spec: {}
---
apiVersion: openslo/v1
kind: SLI
metadata:
  name: latency
spec:
  thresholdMetric:
    metricSource:
      type: Prometheus
      spec:
        query: http_request_duration_ms_bucket
---
apiVersion: openslo/v1
kind: SLO
metadata:
  name: latency
spec:
  service: web
  indicatorRef: latency
  timeWindow:
    - duration: 28d
      isRolling: true
  budgetingMethod: Occurrences
  objectives:
    - op: lte
      value: 300
      target: 0.99
"""


def test_the_threshold_workspace_is_valid() -> None:
    _, found = analyse_text(THRESHOLD, file="ws.yaml")
    assert [p for p in found if p.severity == "error"] == []


def test_a_misspelt_threshold_metric_is_one_error_not_op_forbidden_on_the_slo() -> None:
    text = THRESHOLD.replace("  thresholdMetric:", "  thresholdMetirc:")
    _, found = analyse_text(text, file="ws.yaml")
    errors = [p for p in found if p.severity == "error"]
    assert [(p.code, p.where, p.fix) for p in errors] == [
        ("unknown-field", "ws.yaml:12", "rename thresholdMetirc to thresholdMetric")
    ]


def test_a_dropped_threshold_metric_is_one_error_not_op_forbidden_on_the_slo(
    shop: Path,
) -> None:
    edit(shop, "slis.yaml", "  name: checkout-latency", "  thresholdMetric:", None)
    found = problems(shop)
    assert "op-on-ratio-objective" not in {p.code for p in found}, "\n".join(map(str, found))
    assert all(p.where.startswith("slis.yaml:") for p in found)


def test_a_composite_component_without_indicator_is_one_error(shop: Path) -> None:
    """compositeWeight of an objective whose indicatorRef is misspelt is no second problem."""
    line = edit(
        shop,
        "slos.yaml",
        "  name: shopping-journey",
        "      indicatorRef: storefront-availability",
        "      indicatorRf: storefront-availability",
    )
    found = problems(shop)
    assert [(p.code, p.where) for p in found] == [("unknown-field", f"slos.yaml:{line}")]


def test_a_misspelt_time_window_is_named_as_the_key_it_likely_is(shop: Path) -> None:
    line = edit(shop, "slos.yaml", "kind: SLO", "  timeWindow:", "  timeWindwo:")
    found = problems(shop)
    assert [(p.code, p.where) for p in found] == [("unknown-field", f"slos.yaml:{line}")]
    assert "likely the field 'timeWindow', misspelt" in found[0].message
    assert found[0].fix == "rename timeWindwo to timeWindow"


RAW = """\
apiVersion: openslo/v1
kind: SLI
metadata:
  name: wifi
spec:
  ratioMetric:
    rawType: success
    raw:
      metricSource:
        type: Prometheus
        spec:
          query: avg(wifi_satisfaction_ratio)
"""


def test_the_raw_sli_is_valid() -> None:
    _, found = analyse_text(RAW, file="ws.yaml")
    assert [p for p in found if p.severity == "error"] == []


@pytest.mark.parametrize("misspelt", ["    rwa:", None])
def test_a_raw_ratio_without_its_raw_is_one_error(misspelt: str | None) -> None:
    """Not also "needs good or bad", "needs total" and "rawType only applies to raw"."""
    # None: raw dropped with what is under it
    text = RAW[: RAW.index("    raw:")] if misspelt is None else RAW.replace("    raw:", misspelt)
    _, found = analyse_text(text, file="ws.yaml")
    errors = [p for p in found if p.severity == "error"]
    assert len(errors) == 1, "\n".join(map(str, errors))
    if misspelt is None:
        assert (errors[0].code, errors[0].where) == ("missing-field", "ws.yaml:6")
        assert "no raw" in errors[0].message
    else:
        assert (errors[0].code, errors[0].where) == ("unknown-field", "ws.yaml:8")
        assert errors[0].fix == "rename rwa to raw"


def test_a_misspelt_query_is_named_at_its_line(shop: Path) -> None:
    """Before: "a metricSource has no spec.query" at the metricSource's spec line."""
    line = edit(
        shop,
        "slis.yaml",
        "  name: checkout-availability",
        '          query: sum(http_requests_total{service="checkout",code!~"5.."})',
        '          queyr: sum(http_requests_total{service="checkout",code!~"5.."})',
    )
    found = problems(shop)
    assert [(p.code, p.where, p.field) for p in found] == [
        (
            "prometheus-query-form",
            f"slis.yaml:{line}",
            "spec.ratioMetric.good.metricSource.spec.queyr",
        )
    ]
    assert "'queyr' is likely 'query', misspelt" in found[0].message
    assert found[0].fix == "rename queyr to query"


ALPHA = """\
apiVersion: openslo/v1alpha
kind: SLO
metadata:
  name: web-latency
spec:
  service: web
  indicator:
    thresholdMetric:
      source: Prometheus
      queryType: query
      query: api_server_request_msec
  timeWindows:
    - unit: Week
      count: 1
      isRolling: true
  budgetingMethod: Occurrences
  objectives:
    - displayName: Good
      value: 200.0
      op: gt
      target: 0.98
"""


def test_a_key_folded_once_still_folds_what_the_workspace_finds_missing() -> None:
    """`valeu` in an openslo/v1alpha objective: the conversion's "requires value" (folded
    when the document is read) and the threshold SLI's "needs value" (found when the
    workspace is resolved) are both the misspelt key."""
    _, before = analyse_text(ALPHA, file="ws.yaml")
    assert [p for p in before if p.severity == "error"] == []
    _, found = analyse_text(
        ALPHA.replace("      value: 200.0", "      valeu: 200.0"), file="ws.yaml"
    )
    errors = [p for p in found if p.severity == "error"]
    assert [(p.code, p.where, p.fix) for p in errors] == [
        ("unknown-field", "ws.yaml:19", "rename valeu to value")
    ]


# openslo/v1alpha and openslo.com/v2alpha keys that openslo/v1 does not have: misspelt, each
# was unknown with openslo/v1's keys as the choices (or none) and the conversion, not finding
# the key, left the document incomplete: "the SLO has no indicator", "required field
# 'metadata' is missing"… besides the typo
V1ALPHA_RATIO = """\
apiVersion: openslo/v1alpha
kind: SLO
metadata:
  name: search
spec:
  service: search
  timeWindows:
    - unit: Day
      count: 28
      isRolling: true
  budgetingMethod: Occurrences
  objectives:
    - displayName: Good
      value: 1
      target: 0.99
      ratioMetrics:
        incremental: true
        good:
          source: prometheus
          queryType: promql
          query: good
        total: {source: prometheus, queryType: promql, query: total}
"""

V2ALPHA_RATIO = """\
apiVersion: openslo.com/v2alpha
kind: SLO
metadata:
  name: search
spec:
  serviceRef: search
  sli:
    metadata: {name: search}
    spec:
      ratioMetric:
        counter: true
        good:
          dataSourceSpec:
            type: prometheus
          spec: {queryType: promql, query: good}
        total:
          dataSourceSpec: {type: prometheus}
          spec: {queryType: promql, query: total}
  timeWindow:
    - duration: 28d
      isRolling: true
  budgetingMethod: Occurrences
  objectives:
    - displayName: Good
      target: 0.99
"""


def _only_error(text: str) -> tuple[str, str, str, str, str]:
    _, found = analyse_text(text, file="ws.yaml")
    errors = [p for p in found if p.severity == "error"]
    assert len(errors) == 1, "\n".join(map(str, errors))
    (p,) = errors
    return (p.code, p.where, p.field, p.message, p.fix)


@pytest.mark.parametrize("text", [V1ALPHA_RATIO, V2ALPHA_RATIO, ALPHA])
def test_the_alpha_documents_have_no_error(text: str) -> None:
    _, found = analyse_text(text, file="ws.yaml")
    assert [p for p in found if p.severity == "error"] == []


@pytest.mark.parametrize(
    ("text", "written", "misspelt", "expected"),
    [
        (
            ALPHA,
            "    thresholdMetric:",
            "    thresholdMetrci:",
            (
                "ws.yaml:8",
                "spec.indicator.thresholdMetrci",
                "unknown field 'thresholdMetrci': likely the required field 'thresholdMetric', "
                "misspelt",
                "rename thresholdMetrci to thresholdMetric",
            ),
        ),
        (
            ALPHA,
            "      source: Prometheus",
            "      sorce: Prometheus",
            (
                "ws.yaml:9",
                "spec.indicator.thresholdMetric.sorce",
                "unknown field 'sorce': likely the required field 'source', misspelt",
                "rename sorce to source",
            ),
        ),
        (
            V1ALPHA_RATIO,
            "      ratioMetrics:",
            "      ratioMetrisc:",
            (
                "ws.yaml:16",
                "spec.objectives[0].ratioMetrisc",
                "unknown field 'ratioMetrisc': likely the field 'ratioMetrics', misspelt",
                "rename ratioMetrisc to ratioMetrics",
            ),
        ),
        (
            V1ALPHA_RATIO,
            "  timeWindows:",
            "  timeWindws:",
            (
                "ws.yaml:7",
                "spec.timeWindws",
                "unknown field 'timeWindws': likely the field 'timeWindows', misspelt",
                "rename timeWindws to timeWindows",
            ),
        ),
        (
            V1ALPHA_RATIO,
            "        incremental: true",
            "        incrementl: true",
            (
                "ws.yaml:17",
                "spec.objectives[0].ratioMetrics.incrementl",
                "unknown field 'incrementl': likely the field 'incremental', misspelt",
                "rename incrementl to incremental",
            ),
        ),
        (
            V1ALPHA_RATIO,
            "          query: good",
            "          qurey: good",
            (
                "ws.yaml:21",
                "spec.objectives[0].ratioMetrics.good.qurey",
                "unknown field 'qurey': likely the required field 'query', misspelt",
                "rename qurey to query",
            ),
        ),
        (
            V2ALPHA_RATIO,
            "  sli:",
            "  sil:",
            (
                "ws.yaml:7",
                "spec.sil",
                "unknown field 'sil': likely the field 'sli', misspelt",
                "rename sil to sli",
            ),
        ),
        (
            V2ALPHA_RATIO,
            "  serviceRef: search",
            "  servceRef: search",
            (
                "ws.yaml:6",
                "spec.servceRef",
                "unknown field 'servceRef': likely the required field 'serviceRef', misspelt",
                "rename servceRef to serviceRef",
            ),
        ),
        (
            V2ALPHA_RATIO,
            "          dataSourceSpec:\n",
            "          dataSorceSpec:\n",
            (
                "ws.yaml:13",
                "spec.sli.spec.ratioMetric.good.dataSorceSpec",
                "unknown field 'dataSorceSpec': likely the field 'dataSourceSpec', misspelt",
                "rename dataSorceSpec to dataSourceSpec",
            ),
        ),
    ],
    ids=lambda value: (
        value.strip() if isinstance(value, str) and "\n" not in value.strip() else None
    ),
)
def test_a_misspelt_alpha_key_is_one_error_at_its_line(
    text: str, written: str, misspelt: str, expected: tuple[str, str, str, str]
) -> None:
    assert text.count(written) == 1
    assert _only_error(text.replace(written, misspelt)) == ("unknown-field", *expected)


def test_two_misspellings_of_one_alpha_key_read_the_first_as_it() -> None:
    text = V2ALPHA_RATIO.replace("  sli:\n", "  sil:\n").replace(
        "  timeWindow:", "  slii: {metadata: {name: x}}\n  timeWindow:"
    )
    _, found = analyse_text(text, file="ws.yaml")
    assert [(p.code, p.where, p.field) for p in found if p.severity == "error"] == [
        ("unknown-field", "ws.yaml:7", "spec.sil"),
        ("unknown-field", "ws.yaml:19", "spec.slii"),
    ]


# a credit tier's bound in error: the tier is not checked against the others, so its error is
# the only problem (no "credits[1] overlaps credits[0]" from the tier read without its bound)
TIER = "            - {below: 99.9, atLeast: 99.0, credit: 10}"


@pytest.mark.parametrize(
    ("written", "code", "field"),
    [
        ("{below: 99.9, atLeats: 99.0, credit: 10}", "unknown-field", "atLeats"),
        ("{below: 99.9, atLeast: abc, credit: 10}", "invalid-type", "atLeast"),
        ("{below: 99.9, atLeast: 199.0, credit: 10}", "percent-out-of-range", "atLeast"),
        ("{below: 99.9, atLeast: 99.0, above: 98, credit: 10}", "conflicting-fields", "above"),
        ("{below: 99.9, atMost: 99.9, atLeast: 99.0, credit: 10}", "conflicting-fields", "atMost"),
    ],
)
def test_a_credit_tier_bound_in_error_is_one_problem(
    shop: Path, written: str, code: str, field: str
) -> None:
    line = edit(shop, "contracts.yaml", TIER, TIER, f"            - {written}")
    assert [(p.code, p.where, p.field) for p in problems(shop)] == [
        (code, f"contracts.yaml:{line}", f"spec.versions[0].availability[0].credits[0].{field}")
    ]
