"""The worker's notices carry what Alertmanager routes match on beside Covenant's labels: the
SLO's labels, and a Sloth file's alerting (its alert name, labels and annotations, a page's
over the common ones), as the generated rules' alerts do (docs/prometheus-rules.md, "Alert
labels")."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from covenant.definitions.workspace import analyse_text
from covenant.render.prom_rules import RuleTarget, alert_annotations, alert_labels
from covenant.services.store import open_store
from covenant.services.worker import Worker
from tests.checkout import CHECKOUT_SLO, put

T0 = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
ALERTING = {
    "name": "CheckoutHighErrorRate",
    "labels": {"category": "availability", "severity": "ignored-for-a-page"},
    "annotations": {"summary": "High error rate on checkout"},
    "page_alert": {"labels": {"severity": "critical", "routing_key": "shop-team"}},
    "ticket_alert": {"labels": {"severity": "warning"}},
}


def test_a_notice_and_a_rule_carry_the_slo_labels_and_sloths_alerting(tmp_path: Path) -> None:
    labels = (
        "  labels: {owner: shop-team, tier: '2', app.kubernetes.io/name: shop, sloth_id: x}\n"
        f"  annotations:\n    sloth.slok.dev/alerting: '{json.dumps(ALERTING)}'\n"
    )
    text = CHECKOUT_SLO.replace(
        "metadata: {name: checkout-availability}\n",
        "metadata:\n  name: checkout-availability\n" + labels,
    )
    workspace, problems = analyse_text(text)
    assert workspace is not None, problems
    # the two SLO labels the alerts cannot carry are named, each with a label name to use
    left_out = sorted(
        (p.message.split("'")[1], p.fix) for p in problems if p.code == "label-not-carried"
    )
    assert [name for name, _ in left_out] == ["app.kubernetes.io/name", "sloth_id"]
    assert "'app_kubernetes_io_name'" in left_out[0][1]
    assert "'slo_sloth_id'" in left_out[1][1]
    engine = open_store(f"sqlite:///{tmp_path / 'store.db'}")
    put(engine, T0 - timedelta(hours=3), 170, bad=0)
    put(engine, T0 - timedelta(minutes=10), 10, bad=50)  # 50 % errors: page-fast fires
    (notice,) = [n for n in Worker(engine).tick(workspace, T0).notices if "page-fast" in n.key]
    engine.dispose()
    assert notice.labels == {
        "alertname": "CheckoutHighErrorRate",  # the Sloth file's name
        "owner": "shop-team",  # the SLO's labels that are label names (not app.kubernetes.io/…)
        "tier": "2",
        "sloth_id": "shop-checkout-availability",  # never replaced by an SLO label
        "sloth_service": "shop",
        "sloth_slo": "checkout-availability",
        "severity": "critical",  # the page's label over the common one over Covenant's page
        "sloth_severity": "page",
        "covenant_tier": "page-fast",
        "category": "availability",
        "routing_key": "shop-team",
    }
    assert notice.annotations["summary"] == "High error rate on checkout"
    # the generated rule's alert of the tier says the same: its ids (which its expression's
    # series carry too) are static labels of the rule, so two SLOs' rules never look alike
    (o,) = workspace.objectives
    (tier,) = [t for t in o.alert_tiers if t.name == "page-fast"]
    target = RuleTarget(objective=o, counts=())
    assert alert_labels(target, tier) == {
        k: v for k, v in notice.labels.items() if k != "alertname"
    }
    assert target.alert_name == "CheckoutHighErrorRate"
    assert alert_annotations(target, tier)["summary"] == "High error rate on checkout"
    (ticket,) = [t for t in o.alert_tiers if t.name == "ticket-slow"]
    assert alert_labels(target, ticket)["severity"] == "warning"
    # a label an alert may not set is left out with a warning, naming the annotation
    bad = text.replace('"category"', '"covenant_tier"')
    _, problems = analyse_text(bad)
    (warned,) = [p for p in problems if p.code == "invalid-annotation"]
    assert "labels.covenant_tier is not a label an alert may set" in warned.message
    # the same mapping under covenant.dev/alert-routing is read first; Sloth's is then not used
    both = text.replace(
        "    sloth.slok.dev/alerting:",
        '    covenant.dev/alert-routing: \'{"name": "Mine"}\'\n    sloth.slok.dev/alerting:',
    )
    workspace, problems = analyse_text(both)
    assert workspace is not None, problems
    (o,) = workspace.objectives
    assert RuleTarget(objective=o, counts=()).alert_name == "Mine"
    (unused,) = [p for p in problems if p.code == "invalid-annotation"]
    assert unused.message == (
        "sloth.slok.dev/alerting: not used: covenant.dev/alert-routing is given too"
    )
    # an annotation reading a label no alert of the SLO carries renders empty: a warning
    templated = text.replace(
        "High error rate on checkout",
        "{{ $labels.request_host }} of {{$labels.owner}}, {{ .Labels.severity }} "
        '{{ index $labels \\"pod\\" }}',
    )
    workspace, problems = analyse_text(templated)
    assert workspace is not None, problems
    (empty,) = [p for p in problems if "renders empty" in p.message]
    assert empty.message.startswith(  # owner: an SLO label; severity: every alert's
        "sloth.slok.dev/alerting: annotations.summary reads the label(s) pod, request_host,"
    )
    # only actions count ($labels.x in text is text), a range block's labels are a query's,
    # and a common annotation goes on ticket alerts too, which lack the page's routing_key
    scoped = dict(ALERTING)
    scoped["annotations"] = {
        "summary": "see $labels.text_only, {{ $labels.routing_key }}",
        "table": '{{ range query "up" }}{{ .Labels.instance }}{{ end }}',
    }
    scoped["page_alert"] = {
        "labels": {"severity": "critical", "routing_key": "shop-team"},
        "annotations": {"who": "{{ $labels.routing_key }}"},
    }
    workspace, problems = analyse_text(
        CHECKOUT_SLO.replace(
            "metadata: {name: checkout-availability}\n",
            "metadata:\n  name: checkout-availability\n  annotations:\n"
            f"    sloth.slok.dev/alerting: '{json.dumps(scoped)}'\n",
        )
    )
    assert workspace is not None, problems
    assert [p.message for p in problems if "renders empty" in p.message] == [
        "sloth.slok.dev/alerting: annotations.summary reads the label(s) routing_key, which the "
        "SLO's alerts do not carry (one alert per SLO, over all its series): it renders empty "
        "there"
    ]


def test_an_slo_label_severity_is_said_to_be_the_tiers_on_its_alerts() -> None:
    # metadata.labels {severity: low} (a real SLO's importance): each alert's tier sets its
    # own severity (page/ticket) over the SLO's labels, so the value 'low' never reaches an
    # alert; before, nothing said so (a sloth_id label was warned of, severity was not)
    text = CHECKOUT_SLO.replace(
        "metadata: {name: checkout-availability}\n",
        "metadata:\n  name: checkout-availability\n  labels: {severity: low, owner: shop}\n",
    )
    workspace, problems = analyse_text(text)
    assert workspace is not None, problems
    (warned,) = [p for p in problems if p.code == "label-not-carried"]
    assert warned.severity == "warning"
    assert warned.field == "metadata.labels.severity"
    assert "'slo_severity'" in warned.fix
    (o,) = workspace.objectives
    target = RuleTarget(objective=o, counts=())
    for tier in o.alert_tiers:  # the tier's, as the warning says
        assert alert_labels(target, tier)["severity"] == tier.severity != "low"


def test_an_accented_slo_label_is_suggested_without_its_accents_not_its_letters() -> None:
    # {équipe: shop, Größe: l}: the suggested label name dropped each accented letter
    # ('quipe', 'Gr__e'); it keeps the letter, as written without its accent (ß has none:
    # an underscore, as any other character a label name cannot hold)
    text = CHECKOUT_SLO.replace(
        "metadata: {name: checkout-availability}\n",
        "metadata:\n  name: checkout-availability\n  labels: {équipe: shop, Größe: l}\n",
    )
    workspace, problems = analyse_text(text)
    assert workspace is not None, problems
    fixes = {p.field: p.fix for p in problems if p.code == "label-not-carried"}
    assert "e.g. 'equipe'" in fixes["metadata.labels.équipe"]
    assert "e.g. 'Gro_e'" in fixes["metadata.labels.Größe"]
