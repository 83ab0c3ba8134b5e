"""A ratio whose denominator is guarded against a window without events, ``(B > 0)``.

Sloth's common SLI plugins (its Istio availability and latency plugins) write their error
ratio as ``(A / (B > 0)) or on() vector(0)`` and ``1 - ((A / (B > 0)) or on() vector(1))``:
``B > 0`` keeps B only where it is above zero, so a window without requests gives no ratio
and the fallback stands in. As counts the guard changes nothing: a window without requests
has 0 bad (or good) and 0 total events either way. Before, the guard was read as a second
operator in the denominator and the SLO was left out ("counts joined by '>'").

The fixtures are written here in the shape of those plugins' rendered queries; every expected
query is derived by hand: the guard and the fallback dropped, ``rate`` read as ``increase``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from covenant.definitions.importers.count_ratio import split_counts
from covenant.services.importing import ImportPlan, plan_import


def planned(tmp_path: Path, tool: str, text: str) -> ImportPlan:
    source = tmp_path / "src.yaml"
    source.write_text(text, encoding="utf-8")
    return plan_import(tool, [source], into=tmp_path / "ws")


def ratio_of(plan: ImportPlan, name: str) -> dict[str, Any]:
    documents = [d for f in plan.files for d in f.imported.documents]
    (slo,) = [d for d in documents if d["kind"] == "SLO" and d["metadata"]["name"] == name]
    ratio: dict[str, Any] = slo["spec"]["indicator"]["spec"]["ratioMetric"]
    return ratio


def query(ratio: dict[str, Any], part: str) -> str:
    return " ".join(str(ratio[part]["metricSource"]["spec"]["query"]).split())


SLOTH = """\
version: "prometheus/v1"
service: "basket"
slos:
  - name: "calls-ok"
    objective: 99.5
    sli:
      raw:
        error_ratio_query: |
          (
            sum(rate(calls_total{ svc="basket",code=~"5.." }[{{.window}}]))
            /
            (sum(rate(calls_total{ svc="basket" }[{{.window}}])) > 0)
          ) OR on() vector(0)
    alerting:
      page_alert: {disable: true}
      ticket_alert: {disable: true}
  - name: "calls-fast"
    objective: 98
    sli:
      raw:
        error_ratio_query: |
          1 - ((
            sum(rate(call_ms_bucket{ svc="basket",le="250" }[{{.window}}]))
            /
            (sum(rate(call_ms_count{ svc="basket" }[{{.window}}])) > 0)
          ) OR on() vector(1))
    alerting:
      page_alert: {disable: true}
      ticket_alert: {disable: true}
"""


def test_sloth_raw_ratios_guarded_by_a_positive_total_are_split(tmp_path: Path) -> None:
    plan = planned(tmp_path, "sloth", SLOTH)
    assert plan.problems == []
    (file,) = plan.files
    assert file.imported.slos == ["calls-ok", "calls-fast"]
    ok = ratio_of(plan, "calls-ok")
    assert set(ok) == {"counter", "bad", "total"}
    assert query(ok, "bad") == 'sum(increase(calls_total{ svc="basket",code=~"5.." }[{{.window}}]))'
    assert query(ok, "total") == 'sum(increase(calls_total{ svc="basket" }[{{.window}}]))'
    # 1 - good share: the bucket is the good events
    fast = ratio_of(plan, "calls-fast")
    assert set(fast) == {"counter", "good", "total"}
    assert query(fast, "good") == (
        'sum(increase(call_ms_bucket{ svc="basket",le="250" }[{{.window}}]))'
    )
    assert query(fast, "total") == 'sum(increase(call_ms_count{ svc="basket" }[{{.window}}]))'
    notes = [n for n in file.imported.notes if "guard" in n.reason]
    assert len(notes) == 2
    assert all("'> 0'" in n.reason and n.field.endswith("error_ratio_query") for n in notes)


SLOGEN = """\
apiVersion: sre.google.com/v2
kind: ServiceLevelObjective
metadata:
  name: basket-calls
  labels: {service_name: basket}
spec:
  backend: prometheus
  method: query_sli
  service_level_indicator:
    expression: >
      sum(rate(calls_total{svc="basket",code!~"5.."}[window]))
      /
      (sum(rate(calls_total{svc="basket"}[window])) != 0)
  goal: 0.99
"""


def test_slo_generator_query_sli_guarded_by_a_nonzero_total_is_split(tmp_path: Path) -> None:
    plan = planned(tmp_path, "slo-generator", SLOGEN)
    assert plan.problems == []
    ratio = ratio_of(plan, "basket-calls")
    assert (
        query(ratio, "good") == 'sum(increase(calls_total{svc="basket",code!~"5.."}[{{.window}}]))'
    )
    assert query(ratio, "total") == 'sum(increase(calls_total{svc="basket"}[{{.window}}]))'


@pytest.mark.parametrize(
    "text",
    [
        # a bound other than zero drops windows that have events: not count-neutral
        "sum(increase(a[{{.window}}])) / (sum(increase(b[{{.window}}])) > 10)",
        # bool gives 0 or 1 instead of the count
        "sum(increase(a[{{.window}}])) / (sum(increase(b[{{.window}}])) > bool 0)",
        # the guard is on an operand of another operator, not on the whole part
        "sum(increase(a[{{.window}}])) / (sum(increase(b[{{.window}}])) - sum(c) > 0)",
    ],
)
def test_only_a_zero_guard_on_a_whole_part_is_dropped(text: str) -> None:
    assert split_counts(text) is None


def test_a_guard_on_each_part_is_dropped_and_said() -> None:
    split = split_counts(
        "(sum(increase(a[{{.window}}])) > 0) / (sum(increase(b[{{.window}}]))>0.0)"
    )
    assert split is not None
    assert (split.numerator, split.denominator) == (
        "sum(increase(a[{{.window}}]))",
        "sum(increase(b[{{.window}}]))",
    )
    assert split.guards == ("> 0", ">0.0")


# A part that falls back to no events when its series do not exist yet (an exporter creates
# the 5xx series at the first error): `or vector(0)` on the part is 0 events, count-neutral,
# and is kept in the imported query as Sloth's events queries keep it.
OR_ZERO = """\
version: "prometheus/v1"
service: "basket"
slos:
  - name: "calls-ok"
    objective: 99.9
    sli:
      raw:
        error_ratio_query: |
          (sum(rate(calls_total{svc="basket",code=~"5.."}[{{.window}}])) or vector(0))
          /
          sum(rate(calls_total{svc="basket"}[{{.window}}]))
    alerting:
      page_alert: {disable: true}
      ticket_alert: {disable: true}
"""


def test_a_part_falling_back_to_no_events_is_split(tmp_path: Path) -> None:
    plan = planned(tmp_path, "sloth", OR_ZERO)
    assert plan.problems == []
    ok = ratio_of(plan, "calls-ok")
    assert query(ok, "bad") == (
        'sum(increase(calls_total{svc="basket",code=~"5.."}[{{.window}}])) or vector(0)'
    )
    assert query(ok, "total") == 'sum(increase(calls_total{svc="basket"}[{{.window}}]))'


@pytest.mark.parametrize("fallback", ["or vector(1)", "or vector(0) + 1"])
def test_a_part_falling_back_to_events_is_not_split(fallback: str) -> None:
    # vector(1) would count a phantom event whenever the part has no series
    text = f"(sum(increase(a[{{{{.window}}}}])) {fallback}) / sum(increase(b[{{{{.window}}}}]))"
    assert split_counts(text) is None
