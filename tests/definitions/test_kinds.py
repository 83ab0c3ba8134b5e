"""The registry of kinds: every entry is a model of that kind, and a kind's module loads only
when a document of that kind is read."""

from __future__ import annotations

from importlib import import_module

import pytest
from pydantic import BaseModel

from covenant.definitions.kinds import (
    CONTRACT_KINDS,
    CORRECTION_KINDS,
    COVENANT_V1,
    KINDS,
    OPENSLO_V1,
    SETTINGS_KINDS,
    kind_names,
    model_for,
)
from covenant.definitions.openslo import Document
from tests.checkout import prometheus_slo
from tests.probe import run_python

ENTRIES = [(api, kind) for api, kinds in KINDS.items() for kind in kinds]


@pytest.mark.parametrize(("api", "kind"), ENTRIES, ids=[f"{a} {k}" for a, k in ENTRIES])
def test_every_entry_is_a_document_model(api: str, kind: str) -> None:
    model = model_for(api, kind)
    assert model is not None
    assert issubclass(model, Document)
    assert issubclass(model, BaseModel)
    module, name = KINDS[api][kind]
    assert getattr(import_module(module), name) is model
    # the class is named for its kind (CovenantSLODocument, MaintenanceDocument …)
    assert name.endswith("Document")
    assert kind.removesuffix("Window") in name


def test_groups_name_registered_covenant_kinds() -> None:
    covenant = set(kind_names(COVENANT_V1))
    assert covenant >= CONTRACT_KINDS | CORRECTION_KINDS | SETTINGS_KINDS
    assert covenant - (CONTRACT_KINDS | CORRECTION_KINDS | SETTINGS_KINDS) == {"SLO", "SLI"}
    assert model_for(OPENSLO_V1, "Customer") is None
    assert model_for("openslo/v9", "SLO") is None
    assert kind_names("openslo/v9") == []


PROBE = """
import json, sys
from covenant.definitions.workspace import analyse_text
workspace, problems = analyse_text(sys.stdin.read())
loaded = sorted(m for m in sys.modules if m.split(".")[0] in ("covenant", "holidays", "dateutil"))
print(json.dumps({"ok": workspace is not None, "errors": [str(p) for p in problems],
                  "loaded": loaded}))
"""

SLO = prometheus_slo(indicator="checkout-requests")

CORRECTION = """
---
apiVersion: covenant/v1
kind: Correction
metadata: {name: failover}
spec: {start: 2026-01-04T02:00:00Z, duration: 1h, reason: failover, author: jane}
"""

HEAVY = (
    "covenant.definitions.agreements",
    "covenant.definitions.calendars",
    "covenant.definitions.contracts",
    "covenant.definitions.corrections",
    "holidays",
    "dateutil",
)


def probe(text: str) -> dict[str, object]:
    result: dict[str, object] = run_python(PROBE, stdin=text)
    return result


def test_a_workspace_of_slos_loads_no_contract_or_correction_code() -> None:
    found = probe(SLO)
    assert found["ok"], found["errors"]
    loaded = found["loaded"]
    assert isinstance(loaded, list)
    assert "covenant.definitions.openslo" in loaded
    assert [m for m in loaded if m.split(".")[0] in HEAVY or m in HEAVY] == []


def test_a_correction_loads_its_module() -> None:
    """The probe can fail: a kind's module is loaded once a document of that kind is read."""
    found = probe(SLO + CORRECTION)
    assert found["ok"], found["errors"]
    loaded = found["loaded"]
    assert isinstance(loaded, list)
    assert "covenant.definitions.corrections" in loaded
    assert "dateutil" in {m.split(".")[0] for m in loaded}
