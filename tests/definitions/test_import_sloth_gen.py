"""Imported Sloth SLOs alert exactly where Sloth's own generated rules alert.

``../shared/corpus/sloth/_gen/`` holds the Prometheus rules Sloth generated for each example.
Their alert expressions state every tier Sloth evaluates: ``slo:sli_error:ratio_rate<short>{…}
> (<factor> * …) and slo:sli_error:ratio_rate<long>{…} > (<factor> * …)`` with the
``sloth_severity`` label, and ``sloth_slo_info`` states the objective. The expectations here
are read from those files, not from the importer: each imported SLO must have the same
(severity, short window, long window, burn-rate factor) tiers and target.
"""

from __future__ import annotations

import re
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
import yaml

from covenant.core.alert_rules import sloth_ids
from covenant.core.model import RollingWindow
from covenant.definitions.workspace import analyse_text
from covenant.services.importing import plan_import

_TERM = re.compile(
    r'slo:sli_error:ratio_rate(?P<window>\w+)\{sloth_id="(?P<id>[^"]+)"[^}]*\}\s*>\s*'
    r"\((?P<factor>[0-9.]+)\s*\*"
)
_UNITS = {"m": 60, "h": 3600, "d": 86400}

Tier = tuple[str, int, int, Fraction]


def seconds(text: str) -> int:
    return int(text[:-1]) * _UNITS[text[-1]]


def rules_of(document: Any) -> list[dict[str, Any]]:
    if not isinstance(document, dict):
        return []
    groups = document.get("groups") or (document.get("spec") or {}).get("groups") or []
    return [rule for group in groups for rule in group.get("rules", [])]


def sloth_says(path: Path) -> tuple[dict[str, set[Tier]], dict[str, Fraction]]:
    """Tiers per sloth_id from the alert rules, and objectives from sloth_slo_info."""
    tiers: dict[str, set[Tier]] = {}
    objectives: dict[str, Fraction] = {}
    for document in yaml.safe_load_all(path.read_text(encoding="utf-8")):
        for rule in rules_of(document):
            labels = rule.get("labels") or {}
            if rule.get("record") == "sloth_slo_info":
                objectives[labels["sloth_id"]] = Fraction(str(labels["sloth_objective"])) / 100
            if "alert" not in rule:
                continue
            terms = list(_TERM.finditer(rule["expr"]))
            assert terms, rule["expr"]
            assert len(terms) % 2 == 0, rule["expr"]
            for short, long in zip(terms[::2], terms[1::2], strict=True):
                assert short["factor"] == long["factor"]
                tiers.setdefault(short["id"], set()).add(
                    (
                        labels["sloth_severity"],
                        seconds(short["window"]),
                        seconds(long["window"]),
                        Fraction(short["factor"]),
                    )
                )
    return tiers, objectives


GENERATED = sorted(
    name.name
    for name in (Path(__file__).resolve().parents[3] / "shared/corpus/sloth/_gen").glob("*.yml")
)


@pytest.mark.parametrize("name", GENERATED or ["(corpus missing)"])
def test_imported_tiers_equal_sloths_generated_alerts(
    corpus: Path, tmp_path: Path, name: str
) -> None:
    generated = corpus / "sloth/_gen" / name
    tiers, objectives = sloth_says(generated)
    plan = plan_import("sloth", [corpus / "sloth" / name], into=tmp_path)
    assert plan.problems == []
    text = "\n---\n".join(text for _, text in plan.writes)
    workspace, problems = analyse_text(text, file="imported.yaml") if text else (None, [])
    imported = {o.slo: o for o in workspace.objectives} if workspace else {}
    left_out = [n for n in plan.files[0].imported.notes if n.skipped]
    # every SLO Sloth generated rules for is imported, or left out with a reason
    assert len(imported) + len(left_out) >= len(objectives), (name, problems)
    # the sloth_id of an imported SLO is Sloth's (also of one renamed <service>-<name>)
    by_id = {sloth_ids(slo)["sloth_id"]: slo for slo in imported.values()}
    compared = 0
    for sloth_id, objective in objectives.items():
        slo = by_id.get(sloth_id)
        if slo is None:
            continue
        assert slo.target == objective, sloth_id
        assert isinstance(slo.window, RollingWindow)
        mine = {
            (t.severity, t.short_window_s, t.long_window_s, t.factor(slo.window.seconds))
            for t in slo.alert_tiers
        }
        assert mine == tiers.get(sloth_id, set()), sloth_id
        assert all(not t.inclusive for t in slo.alert_tiers)  # Sloth's alerts compare with >
        compared += 1
    if imported:
        assert compared == len(imported)  # every imported SLO was checked against Sloth


@pytest.mark.parametrize("name", GENERATED or ["(corpus missing)"])
def test_rules_from_an_import_carry_sloths_ids(corpus: Path, tmp_path: Path, name: str) -> None:
    """`covenant rules prometheus` on an imported Sloth file labels its series with the same
    sloth_id / sloth_service / sloth_slo as Sloth's own generated rules, so Sloth's dashboards
    and alert routes keep working; every imported SLO gets rules (none is skipped)."""
    from covenant.services.importing import write_import  # noqa: PLC0415
    from covenant.services.prom_rules import plan_rules  # noqa: PLC0415
    from covenant.services.workspace import load_workspace  # noqa: PLC0415

    plan = plan_import("sloth", [corpus / "sloth" / name], into=tmp_path)
    if not plan.writes:
        return  # nothing imported (a raw ratio, a plugin): left out with its reason above
    write_import(plan)
    rules = plan_rules(load_workspace(tmp_path))
    assert rules.skipped == ()
    ids = {(t.sloth_id, t.service, t.slo) for t in rules.targets}
    generated: set[tuple[str, str, str]] = set()
    for document in yaml.safe_load_all((corpus / "sloth/_gen" / name).read_text("utf-8")):
        for rule in rules_of(document):
            labels = rule.get("labels") or {}
            if rule.get("record") == "sloth_slo_info":
                generated.add((labels["sloth_id"], labels["sloth_service"], labels["sloth_slo"]))
    assert generated  # Sloth's ids were read
    # all of them: also of SLOs renamed <service>-<name> because two services of the file
    # have an SLO of that name (multifile.yml), through covenant.dev/sloth-slo
    assert generated <= ids, (generated - ids, ids)


@pytest.mark.parametrize("name", GENERATED or ["(corpus missing)"])
def test_imported_alerts_carry_sloths_names_and_routing_labels(
    corpus: Path, tmp_path: Path, name: str
) -> None:
    """Each alert Sloth generated (its name, its labels: the file's alerting and page/ticket
    labels, and the SLO labels its recordings carry) has an alert of that name in the rules of
    the imported file, with at least those labels, for the same sloth_id and severity: an
    Alertmanager route on any of them keeps matching."""
    from covenant.render.prom_rules import rule_groups  # noqa: PLC0415
    from covenant.services.importing import write_import  # noqa: PLC0415
    from covenant.services.prom_rules import plan_rules  # noqa: PLC0415
    from covenant.services.workspace import load_workspace  # noqa: PLC0415

    plan = plan_import("sloth", [corpus / "sloth" / name], into=tmp_path)
    if not plan.writes:
        return  # nothing imported (a raw ratio, a plugin): left out with its reason above
    write_import(plan)
    mine: dict[tuple[str, str, str], list[dict[str, str]]] = {}
    for group in rule_groups(plan_rules(load_workspace(tmp_path)).targets):
        for rule in group["rules"]:
            if "alert" in rule and "covenant_tier" in rule["labels"]:
                labels = rule["labels"]
                key = (rule["alert"], _sloth_id_of(rule["expr"]), labels["sloth_severity"])
                mine.setdefault(key, []).append(labels)
    slo_labels: dict[str, dict[str, str]] = {}
    theirs: list[tuple[str, str, dict[str, str]]] = []
    for document in yaml.safe_load_all((corpus / "sloth/_gen" / name).read_text("utf-8")):
        for rule in rules_of(document):
            labels = {k: str(v) for k, v in (rule.get("labels") or {}).items()}
            if rule.get("record") == "slo:objective:ratio":
                # (cmd: the label Sloth's example generator adds on its command line,
                # --extra-labels, not in the file)
                slo_labels[labels["sloth_id"]] = {
                    k: v for k, v in labels.items() if not k.startswith("sloth_") and k != "cmd"
                }
            elif "alert" in rule:
                theirs.append((rule["alert"], _sloth_id_of(rule["expr"]), labels))
    for alert, sloth_id, labels in theirs:
        wanted = {**slo_labels.get(sloth_id, {}), **labels}
        found = mine.get((alert, sloth_id, labels["sloth_severity"]))
        assert found, (alert, sloth_id, sorted(mine))
        for carried in found:
            assert wanted.items() <= carried.items(), (alert, wanted, carried)
    if theirs:
        assert mine


def _sloth_id_of(expr: str) -> str:
    found = re.search(r'sloth_id="([^"]+)"', expr)
    assert found is not None
    return found.group(1)
