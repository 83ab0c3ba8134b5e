"""``covenant_lint_findings`` on ``/metrics`` over HTTP: ``covenant lint``'s findings per
agreement and severity, on the page evaluated at the scrape and on the one a worker tick
publishes.

Counted by hand from the shop's definitions (examples/shop/contracts.yaml, drafts included,
the workspace's margin 0.05 points): globex-enterprise v1 has four warnings — checkout-uptime's
measurement-mismatch (events against 5m intervals), enterprise-support's and
business-hours-support's window-mismatch (a rolling 28d SLO for a calendar month) and
enterprise-support's support-without-calendar —, initech-standard v1 two (storefront-uptime's
window-mismatch and measurement-mismatch); no errors. Raising checkout-uptime's level from
99.95 to 99.99 % adds one error (backing-not-stricter: checkout-monthly is no longer 0.05 points
stricter than it), the warnings unchanged.
"""

from __future__ import annotations

from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families

from covenant.api.app import create_app
from covenant.services.store import open_store
from covenant.services.worker import Worker
from covenant.services.worker_loop import WorkerLoop
from covenant.services.workspace import load_workspace
from tests.api.support import AT, Client, Shop, make_shop

FAMILY = "covenant_lint_findings"


def _findings(shop: Shop) -> dict[tuple[str, str], float]:
    answer = shop.client.get("/metrics", shop.tokens["viewer"])
    assert answer.status_code == 200, answer.text
    found = {}
    for family in text_string_to_metric_families(answer.text):
        for s in family.samples:
            if s.name == FAMILY:
                assert set(s.labels) == {"agreement", "severity"}  # bounded: nothing per finding
                found[s.labels["agreement"], s.labels["severity"]] = s.value
    return found


SHOP = {
    ("globex-enterprise", "error"): 0.0,  # every severity has its sample, 0 when none
    ("globex-enterprise", "warning"): 4.0,
    ("initech-standard", "error"): 0.0,
    ("initech-standard", "warning"): 2.0,
}


def test_the_findings_per_agreement_and_severity(tmp_path: Path) -> None:
    shop = make_shop(tmp_path)
    assert _findings(shop) == SHOP

    contracts = shop.workspace / "contracts.yaml"
    text = contracts.read_text()
    assert text.count("          level: 99.95\n") == 1
    contracts.write_text(text.replace("          level: 99.95\n", "          level: 99.99\n"))
    shop.client = Client(create_app(shop.settings, clock=lambda: AT))
    assert _findings(shop) == SHOP | {("globex-enterprise", "error"): 1.0}


def test_the_published_page_has_them(tmp_path: Path) -> None:
    shop = make_shop(tmp_path)
    engine = open_store(shop.settings.database_url)
    try:
        workspace = load_workspace(shop.workspace)
        loop = WorkerLoop(Worker(engine), workspace=lambda: workspace, clock=lambda: AT)
        assert loop.run_once() is not None
    finally:
        engine.dispose()
    answer = shop.client.get("/metrics", shop.tokens["viewer"])
    assert "covenant_metrics_snapshot_age_seconds 0.0" in answer.text  # the tick's page
    assert _findings(shop) == SHOP
