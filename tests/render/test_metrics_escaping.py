"""The ``/metrics`` writer escapes label values and help text as prometheus_client does: a
backslash, a double quote and a newline in a label value (a name from a workspace file)."""

from __future__ import annotations

from prometheus_client.core import GaugeMetricFamily
from prometheus_client.exposition import generate_latest
from prometheus_client.registry import CollectorRegistry

from covenant.render.metrics import _Family, _pairs

ODD = ["plain", "back\\slash", 'say "hi"', "two\nlines", 'all \\ " \n of them']


def test_label_values_are_escaped_as_prometheus_client_escapes_them() -> None:
    ours = _Family("covenant_test_ratio", "Help with a \\ backslash\nand a newline.")
    theirs = GaugeMetricFamily(
        "covenant_test_ratio", "Help with a \\ backslash\nand a newline.", labels=["a", "b"]
    )
    for n, value in enumerate(ODD):
        ours.add(_pairs(("a", "b"), (value, str(n))), n + 0.5)
        theirs.add_metric([value, str(n)], n + 0.5)
    registry = CollectorRegistry(auto_describe=False)

    class One:
        def collect(self) -> list[GaugeMetricFamily]:
            return [theirs]

    registry.register(One())  # type: ignore[arg-type]
    assert ours.text().encode() == generate_latest(registry)
