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
    # the sloth_id of an imported SLO: its service and its name (or the name alone when two
    # SLOs of the file shared a name and it became <service>-<name>)
    by_id = {}
    for slo in imported.values():
        by_id[f"{slo.service}-{slo.slo}"] = slo
        by_id.setdefault(slo.slo, slo)
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
    clashing = {slo for _, _, slo in generated if [s for _, _, s in generated].count(slo) > 1}
    expected = {g for g in generated if g[2] not in clashing}
    assert expected or clashing  # Sloth's ids were read
    assert expected <= ids, (expected - ids, ids)
