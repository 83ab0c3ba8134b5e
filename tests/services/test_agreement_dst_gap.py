"""A signed version stored while a time in a DST gap was read by Python's ``fold=0`` rule
(02:30 on Berlin's spring-forward night = 03:30 CEST = 01:30 UTC) is the same version once that
time reads as the gap's end (01:00 UTC): sync keeps it as stored instead of refusing it. The old
instant is written here by hand, with the offset Berlin had before the gap (+01:00)."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import Engine

from covenant.errors import DefinitionError
from covenant.services.agreements import sync_agreements
from tests.services.test_agreements import T1, T2, V1, V2, snapshot, workspace

SIGNED = "signedAt: 2026-06-01}"
OLD = 'signedAt: "2026-03-29T02:30:00+01:00"}'  # what fold=0 made of 02:30: 01:30 UTC
GAP = 'signedAt: "2026-03-29T02:30"}'  # unchanged text: now read as 03:00 CEST, 01:00 UTC


def test_a_signed_version_stored_with_the_old_gap_reading_is_kept(engine: Engine) -> None:
    sync_agreements(engine, workspace=workspace(V1 + V2.replace(SIGNED, OLD)), at=T1)
    before = snapshot(engine)
    report = sync_agreements(engine, workspace=workspace(V1 + V2.replace(SIGNED, GAP)), at=T2)
    assert (report.changes, report.unchanged) == ((), 2)
    assert snapshot(engine) == before
    (warning,) = [w for w in report.warnings if w.code == "time-in-dst-gap"]
    assert "signatories[0].signedAt" in warning.message
    assert "Europe/Berlin" in warning.message


def test_a_different_time_in_the_gap_is_still_a_change(engine: Engine) -> None:
    sync_agreements(engine, workspace=workspace(V1 + V2.replace(SIGNED, OLD)), at=T1)
    other = 'signedAt: "2026-03-29T02:45"}'  # old reading 01:45 UTC: not what was signed
    with pytest.raises(DefinitionError) as raised:
        sync_agreements(engine, workspace=workspace(V1 + V2.replace(SIGNED, other)), at=T2)
    assert [p.code for p in raised.value.problems if p.severity == "error"] == [
        "signed-version-changed"
    ]
