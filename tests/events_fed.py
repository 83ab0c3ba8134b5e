"""Turn SLIs of a copy of the example shop from Prometheus-read into events-fed ones (the
counts ``covenant demo`` stored stay theirs: a series is named by its SLI). A silent window of
such an SLI is silence the events said, which a good/bad ``noDataPolicy`` counts; a
Prometheus SLI that no read has reached is "not read from Prometheus yet" instead."""

from __future__ import annotations

import re
from pathlib import Path

_QUERIED = re.compile(r"metricSourceRef: prometheus\n( +)spec:\n +query: [^\n]*$", re.MULTILINE)


def events_fed(workspace: Path, *slis: str) -> None:
    """Rewrite ``workspace``'s ``slis.yaml`` so that each of ``slis`` counts events."""
    path = workspace / "slis.yaml"
    documents = path.read_text(encoding="utf-8").split("\n---\n")
    for i, doc in enumerate(documents):
        if any(f"\n  name: {name}\n" in doc for name in slis):
            documents[i], found = _QUERIED.subn(r"type: events\n\1spec: {}", doc)
            assert found == 2, doc  # its two metric sources
    path.write_text("\n---\n".join(documents), encoding="utf-8")
