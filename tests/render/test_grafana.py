"""Grafana dashboards read only series the generated rules record."""

from __future__ import annotations

import json
import re
from pathlib import Path

from covenant.definitions.workspace import load_workspace
from covenant.render.grafana import dashboard_uid, dashboards
from covenant.render.prom_rules import rule_groups
from covenant.services.dashboards import write_grafana_dashboards
from covenant.services.prom_rules import plan_rules

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "prometheus"
SELECTOR = re.compile(r"([a-zA-Z_:][a-zA-Z0-9_:]*)\s*(\{[^}]*\})")
WORDS = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*")


def _exprs(model: object) -> list[str]:
    found: list[str] = []
    if isinstance(model, dict):
        for key, value in model.items():
            if key == "expr" and isinstance(value, str):
                found.append(value)
            else:
                found += _exprs(value)
    elif isinstance(model, list):
        for item in model:
            found += _exprs(item)
    return found


def _series(expr: str) -> list[tuple[str, str]]:
    return [(m.group(1), m.group(2)) for m in SELECTOR.finditer(expr)]


def test_every_dashboard_query_reads_a_recorded_series() -> None:
    plan = plan_rules(load_workspace(EXAMPLE))
    groups = rule_groups(plan.targets)
    recorded = {
        (r["record"], r["labels"]["sloth_id"]) for g in groups for r in g["rules"] if "record" in r
    }
    boards = dashboards(plan.targets)
    assert sorted(boards) == ["api"]
    exprs = _exprs(boards["api"])
    assert len(exprs) >= 3 * 7
    for expr in exprs:
        series = _series(expr)
        assert series, expr
        for name, selector in series:
            sloth_id = re.search(r'sloth_id="([^"]+)"', selector)
            assert sloth_id is not None, expr
            assert (name, sloth_id.group(1)) in recorded, f"{name} in {expr!r} is not recorded"
        # nothing but selectors, numbers and operators: no raw metric, no function of one
        rest = SELECTOR.sub("", expr)
        assert not WORDS.findall(rest), expr


def test_the_check_sees_a_series_no_rule_records() -> None:
    """The check can fail: a dashboard query on a raw metric is not among the recordings."""
    plan = plan_rules(load_workspace(EXAMPLE))
    recorded = {r["record"] for g in rule_groups(plan.targets) for r in g["rules"] if "record" in r}
    ((name, _),) = _series('http_requests_total{sloth_id="api-api-availability"}')
    assert name not in recorded


def test_one_file_per_service(tmp_path: Path) -> None:
    written, plan = write_grafana_dashboards(EXAMPLE, tmp_path / "boards")
    assert [p.name for p in written] == ["api.json"]
    model = json.loads(written[0].read_text(encoding="utf-8"))
    titles = [p["title"] for p in model["panels"] if p["type"] == "row"]
    assert len(titles) == len(plan.targets) == 3
    tiers = [p["title"] for p in model["panels"] if "burn rate vs threshold" in p["title"]]
    assert tiers[:4] == [
        "page-fast (page): burn rate vs threshold 14.4",
        "page-slow (page): burn rate vs threshold 6",
        "ticket-fast (ticket): burn rate vs threshold 3",
        "ticket-slow (ticket): burn rate vs threshold 1",
    ]


def test_dashboard_uids_fit_grafana_and_never_collide() -> None:
    """Grafana keeps 40 characters of a uid: a long service name would lose its end, and two
    names beginning alike (…-cluster-blue, …-cluster-green) would import over each other."""
    short = "checkout"
    blue = "payments-gateway-eu-west-1-production-cluster-blue"
    green = "payments-gateway-eu-west-1-production-cluster-green"
    assert dashboard_uid(short) == "covenant-checkout"  # as before: the name itself
    uids = {dashboard_uid(name) for name in (blue, green)}
    assert len(uids) == 2
    assert all(len(uid) <= 40 and uid.startswith("covenant-payments-gateway-eu") for uid in uids)


def test_services_whose_file_names_meet_get_one_file_each(tmp_path: Path) -> None:
    """``a b`` and ``a-b`` both clean to ``a-b``, and ``A-B`` is the same file on a case-blind
    disk: three services, three files (before, the last dashboard overwrote the others)."""
    text = (EXAMPLE / "slos.yaml").read_text(encoding="utf-8")
    for name in ("a b", "a-b", "A-B"):  # the three SLOs with rules, in their order
        text = text.replace("  service: api\n", f"  service: {name}\n", 1)
    workspace = tmp_path / "ws"
    workspace.mkdir()
    (workspace / "slos.yaml").write_text(text, encoding="utf-8")
    written, plan = write_grafana_dashboards(workspace, tmp_path / "boards")
    assert [t.service for t in plan.targets] == ["a b", "a-b", "A-B"]
    assert [p.name for p in written] == ["a-b.json", "a-b-2.json", "A-B-3.json"]
    titles = {json.loads(p.read_text(encoding="utf-8"))["title"] for p in written}
    assert len(titles) == 3
    # some SLOs only: a service's file keeps the name the whole workspace gives it
    (alone,), _ = write_grafana_dashboards(
        workspace, tmp_path / "some", slos=["api-availability-monthly"]
    )
    assert alone.name == "a-b-2.json"
