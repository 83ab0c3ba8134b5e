"""Imported SLIs count exactly on a real Prometheus.

Counters with known per-minute increments are backfilled (samples exactly on minute
boundaries, where Prometheus 2.x's closed range selectors make ``increase(x[1m])`` the exact
difference). Sloth, Pyrra and slo-generator files written for those series are imported, their
queries are read by the query convention (docs/import.md: ``{{.window}}`` → the step; a
``counter: true`` ``sum(selector)`` → ``sum(increase(selector[step]))``), and every minute's
good/bad and total equal the increments summed by hand.

Those per-minute checks ask the server's own ``increase`` over one minute, which is the exact
difference only with Prometheus 2.x's closed range selectors: Prometheus 3 selects
``(t − 1m, t]``, one sample, and answers nothing (tests/sources/test_promserver.py). So they run
on Debian stable's Prometheus only; Covenant itself reads such counters from their samples, and
the whole import → read → evaluate path runs on both releases.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest

from covenant.services.importing import plan_import
from tests.promserver import Sample, Server, openmetrics_text

START = 1_790_000_000 - 1_790_000_000 % 3600  # an hour boundary
STEP = 60
GOOD = [7, 0, 13, 4, 25, 9, 1, 30, 6, 11]  # code 200, per minute
ERR5 = [1, 0, 0, 2, 0, 5, 0, 0, 1, 0]  # code 503
ERR429 = [0, 1, 0, 0, 0, 0, 2, 0, 0, 0]  # code 429
FAST = [5, 0, 10, 4, 20, 9, 1, 22, 6, 8]  # code-200 requests under 0.25 s
UP = [4, 3, 4, 0, 2, 4, 4, 1, 4, 4]  # probe_success samples at 1 of 4 per minute


def _cumulative(increments: Sequence[int]) -> list[int]:
    values = [0]
    for step in increments:
        values.append(values[-1] + step)
    return values


def _series(name: str, labels: Mapping[str, str], increments: Sequence[int]) -> list[Sample]:
    return [
        Sample(name, labels, value, START + i * STEP)
        for i, value in enumerate(_cumulative(increments))
    ]


def _samples() -> list[Sample]:
    job = {"job": "myservice"}
    samples = _series("requests_total", {**job, "code": "200"}, GOOD)
    samples += _series("requests_total", {**job, "code": "503"}, ERR5)
    samples += _series("requests_total", {**job, "code": "429"}, ERR429)
    samples += _series("latency_seconds_bucket", {**job, "le": "0.25"}, FAST)
    samples += _series("latency_seconds_bucket", {**job, "le": "+Inf"}, GOOD)
    samples += _series("latency_seconds_bucket", {**job, "le": "1"}, GOOD)  # all under 1 s
    samples += _series("latency_seconds_count", job, GOOD)
    # a 0/1 gauge sampled 4 times a minute, off the minute boundaries (at :10, :25, :40, :55),
    # so each one-minute window holds exactly four samples
    for minute, up in enumerate(UP):
        for k in range(4):
            at = START + minute * STEP + 10 + 15 * k
            samples.append(Sample("probe_success", {"target": "a"}, 1.0 if k < up else 0.0, at))
    return samples


@pytest.fixture
def server(prometheus: Callable[..., Server]) -> Server:
    return prometheus(openmetrics=openmetrics_text(_samples(), counters=["requests"]))


def per_step(query: str, *, counter: bool) -> str:
    """The query convention for one-minute buckets."""
    if "{{.window}}" in query:
        return query.replace("{{.window}}", "1m")
    assert counter, query
    inner = re.fullmatch(r"sum\((.*)\)", query.strip(), re.S)
    assert inner is not None, query
    return f"sum(increase({inner.group(1)}[1m]))"


def counts(server: Server, query: str, *, counter: bool) -> list[int]:
    result = server.query_range(
        per_step(query, counter=counter), START + STEP, START + len(GOOD) * STEP, STEP
    )
    assert len(result) == 1, result
    values = [float(value) for _, value in result[0]["values"]]
    assert all(v == int(v) for v in values), values
    return [int(v) for v in values]


def indicators(tool: str, text: str, tmp_path: Path) -> dict[str, dict[str, Any]]:
    """SLO name → its imported ratioMetric."""
    source = tmp_path / f"{tool}.yaml"
    source.write_text(text, encoding="utf-8")
    plan = plan_import(tool, [source], into=tmp_path / f"ws-{tool}")
    assert plan.problems == []
    found = {}
    for document in plan.files[0].imported.documents:
        if document["kind"] == "SLO":
            found[document["metadata"]["name"]] = document["spec"]["indicator"]["spec"][
                "ratioMetric"
            ]
    return found


def read(server: Server, ratio: Mapping[str, Any], key: str) -> list[int]:
    query = ratio[key]["metricSource"]["spec"]["query"]
    return counts(server, query, counter=bool(ratio.get("counter")))


TOTAL = [g + a + b for g, a, b in zip(GOOD, ERR5, ERR429, strict=True)]

SLOTH = """\
version: prometheus/v1
service: myservice
slos:
  - name: availability
    objective: 99.9
    sli:
      events:
        error_query: sum(rate(requests_total{job="myservice",code=~"(5..|429)"}[{{.window}}]))
        total_query: sum(rate(requests_total{job="myservice"}[{{.window}}]))
    alerting: {name: A}
"""

# the same SLI as Sloth's raw error ratio: split into its two counts (numerator: bad events)
SLOTH_RAW = """\
version: prometheus/v1
service: myservice
slos:
  - name: availability
    objective: 99.9
    sli:
      raw:
        error_ratio_query: |
          sum(rate(requests_total{job="myservice",code=~"(5..|429)"}[{{.window}}]))
          /
          sum(rate(requests_total{job="myservice"}[{{.window}}]))
    alerting: {name: A}
"""

# the same again as Sloth's common Istio plugin writes it: the total guarded against a window
# without requests, the ratio falling back to 0 (both dropped: counts of 0 add nothing)
SLOTH_GUARDED = SLOTH_RAW.replace(
    """          sum(rate(requests_total{job="myservice",code=~"(5..|429)"}[{{.window}}]))
          /
          sum(rate(requests_total{job="myservice"}[{{.window}}]))""",
    """          (sum(rate(requests_total{job="myservice",code=~"(5..|429)"}[{{.window}}]))
          /
          (sum(rate(requests_total{job="myservice"}[{{.window}}])) > 0)) OR on() vector(0)""",
)

PYRRA = """\
apiVersion: pyrra.dev/v1alpha1
kind: ServiceLevelObjective
metadata: {name: errors, namespace: shop}
spec:
  target: "99"
  window: 4w
  indicator:
    ratio:
      errors: {metric: 'requests_total{job="myservice",code=~"5..|429"}'}
      total: {metric: 'requests_total{job="myservice"}'}
---
apiVersion: pyrra.dev/v1alpha1
kind: ServiceLevelObjective
metadata: {name: latency, namespace: shop}
spec:
  target: "90"
  window: 4w
  indicator:
    latency:
      success: {metric: 'latency_seconds_bucket{job="myservice",le="0.25"}'}
      total: {metric: 'latency_seconds_count{job="myservice"}'}
---
apiVersion: pyrra.dev/v1alpha1
kind: ServiceLevelObjective
metadata: {name: probes, namespace: shop}
spec:
  target: "95"
  window: 1w
  indicator:
    bool_gauge: {metric: 'probe_success{target="a"}'}
"""

SLO_GENERATOR = """\
apiVersion: sre.google.com/v2
kind: ServiceLevelObjective
metadata: {name: ratio, labels: {service_name: shop}}
spec:
  backend: prometheus
  method: good_bad_ratio
  service_level_indicator:
    filter_good: requests_total{job="myservice", code="200"}
    filter_valid: requests_total{job="myservice"}
  goal: 0.99
---
apiVersion: sre.google.com/v2
kind: ServiceLevelObjective
metadata: {name: cut, labels: {service_name: shop}}
spec:
  backend: prometheus
  method: distribution_cut
  service_level_indicator:
    expression: latency_seconds_bucket{job="myservice"}
    threshold_bucket: 0.25
  goal: 0.9
---
apiVersion: sre.google.com/v2
kind: ServiceLevelObjective
metadata: {name: cut-one, labels: {service_name: shop}}
spec:
  backend: prometheus
  method: distribution_cut
  service_level_indicator:
    expression: latency_seconds_bucket{job="myservice"}
    threshold_bucket: 1
  goal: 0.9
---
apiVersion: sre.google.com/v2
kind: ServiceLevelObjective
metadata: {name: query, labels: {service_name: shop}}
spec:
  backend: prometheus
  method: query_sli
  service_level_indicator:
    expression: >
      sum(rate(requests_total{job="myservice", code="200"}[window]))
      /
      sum(rate(requests_total{job="myservice"}[window]))
  goal: 0.99
---
apiVersion: sre.google.com/v2
kind: ServiceLevelObjective
metadata: {name: ranged, labels: {service_name: shop}}
spec:
  backend: prometheus
  method: good_bad_ratio
  service_level_indicator:  # slo-generator's documented form: its backend fills in [window]
    filter_good: requests_total{job="myservice", code="200"}[window]
    filter_valid: requests_total{job="myservice"}[window]
    operators: [increase, sum]
  goal: 0.99
---
apiVersion: sre.google.com/v2
kind: ServiceLevelObjective
metadata: {name: good-bad, labels: {service_name: shop}}
spec:
  backend: prometheus
  method: good_bad_ratio
  service_level_indicator:  # with filter_bad, slo-generator never asks filter_valid
    filter_good: requests_total{job="myservice", code="200"}
    filter_bad: requests_total{job="myservice", code=~"5..|429"}
    filter_valid: requests_total{job="nowhere"}
  goal: 0.99
---
apiVersion: sre.google.com/v2
kind: ServiceLevelObjective
metadata: {name: no-bad-yet, labels: {service_name: shop}}
spec:
  backend: prometheus
  method: good_bad_ratio
  service_level_indicator:  # no series of this code exists: no bad event, not no data
    filter_good: requests_total{job="myservice", code="200"}
    filter_bad: requests_total{job="myservice", code="599"}
  goal: 0.99
---
apiVersion: sre.google.com/v2
kind: ServiceLevelObjective
metadata: {name: no-good-yet, labels: {service_name: shop}}
spec:
  backend: prometheus
  method: good_bad_ratio
  service_level_indicator:  # every request fails: the bad events are the total
    filter_good: requests_total{job="myservice", code="598"}
    filter_bad: requests_total{job="myservice", code="503"}
  goal: 0.99
---
apiVersion: sre.google.com/v2
kind: ServiceLevelObjective
metadata: {name: cut-ranged, labels: {service_name: shop}}
spec:
  backend: prometheus
  method: distribution_cut
  service_level_indicator:
    expression: latency_seconds_bucket{job="myservice"}[window]
    threshold_bucket: 0.25
  goal: 0.9
---
apiVersion: sre.google.com/v2
kind: ServiceLevelObjective
metadata: {name: one-minus, labels: {service_name: shop}}
spec:
  backend: prometheus
  method: query_sli
  service_level_indicator:  # the good share as one minus the error share
    expression: >
      1 - (sum(rate(requests_total{job="myservice",code!="200"}[window]))
      / sum(rate(requests_total{job="myservice"}[window])))
  goal: 0.99
---
apiVersion: sre.google.com/v2
kind: ServiceLevelObjective
metadata: {name: rate-in-filter, labels: {service_name: shop}}
spec:
  backend: prometheus
  method: good_bad_ratio
  service_level_indicator:  # the filters hold their rate; the operators only sum
    filter_good: rate(requests_total{job="myservice", code="200"}[window])
    filter_valid: rate(requests_total{job="myservice"}[window])
    operators: [sum]
  goal: 0.99
"""


@pytest.mark.prometheus_releases("stable")  # the server's increase: see the docstring
@pytest.mark.parametrize(
    "spec", [SLOTH, SLOTH_RAW, SLOTH_GUARDED], ids=["events", "raw", "raw-guarded"]
)
def test_sloth_events_count_per_minute(server: Server, tmp_path: Path, spec: str) -> None:
    ratio = indicators("sloth", spec, tmp_path)["availability"]
    assert read(server, ratio, "bad") == [a + b for a, b in zip(ERR5, ERR429, strict=True)]
    assert read(server, ratio, "total") == TOTAL


@pytest.mark.prometheus_releases("stable")  # the server's increase: see the docstring
def test_pyrra_ratio_latency_and_bool_gauge_count_per_minute(
    server: Server, tmp_path: Path
) -> None:
    found = indicators("pyrra", PYRRA, tmp_path)
    assert read(server, found["errors"], "bad") == [
        a + b for a, b in zip(ERR5, ERR429, strict=True)
    ]
    assert read(server, found["errors"], "total") == TOTAL
    assert read(server, found["latency"], "good") == FAST
    assert read(server, found["latency"], "total") == GOOD
    assert read(server, found["probes"], "good") == UP
    assert read(server, found["probes"], "total") == [4] * len(UP)


@pytest.mark.prometheus_releases("stable")  # the server's increase: see the docstring
def test_slo_generator_methods_count_per_minute(server: Server, tmp_path: Path) -> None:
    found = indicators("slo-generator", SLO_GENERATOR, tmp_path)
    assert read(server, found["ratio"], "good") == GOOD
    assert read(server, found["ratio"], "total") == TOTAL
    assert read(server, found["cut"], "good") == FAST
    assert read(server, found["cut"], "total") == GOOD
    # le="1" read through le=~"1|1\\.0" (the spelling Prometheus 3 writes is matched too)
    assert "le=~" in found["cut-one"]["good"]["metricSource"]["spec"]["query"]
    assert read(server, found["cut-one"], "good") == GOOD
    assert read(server, found["query"], "good") == GOOD
    assert read(server, found["query"], "total") == TOTAL
    assert read(server, found["ranged"], "good") == GOOD
    assert read(server, found["ranged"], "total") == TOTAL
    assert read(server, found["good-bad"], "good") == GOOD
    assert read(server, found["good-bad"], "total") == TOTAL
    assert read(server, found["no-bad-yet"], "good") == GOOD
    assert read(server, found["no-bad-yet"], "total") == GOOD
    assert read(server, found["no-good-yet"], "total") == ERR5
    assert read(server, found["cut-ranged"], "good") == FAST
    assert read(server, found["cut-ranged"], "total") == GOOD
    assert read(server, found["one-minus"], "bad") == [
        a + b for a, b in zip(ERR5, ERR429, strict=True)
    ]
    assert read(server, found["one-minus"], "total") == TOTAL
    assert read(server, found["rate-in-filter"], "good") == GOOD
    assert read(server, found["rate-in-filter"], "total") == TOTAL


def test_slo_generator_operators_are_applied_as_its_backend_applies_them(tmp_path: Path) -> None:
    source = tmp_path / "slo.yaml"
    source.write_text(
        SLO_GENERATOR.split("---", maxsplit=1)[0].replace(
            "    filter_valid:", "    operators: [increase]\n    filter_valid:"
        ),
        encoding="utf-8",
    )
    plan = plan_import("slo-generator", [source], into=tmp_path / "ws")
    (imported,) = plan.files
    (slo,) = [d for d in imported.imported.documents if d["kind"] == "SLO"]
    ratio = slo["spec"]["indicator"]["spec"]["ratioMetric"]
    assert ratio["counter"] is False
    assert ratio["good"]["metricSource"]["spec"]["query"] == (  # summed: one series
        'sum(increase(requests_total{job="myservice", code="200"}[{{.window}}]))'
    )
    assert any("operators ['increase']" in n.reason for n in imported.imported.notes)
    source.write_text(
        source.read_text(encoding="utf-8").replace("[increase]", "[increase, 'x y']"),
        encoding="utf-8",
    )
    refused = plan_import("slo-generator", [source], into=tmp_path / "ws")
    assert [p.field for p in refused.problems] == ["spec.service_level_indicator.operators"]


@pytest.mark.parametrize("spec", [SLOTH, SLOTH_RAW], ids=["events", "raw"])
def test_import_then_ingest_then_evaluate(server: Server, tmp_path: Path, spec: str) -> None:
    """The whole path: a Sloth spec imported, read from Prometheus by `covenant ingest
    prometheus`, evaluated: the SLI is the hand-summed counts of the ten minutes (a raw error
    ratio of the same counts gives the same)."""
    import json  # noqa: PLC0415
    from datetime import UTC, datetime  # noqa: PLC0415

    from typer.testing import CliRunner  # noqa: PLC0415

    from covenant.cli.main import app  # noqa: PLC0415

    runner = CliRunner()
    source = tmp_path / "sloth.yml"
    source.write_text(spec, encoding="utf-8")
    ws = tmp_path / "ws"
    done = runner.invoke(
        app, ["import", "sloth", str(source), "--into", str(ws), "--prometheus-url", server.url]
    )
    assert done.exit_code == 0, done.output
    start = datetime.fromtimestamp(START, UTC).isoformat()
    end = datetime.fromtimestamp(START + len(GOOD) * STEP, UTC).isoformat()
    read = runner.invoke(app, ["ingest", "prometheus", "-w", str(ws), "--from", start, "--to", end])
    assert read.exit_code == 0, read.output
    shown = runner.invoke(app, ["evaluate", "-w", str(ws), "--at", end, "--format", "json"])
    assert shown.exit_code == 0, shown.output
    (result,) = json.loads(shown.output)["results"]
    assert result["slo"] == "availability"
    assert result["service"] == "myservice"
    assert result["total"] == sum(TOTAL)
    assert result["good"] == sum(GOOD)  # total - (5xx + 429)
    assert result["target"]["exact"] == "999/1000"
    assert [a["tier"] for a in result["alerts"]] == [
        "page-quick",
        "page-slow",
        "ticket-quick",
        "ticket-slow",
    ]


def test_the_same_queries_count_on_victoria_metrics(
    victoria_metrics: Callable[..., Server], tmp_path: Path
) -> None:
    """VictoriaMetrics reads the imported queries the same way (its increase does not
    extrapolate; the samples are the same)."""
    import urllib.request  # noqa: PLC0415

    vm = victoria_metrics()
    lines = []
    for sample in _samples():
        labels = ",".join(f'{k}="{v}"' for k, v in sorted(sample.labels.items()))
        lines.append(f"{sample.name}{{{labels}}} {sample.value:g} {sample.timestamp * 1000}\n")
    request = urllib.request.Request(
        f"{vm.url}/api/v1/import/prometheus", data="".join(lines).encode(), method="POST"
    )
    with urllib.request.urlopen(request, timeout=30):
        pass
    with urllib.request.urlopen(f"{vm.url}/internal/force_flush", timeout=30):
        pass
    ratio = indicators("sloth", SLOTH, tmp_path)["availability"]
    assert read(vm, ratio, "bad") == [a + b for a, b in zip(ERR5, ERR429, strict=True)]
    assert read(vm, ratio, "total") == TOTAL
    found = indicators("pyrra", PYRRA, tmp_path)
    assert read(vm, found["latency"], "good") == FAST
    assert read(vm, found["probes"], "good") == UP
    assert read(vm, found["probes"], "total") == [4] * len(UP)
    found = indicators("slo-generator", SLO_GENERATOR, tmp_path)
    assert read(vm, found["cut-one"], "good") == GOOD
    assert read(vm, found["query"], "total") == TOTAL
