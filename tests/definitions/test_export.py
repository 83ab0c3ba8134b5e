"""Export to OpenSLO v1: valid OpenSLO, and load → export → load is lossless."""

from __future__ import annotations

from pathlib import Path

import pytest

from covenant.definitions.export import export_openslo
from covenant.definitions.workspace import Workspace, analyse, analyse_text
from tests.definitions.test_conformance import EXPECTED
from tests.definitions.test_validation import COVENANT

VALID = sorted(name for name, reasons in EXPECTED.items() if not reasons)


def _round_trip(workspace: Workspace) -> Workspace:
    text = export_openslo(workspace.documents)
    again, problems = analyse_text(text, file="export.yaml")
    assert again is not None, problems
    assert all(doc.api_version == "openslo/v1" for doc in again.documents)
    return again


@pytest.mark.corpus
@pytest.mark.parametrize("relative", VALID)
def test_corpus_round_trip_is_lossless(corpus: Path, relative: str) -> None:
    workspace, problems = analyse([corpus / "openslo" / relative])
    assert workspace is not None, problems
    again = _round_trip(workspace)
    assert again.objectives == workspace.objectives
    assert again.event_rules == workspace.event_rules
    assert [d.raw for d in again.documents] == [d.raw for d in workspace.documents]


def test_covenant_v1_round_trip_moves_extensions_into_annotations() -> None:
    workspace, problems = analyse_text(COVENANT)
    assert workspace is not None, problems
    text = export_openslo(workspace.documents)
    assert "covenant/v1" not in text
    for key in ("no-data-policy", "minimum-events", "alerting", "events"):
        assert f"covenant.dev/{key}" in text
    again = _round_trip(workspace)
    assert again.objectives == workspace.objectives
    assert again.event_rules == workspace.event_rules


def test_exact_decimals_survive_export() -> None:
    text = COVENANT.replace("target: 0.999", "target: 0.99995")
    workspace, _ = analyse_text(text)
    assert workspace is not None
    exported = export_openslo(workspace.documents)
    assert "target: 0.99995" in exported


def test_future_kinds_are_left_out() -> None:
    workspace, _ = analyse_text(
        COVENANT
        + "---\napiVersion: covenant/v1\nkind: Customer\nmetadata: {name: c}\n"
        + "spec: {currency: EUR}\n"
    )
    assert workspace is not None
    assert "Customer" not in export_openslo(workspace.documents)
