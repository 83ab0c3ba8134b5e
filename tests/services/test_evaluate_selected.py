"""Evaluating only the selected SLOs gives the report that evaluating them all and then
selecting gives, for every SLO, objective, service, glob and status of the demo shop."""

from __future__ import annotations

from pathlib import Path

import pytest

from covenant.services.evaluate import evaluate_workspace
from covenant.services.selection import evaluate_selected, matcher, matches, select_report
from covenant.services.store import open_store
from covenant.services.workspace import load_workspace
from tests.api.support import AT, Shop, make_shop


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Shop:
    return make_shop(tmp_path_factory.mktemp("selected"))


def filters(workspace_dir: Path) -> list[dict[str, list[str]]]:
    workspace = load_workspace(workspace_dir)
    everything = [*workspace.objectives, *(c.objective for c in workspace.composites)]
    cases: list[dict[str, list[str]]] = [{}]
    cases += [{"slos": [o.slo]} for o in everything]
    cases += [{"slos": [o.key]} for o in everything if o.key != o.slo]
    cases += [{"services": [s]} for s in sorted({o.service for o in everything})]
    cases += [{"slos": ["checkout-*"]}, {"slos": ["no-such-slo"]}]
    cases += [{"statuses": [s]} for s in ("ok", "breached", "no_data")]
    cases += [{"services": ["checkout"], "statuses": ["ok"]}]
    return cases


def test_selected_evaluation_equals_the_whole_evaluation_selected(shop: Shop) -> None:
    engine = open_store(shop.settings.database_url)
    workspace = load_workspace(shop.workspace)
    whole = evaluate_workspace(engine, workspace=workspace, at=AT)
    assert whole.composites  # the demo shop has a composite: the case is covered
    seen = set()
    for case in filters(shop.workspace):
        expected = select_report(whole, **case)
        found = evaluate_selected(engine, workspace=workspace, at=AT, **case)
        assert found.evaluations == expected.evaluations, case
        assert found.corrected == expected.corrected, case
        assert found.composites == expected.composites, case
        seen.add(len(found.evaluations) + len(found.composites))
    engine.dispose()
    assert len(seen) > 2  # the filters did select different numbers of objectives


@pytest.mark.parametrize(
    "patterns",
    [[], ["checkout"], ["checkout-*"], ["*-monthly", "search"], ["[cs]*"], ["a?c"], ["x[!y]z"]],
)
def test_matcher_matches_as_matches_does(patterns: list[str]) -> None:
    values = ["checkout", "checkout-latency", "search", "abc", "xaz", "xyz", "", "monthly"]
    match = matcher(patterns)
    for value in values:
        assert match((value,)) == matches((value,), patterns), (value, patterns)
    assert match(values) == matches(values, patterns)
