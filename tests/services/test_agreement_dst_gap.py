"""A signed version stored while a time in a DST gap was read by Python's ``fold=0`` rule
(02:30 on Berlin's spring-forward night = 03:30 CEST = 01:30 UTC) is the same version once that
time reads as the gap's end (01:00 UTC): sync keeps it as stored instead of refusing it. The old
instant is written here by hand, with the offset Berlin had before the gap (+01:00)."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from covenant.definitions.agreements import fold0_gap_instant
from covenant.errors import DefinitionError
from covenant.services.agreement_pull import pull_agreements
from covenant.services.agreements import sync_agreements, with_recorded_agreements
from tests.definitions.test_agreements import CALENDAR, CUSTOMER, SHOP, agreement
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


def test_statements_read_the_stored_instants_of_such_a_version(engine: Engine) -> None:
    """What statements and exposure read keeps the signed instants: 01:30 UTC, as stored, not
    the new reading of the unchanged text (01:00 UTC)."""
    old_from = 'effectiveFrom: "2026-03-29T02:30:00+01:00"'
    v2_old = V2.replace("effectiveFrom: 2026-07-01", old_from).replace(SIGNED, OLD)
    v2_gap = V2.replace("effectiveFrom: 2026-07-01", 'effectiveFrom: "2026-03-29T02:30"')
    sync_agreements(engine, workspace=workspace(V1 + v2_old), at=T1)
    ws = workspace(V1 + v2_gap.replace(SIGNED, GAP))
    (defined,) = [v for v in ws.agreements if v.version == 2]
    assert defined.effective_from == datetime(2026, 3, 29, 1, 0, tzinfo=UTC)  # the new reading
    read = with_recorded_agreements(engine, ws)
    (v2,) = [v for v in read.agreements if v.version == 2]
    assert v2.effective_from == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)
    assert v2.signatories[0].signed_at == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)
    (v1,) = [v for v in read.agreements if v.version == 1]
    assert v1 == next(v for v in ws.agreements if v.version == 1)


def test_pull_finds_nothing_to_write_for_such_a_version(engine: Engine, tmp_path: Path) -> None:
    sync_agreements(engine, workspace=workspace(V1 + V2.replace(SIGNED, OLD)), at=T1)
    for path in SHOP.glob("*.yaml"):
        if path.name != "contracts.yaml":
            shutil.copy(path, tmp_path / path.name)
    text = "---\n".join([CUSTOMER, CALENDAR, agreement(V1 + V2.replace(SIGNED, GAP))])
    (tmp_path / "acme.yaml").write_text(text)
    assert pull_agreements(engine, workspace_dir=tmp_path, dry_run=True) == []


@pytest.mark.parametrize(
    ("text", "zone", "old"),
    [
        # Berlin 2026-03-29: CET (+01:00) until 01:00 UTC; fold=0 keeps +01:00 in the gap
        ("2026-03-29T02:30", "Europe/Berlin", datetime(2026, 3, 29, 1, 30, tzinfo=UTC)),
        ("2026-03-29T03:00", "Europe/Berlin", None),  # not in the gap: both rules agree
        ("2026-10-25T02:30", "Europe/Berlin", None),  # read twice: both take the first
        ("2026-03-29T02:30:00+01:00", "Europe/Berlin", None),  # an offset: exact
        # Santiago 2026-09-06: -04:00 until 04:00 UTC
        ("2026-09-06T00:30", "America/Santiago", datetime(2026, 9, 6, 4, 30, tzinfo=UTC)),
        ("2026-09-06", "America/Santiago", None),  # midnight: the gap's start, 04:00 either way
        # Lord Howe 2026-10-04: +10:30 until 15:30 UTC
        ("2026-10-04T02:15", "Australia/Lord_Howe", datetime(2026, 10, 3, 15, 45, tzinfo=UTC)),
    ],
)
def test_the_old_reading_of_a_time_in_a_gap(text: str, zone: str, old: datetime | None) -> None:
    assert fold0_gap_instant(text, zone) == old
