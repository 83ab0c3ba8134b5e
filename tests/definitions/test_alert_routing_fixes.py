"""A label or alert name in an alerting annotation that Covenant cannot use gets a fix that
fits it.

``covenant import sloth`` keeps a Sloth file's alerting as written (``labels: {routing.key:
abc}``); validation then warned "labels.routing.key is not a label an alert may set — write it
as covenant import sloth does: {…}", a fix that names the very command that wrote it and says
nothing of what to change. The warning now says why and names a label or alert name to use.
"""

from __future__ import annotations

import json

from covenant.definitions.workspace import analyse_text
from tests.checkout import CHECKOUT_SLO

ALERTING = {"name": "shop-availability", "labels": {"routing.key": "abc", "team": "shop"}}


def test_a_label_and_a_name_prometheus_refuses_get_a_name_to_use() -> None:
    text = CHECKOUT_SLO.replace(
        "metadata: {name: checkout-availability}\n",
        "metadata:\n  name: checkout-availability\n"
        f"  annotations:\n    sloth.slok.dev/alerting: '{json.dumps(ALERTING)}'\n",
    )
    _, problems = analyse_text(text)
    warned = {p.message: p.fix for p in problems if p.code == "invalid-annotation"}
    label = [m for m in warned if "routing.key" in m]
    name = [m for m in warned if "shop-availability" in m]
    assert len(label) == 1
    assert len(name) == 1
    assert "not a Prometheus label name" in label[0]
    assert "routing_key" in warned[label[0]]
    assert "ShopAvailability" in warned[name[0]]
    for fix in warned.values():
        assert "covenant import sloth does" not in fix
