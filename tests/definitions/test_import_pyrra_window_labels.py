"""Pyrra's burn-rate alerts carry, beside ``slo``, ``severity`` and the total's ``=`` matchers,
the labels ``long``, ``short`` (the tier's windows) and ``exhaustion`` (the SLO window over the
tier's factor): Pyrra's slo/rules.go, ``Burnrates``::

    alertLabels["short"] = model.Duration(w.Short).String()
    alertLabels["long"] = model.Duration(w.Long).String()
    alertLabels["severity"] = o.alertSeverityLabel(i, w)
    alertLabels["exhaustion"] = o.Exhausts(w.Factor).String()

with ``Exhausts(f) = window.Seconds() / f`` truncated to whole seconds, and Prometheus's
``model.Duration.String()`` writing weeks and years only when exact (``14d`` is ``2w``,
``15d`` is ``15d``). An Alertmanager route or inhibit rule of a Pyrra user matching on them
(``long="1h"``) kept matching nothing after the import; the import now writes them per tier
in ``covenant.dev/alert-routing`` (``tiers``), and the rules and the worker's notices carry
them. The Sloth-compatible labels (``sloth_*``, ``covenant_tier``) are unchanged.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from covenant.definitions.alert_routing import ALERT_ROUTING
from covenant.definitions.workspace import analyse_text
from covenant.render.prom_rules import RuleTarget, alert_labels
from covenant.services.store import open_store
from covenant.services.worker import Worker
from tests.checkout import CHECKOUT_SLO, put
from tests.definitions.test_import_pyrra_alerts import objective
from tests.definitions.test_import_real_shapes import planned

# window 28d: Pyrra's Windows() — 28d/672 = 1h, 28d/8064 = 5m, factor 14 → 28d/14 = 2d;
# 28d/112 = 6h, 28d/1344 = 30m, 7 → 4d; 28d/28 = 1d, 28d/336 = 2h, 2 → 14d = 2w;
# 28d/7 = 4d, 28d/112 = 6h, 1 → 28d = 4w
EXPECTED_28D = {
    "page-1": {"long": "1h", "short": "5m", "exhaustion": "2d"},
    "page-2": {"long": "6h", "short": "30m", "exhaustion": "4d"},
    "ticket-1": {"long": "1d", "short": "2h", "exhaustion": "2w"},
    "ticket-2": {"long": "4d", "short": "6h", "exhaustion": "4w"},
}
# window 30d = 2592000 s, windows rounded to the minute (Go's Round, half away from zero):
# 2592000/672 = 3857.14 s = 64.3 min → 64m = 1h4m; /8064 = 321.4 s → 5m; /14 = 185142.86 s →
#   185142 s = 2d3h25m42s
# /112 = 23142.9 s = 385.7 min → 386m = 6h26m; /1344 = 1928.6 s = 32.1 min → 32m;
#   /7 = 370285.7 s → 370285 s = 4d6h51m25s
# /28 = 92571.4 s = 1542.9 min → 1543m = 1d1h43m; /336 = 7714.3 s = 128.6 min → 129m = 2h9m;
#   /2 = 1296000 s = 15d (not whole weeks: 15d)
# /7 = 6171.4 min → 6171m = 4d6h51m; /112 → 6h26m; /1 = 30d
EXPECTED_30D = {
    "page-1": {"long": "1h4m", "short": "5m", "exhaustion": "2d3h25m42s"},
    "page-2": {"long": "6h26m", "short": "32m", "exhaustion": "4d6h51m25s"},
    "ticket-1": {"long": "1d1h43m", "short": "2h9m", "exhaustion": "15d"},
    "ticket-2": {"long": "4d6h51m", "short": "6h26m", "exhaustion": "30d"},
}


@pytest.mark.parametrize(
    ("window", "expected"), [("28d", EXPECTED_28D), ("30d", EXPECTED_30D)], ids=["28d", "30d"]
)
def test_each_alert_carries_pyrras_long_short_and_exhaustion(
    tmp_path: Path, window: str, expected: dict[str, dict[str, str]]
) -> None:
    text = objective().replace("window: 28d", f"window: {window}")
    plan = planned(tmp_path, "pyrra", {"api.yaml": text})
    assert plan.problems == []
    (file,) = plan.files
    workspace, problems = analyse_text(file.text, file="api.yaml")
    assert workspace is not None, [str(p) for p in problems]
    assert [p for p in problems if p.severity == "warning"] == []
    (o,) = workspace.objectives
    target = RuleTarget(objective=o, counts=())
    got = {
        t.name: {k: alert_labels(target, t)[k] for k in ("long", "short", "exhaustion")}
        for t in o.alert_tiers
    }
    assert got == expected
    # the windows the labels name are the tiers' own
    for t in o.alert_tiers:
        labels = alert_labels(target, t)
        assert labels["covenant_tier"] == t.name  # Sloth-compatible labels stay
        assert labels["sloth_slo"] == "api-errors"
        assert labels["slo"] == "api-errors"


def test_the_labels_are_written_per_tier_in_the_routing_annotation(tmp_path: Path) -> None:
    plan = planned(tmp_path, "pyrra", {"api.yaml": objective()})
    (file,) = plan.files
    (slo,) = [d for d in file.imported.documents if d["kind"] == "SLO"]
    routing = json.loads(slo["metadata"]["annotations"][ALERT_ROUTING])
    assert routing["tiers"] == {name: {"labels": v} for name, v in EXPECTED_28D.items()}


def test_a_tier_label_cannot_replace_an_identity_label(tmp_path: Path) -> None:
    """A hand-written ``tiers`` entry is read as ``labels`` are: an identity label is left out
    with a warning; a tier the SLO does not have changes nothing."""
    text = objective()
    plan = planned(tmp_path, "pyrra", {"api.yaml": text})
    (file,) = plan.files
    edited = file.text.replace('"long":"1h"', '"covenant_tier":"x","long":"1h"')
    assert edited != file.text
    workspace, problems = analyse_text(edited, file="api.yaml")
    assert workspace is not None
    (warning,) = [p for p in problems if p.severity == "warning"]
    assert warning.code == "invalid-annotation"
    assert "tiers.page-1.labels.covenant_tier" in warning.message
    (o,) = workspace.objectives
    target = RuleTarget(objective=o, counts=())
    page = next(t for t in o.alert_tiers if t.name == "page-1")
    assert alert_labels(target, page)["covenant_tier"] == "page-1"
    assert alert_labels(target, page)["long"] == "1h"


def test_the_workers_notice_carries_the_tiers_labels_too(tmp_path: Path) -> None:
    """The worker's notice of a tier carries that tier's ``tiers`` labels, as the rule does
    (docs/prometheus-rules.md, "Alert labels"): the default tiers' page-fast here."""
    t0 = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
    routing = json.dumps(
        {"tiers": {"page-fast": {"labels": {"long": "1h", "short": "5m"}}, "other": {}}}
    )
    text = CHECKOUT_SLO.replace(
        "metadata: {name: checkout-availability}\n",
        "metadata:\n  name: checkout-availability\n"
        f"  annotations:\n    {ALERT_ROUTING}: '{routing}'\n",
    )
    workspace, problems = analyse_text(text)
    assert workspace is not None, problems
    engine = open_store(f"sqlite:///{tmp_path / 'store.db'}")
    put(engine, t0 - timedelta(hours=3), 170, bad=0)
    put(engine, t0 - timedelta(minutes=10), 10, bad=50)  # 50 % errors: page-fast fires
    notices = Worker(engine).tick(workspace, t0).notices
    engine.dispose()
    (fast,) = [n for n in notices if "page-fast" in n.key]
    assert (fast.labels["long"], fast.labels["short"]) == ("1h", "5m")
    assert fast.labels["covenant_tier"] == "page-fast"
    assert all("long" not in n.labels for n in notices if "page-fast" not in n.key)
