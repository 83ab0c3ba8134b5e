"""The Prometheus text exposition format (0.0.4), as ``prometheus_client`` writes it: gauge
families written line by line (``render.metrics`` and the families beside it)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from prometheus_client.utils import floatToGoString

_number: Callable[[float], str] = floatToGoString  # Go's float format, as Prometheus reads it


class Family:
    """One family's text (a gauge, or a ``counter``): its HELP and TYPE lines, then one line
    per sample, as ``prometheus_client``'s ``generate_latest`` writes them (checked in the
    tests by reading the page back with its parser and writing it again), without its
    per-sample checks and objects: a page of 10,000 SLOs is written several times faster."""

    __slots__ = ("head", "lines", "name")

    def __init__(self, name: str, text: str, *, kind: str = "gauge") -> None:
        # a counter's samples and its TYPE line are named ``…_total`` (as generate_latest has)
        assert kind == "gauge" or name.endswith("_total"), name
        self.name = name
        help_text = text.replace("\\", "\\\\").replace("\n", "\\n")
        self.head = f"# HELP {name} {help_text}\n# TYPE {name} {kind}\n"
        self.lines: list[str] = []

    def add(self, labels: str, value: float) -> None:
        """A sample; ``labels`` is the label pairs as ``pairs`` writes them ("" for none)."""
        if labels:
            self.lines.append(f"{self.name}{{{labels}}} {_number(value)}\n")
        else:
            self.lines.append(f"{self.name} {_number(value)}\n")

    def text(self) -> str:
        return self.head + "".join(self.lines)


def escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def pairs(names: Sequence[str], values: Sequence[str]) -> str:
    return ",".join(f'{n}="{escape(v)}"' for n, v in zip(names, values, strict=True))
