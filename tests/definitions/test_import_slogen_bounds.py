"""A latency bound written in a slo-generator SLI is carried into the imported SLI, end to end.

Before, a Service Monitoring ``distribution_cut`` (``range_max: 724``), a Service Monitoring
``basic`` latency SLI (``latency.threshold: 724``) and a Dynatrace ``threshold`` SLI
(``threshold: 50000`` µs) were imported with good and total the same query and no events rule:
every event ingested with ``covenant ingest events`` counted as good, a 5,000 ms request too.

The fixtures are the shapes of slo-generator's samples (``samples/cloud_service_monitoring/
slo_lb_request_latency.yaml``, ``slo_gae_app_latency_basic.yaml``, ``samples/dynatrace/
slo_dt_app_latency_threshold.yaml``). Each expected count is derived by hand from the rule
slo-generator applies (google/slo-generator ``slo_generator/backends/``):

- ``cloud_service_monitoring.py`` ``build_slo``: ``distribution_cut`` sends
  ``range: {max: float(range_max)}`` (and ``min`` unless it is 0); the API counts good service
  as the values ``range.min <= x < range.max`` — so 724 ms itself is bad;
- the same, ``basic``: ``latency.threshold`` becomes ``nanos = int(threshold) * 10**6`` (ms);
  good service is the requests that "return in no more than threshold" — 724 ms is good;
- ``dynatrace.py`` ``count_threshold``: good are the values ``< threshold`` (``> threshold``
  with ``good_below_threshold: false``), in µs; a value equal to it is neither good nor bad.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from covenant.cli.main import app
from covenant.definitions.importers.base import Note
from covenant.services.importing import ImportPlan, plan_import

runner = CliRunner()
AT = "2026-10-01T01:00:00Z"


@pytest.fixture(autouse=True)
def _no_shared_database(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("COVENANT_DATABASE_URL", raising=False)


def slo(name: str, backend: str, method: str, sli: str, *, goal: str = "0.98") -> str:
    return f"""\
apiVersion: sre.google.com/v2
kind: ServiceLevelObjective
metadata: {{name: {name}, labels: {{service_name: app}}}}
spec:
  backend: {backend}
  method: {method}
  service_level_indicator:
{sli}  goal: {goal}
"""


RANGE_CUT = slo(
    "lb-latency",
    "cloud_service_monitoring",
    "distribution_cut",
    """\
    filter_valid: metric.type="loadbalancing.googleapis.com/https/total_latencies"
    range_min: 0
    range_max: 724     # ms
""",
)
BASIC = slo(
    "gae-latency-basic",
    "cloud_service_monitoring",
    "basic",
    """\
    app_engine: {project_id: p, module_id: m}
    latency:
      threshold: 724  # ms
""",
    goal="0.999",
)
DYNATRACE = slo(
    "dt-latency",
    "dynatrace",
    "threshold",
    """\
    query_valid:
      metric_selector: ext:app.request_latency:filter(eq(app,test_app))
      entity_selector: type(HOST)
    threshold: 50000          # us
""",
    goal="0.999",
)
DYNATRACE_ABOVE = slo(
    "dt-slow-on-purpose",
    "dynatrace",
    "threshold",
    """\
    query_valid: {metric_selector: builtin:service.response.time}
    threshold: 1234
    good_below_threshold: 0
""",
)


def imported(tmp_path: Path, *texts: str) -> Path:
    source = tmp_path / "slos.yaml"
    source.write_text("---\n".join(texts), encoding="utf-8")
    ws = tmp_path / "ws"
    result = runner.invoke(app, ["import", "slo-generator", str(source), "--into", str(ws)])
    assert result.exit_code == 0, result.output
    assert runner.invoke(app, ["validate", str(ws)]).exit_code == 0
    return ws


def counts(ws: Path, rows: list[tuple[str, str]]) -> dict[str, tuple[int, int]]:
    """Ingest one event per ``(sli, latency_ms)`` row, as a user would; ``{slo: (good, total)}``."""
    events = ws / "events.csv"
    lines = ["timestamp,sli,status,latency_ms"]
    lines += [f"2026-10-01T00:00:{i:02d}Z,{sli},200,{ms}" for i, (sli, ms) in enumerate(rows)]
    events.write_text("\n".join(lines) + "\n", encoding="utf-8")
    ingest = runner.invoke(app, ["ingest", "events", str(events), "-w", str(ws)])
    assert ingest.exit_code == 0, ingest.output
    result = runner.invoke(app, ["evaluate", "-w", str(ws), "--format", "json", "--at", AT])
    assert result.exit_code == 0, result.output
    return {r["slo"]: (r["good"], r["total"]) for r in json.loads(result.output)["results"]}


def rule_of(ws: Path, name: str) -> str:
    """The ``covenant.dev/events`` annotation of the imported SLO ``name``'s SLI."""
    written = yaml.safe_load_all((ws / "slo-generator-slos.yaml").read_text(encoding="utf-8"))
    (doc,) = [d for d in written if d["kind"] == "SLO" and d["metadata"]["name"] == name]
    rule: str = doc["spec"]["indicator"]["metadata"]["annotations"]["covenant.dev/events"]
    return rule


def test_a_service_monitoring_range_counts_below_range_max_as_good(tmp_path: Path) -> None:
    ws = imported(tmp_path, RANGE_CUT)
    # range.min 0 <= x < range.max 724: 0 and 723.999 good; 724 and 5000 bad
    rows = [("lb-latency", ms) for ms in ("0", "723.999", "724", "5000")]
    assert counts(ws, rows) == {"lb-latency": (2, 4)}
    assert rule_of(ws, "lb-latency") == '{"latencyMs": {"op": "lt", "value": 724}}'


def test_a_service_monitoring_basic_latency_counts_up_to_the_threshold(tmp_path: Path) -> None:
    ws = imported(tmp_path, BASIC)
    # "return in no more than" 724 ms: 723.999 and 724 good; 724.001 and 5000 bad
    rows = [("gae-latency-basic", ms) for ms in ("723.999", "724", "724.001", "5000")]
    assert counts(ws, rows) == {"gae-latency-basic": (2, 4)}
    assert rule_of(ws, "gae-latency-basic") == '{"latencyMs": {"op": "lte", "value": 724}}'


def test_a_dynatrace_threshold_in_microseconds_is_carried_in_ms(tmp_path: Path) -> None:
    ws = imported(tmp_path, DYNATRACE, DYNATRACE_ABOVE)
    rows = [("dt-latency", ms) for ms in ("49.999", "50.001", "5000")]
    rows += [("dt-slow-on-purpose", ms) for ms in ("1.233", "1.235", "9")]
    # 49 999 µs < 50 000 good, 50 001 µs and 5 000 000 µs bad; good_below_threshold: 0 is
    # false to slo-generator (`if good_below_threshold:`): good above 1 234 µs, 2 of 3
    assert counts(ws, rows) == {"dt-latency": (1, 3), "dt-slow-on-purpose": (2, 3)}
    assert rule_of(ws, "dt-latency") == '{"latencyMs": {"op": "lt", "value": 50}}'
    assert rule_of(ws, "dt-slow-on-purpose") == '{"latencyMs": {"op": "gt", "value": 1.234}}'


def test_a_dynatrace_threshold_on_a_metric_not_a_latency_is_left_out(tmp_path: Path) -> None:
    """slo-generator compares any metric's values with the threshold (a throughput here);
    ingested events carry a latency only, so such an SLO cannot be counted from them."""
    rate = DYNATRACE.replace("ext:app.request_latency", "ext:app.rate").replace(
        "dt-latency", "dt-rate"
    )
    source = tmp_path / "slos.yaml"
    source.write_text(rate + "---\n" + BASIC, encoding="utf-8")
    plan = plan_import("slo-generator", [source], into=tmp_path / "ws")
    assert plan.problems == []
    assert plan.files[0].imported.slos == ["gae-latency-basic"]
    (note,) = [n for n in notes(plan) if n.skipped]
    assert note.field == "spec.service_level_indicator.threshold"
    assert "'ext:app.rate:filter(eq(app,test_app))', which is not named as a latency" in (
        note.reason
    )


@pytest.mark.parametrize(
    ("written", "said"),
    [
        ("range_max: 1e1000000", "range_max 1E+1000000 is not a latency bound"),
        ("range_max: 0", "range_max 0 is not a latency bound"),
        ("range_max: -5", "range_max -5 is not a latency bound"),
        ("range_max: 1000000001", "range_max 1000000001 is not a latency bound"),
    ],
)
def test_a_bound_that_is_no_latency_is_refused_at_its_field(
    tmp_path: Path, written: str, said: str
) -> None:
    source = tmp_path / "slos.yaml"
    source.write_text(RANGE_CUT.replace("range_max: 724", written), encoding="utf-8")
    plan = plan_import("slo-generator", [source], into=tmp_path / "ws")
    (problem,) = plan.problems
    assert problem.field == "spec.service_level_indicator.range_max"
    assert problem.message.startswith(said), problem.message


def test_a_dynatrace_split_threshold_its_early_name_is_read_alike(tmp_path: Path) -> None:
    ws = imported(tmp_path, DYNATRACE.replace("method: threshold", "method: split_threshold"))
    assert counts(ws, [("dt-latency", "49.999"), ("dt-latency", "50.001")]) == {
        "dt-latency": (1, 2)
    }
    assert rule_of(ws, "dt-latency") == '{"latencyMs": {"op": "lt", "value": 50}}'


def test_a_dynatrace_value_at_the_threshold_counts_bad_and_the_note_says_so(
    tmp_path: Path,
) -> None:
    """slo-generator counts a value equal to the threshold in neither good nor bad (its total
    leaves it out); an events rule has no such third way: Covenant counts it bad, noted."""
    ws = imported(tmp_path, DYNATRACE)
    assert counts(ws, [("dt-latency", "50")]) == {"dt-latency": (0, 1)}
    source = tmp_path / "slos.yaml"
    plan = plan_import("slo-generator", [source], into=tmp_path / "other")
    (note,) = [n for n in notes(plan) if n.field.endswith("threshold")]
    assert "a value equal to it slo-generator counts neither good nor bad" in note.reason
    assert "slo-generator counts the metric's values per time slot" in note.reason
    assert "= 50 ms" in note.reason


def notes(plan: ImportPlan) -> list[Note]:
    return [n for f in plan.files for n in f.imported.notes]


def test_a_range_with_a_lower_bound_is_left_out_naming_range_min(tmp_path: Path) -> None:
    both = RANGE_CUT.replace("range_min: 0", "range_min: 100")
    source = tmp_path / "slos.yaml"
    source.write_text(both + "---\n" + BASIC, encoding="utf-8")
    plan = plan_import("slo-generator", [source], into=tmp_path / "ws")
    assert plan.problems == []
    assert plan.files[0].imported.slos == ["gae-latency-basic"]
    (note,) = [n for n in notes(plan) if n.skipped]
    assert note.field == "spec.service_level_indicator.range_min"
    assert note.where.endswith(":9")
    assert "range_min 100 <= latency < range_max 724" in note.reason
    assert '\'{"latencyMs": {"op": "lt", "value": 724}}\'' in note.reason
    assert "drop range_min" in note.reason
    assert "good and total columns" in note.reason


def test_a_range_cut_without_range_max_is_refused(tmp_path: Path) -> None:
    source = tmp_path / "slos.yaml"
    source.write_text(RANGE_CUT.replace("    range_max: 724     # ms\n", ""), encoding="utf-8")
    plan = plan_import("slo-generator", [source], into=tmp_path / "ws")
    (problem,) = plan.problems
    assert problem.field == "spec.service_level_indicator.range_max"
    assert "range_max is missing" in problem.message


def test_a_fractional_basic_threshold_is_the_whole_ms_slo_generator_sends(tmp_path: Path) -> None:
    ws = imported(tmp_path, BASIC.replace("threshold: 724", "threshold: 724.9"))
    assert rule_of(ws, "gae-latency-basic") == '{"latencyMs": {"op": "lte", "value": 724}}'
