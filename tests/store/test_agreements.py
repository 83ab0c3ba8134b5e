"""Agreement repository: canonical content round trip, the hash chain, the version in force."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal

import pytest
import sqlalchemy as sa
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Engine

from covenant.core.agreements import AgreementVersion, VersionStatus
from covenant.definitions.workspace import Workspace
from covenant.errors import NotFoundError
from covenant.store import agreements as repo
from covenant.store.agreement_content import content_hash, version_content, version_from_content
from covenant.store.agreement_history import append_event
from covenant.store.agreement_tables import agreement_events
from covenant.store.db import alembic_config
from tests.definitions.test_agreements import CALENDAR, CUSTOMER, FULL, V1, agreement, load

T0 = datetime(2026, 1, 15, tzinfo=UTC)


def full_workspace(text: str = FULL) -> Workspace:
    workspace, problems = load(text)
    assert workspace is not None, problems
    return workspace


def by_version(workspace: Workspace) -> dict[int, AgreementVersion]:
    return {v.version: v for v in workspace.agreements}


def test_content_round_trips_exactly_and_leaves_the_status_out() -> None:
    for version in full_workspace().agreements:
        content = version_content(version)
        assert version_from_content(content, status=version.status) == version
        assert '"status"' not in content
        other = replace(version, status=VersionStatus.TERMINATED)
        assert content_hash(other) == content_hash(version)
    v1 = by_version(full_workspace())[1]
    assert '"level":"999/1000"' in version_content(v1)
    assert '"1200.00"' in version_content(v1)


KOFN = agreement(
    """\
    - version: 1
      status: signed
      effectiveFrom: 2026-01-01
      fees: {checkout: "100.00"}
      cap: {percent: 20, amount: "50.00"}
      signatories: [{name: Jane Roe, signedAt: 2025-12-01}]
      availability:
        - name: region
          services: [checkout]
          level: 99.9
          measurement: {source: incidents, components: [az1, az2, az3], atLeastDown: 2,
                        recordsFrom: 2025-06-01}
          credits: [{below: 99.9, credit: 10}]
          minimumCredit: {above: "1.00"}
"""
)


def test_content_round_trips_every_field_components_caps_and_minimums() -> None:
    """Regression: the k-of-n components, recordsFrom, the version-wide cap and an exclusive
    minimum credit are in the hashed content but were not read back from it, so a version
    read from the store measured without them."""
    (version,) = full_workspace("---\n".join([CUSTOMER, KOFN])).agreements
    m = version.availability[0].measurement
    assert (m.components, m.components_down) == (("az1", "az2", "az3"), 2)
    assert m.records_from == datetime(2025, 6, 1, tzinfo=UTC)
    assert version.cap_percent == Decimal(20)
    assert version.availability[0].remedies.minimum_inclusive is False
    assert version_from_content(version_content(version), status=version.status) == version


def test_tables_exist_after_migration(engine: Engine) -> None:
    names = set(sa.inspect(engine).get_table_names())
    assert {"agreements", "agreement_versions", "agreement_events"} <= names
    with engine.connect() as conn:
        versions = set(conn.execute(sa.text("select version_num from alembic_version")).scalars())
    assert versions == set(ScriptDirectory.from_config(alembic_config()).get_heads())  # one head


def _store(engine: Engine, versions: list[AgreementVersion], *, at: datetime = T0) -> None:
    with engine.begin() as conn:
        agreement_id = repo.insert_agreement(conn, name="acme-sla", customer="acme", at=at)
        for version in versions:
            repo.insert_version(conn, agreement_id=agreement_id, version=version, at=at)
            append_event(
                conn,
                agreement_id=agreement_id,
                agreement="acme-sla",
                version=version.version,
                event="created",
                at=at,
                to_status=version.status.value,
                details={"content_sha256": content_hash(version)},
            )


def test_history_is_hash_chained_and_tampering_shows(engine: Engine) -> None:
    _store(engine, list(full_workspace().agreements))
    with engine.connect() as conn:
        events = repo.history(conn, agreement="acme-sla")
        assert [(e.seq, e.version, e.event, e.to_status) for e in events] == [
            (1, 1, "created", "active"),
            (2, 2, "created", "signed"),
        ]
        assert events[0].prev_hash is None
        assert events[1].prev_hash == events[0].hash
        assert repo.chain_intact(conn, agreement="acme-sla")
    with engine.begin() as conn:
        conn.execute(
            sa.update(agreement_events).where(agreement_events.c.seq == 1).values(to_status="draft")
        )
    with engine.connect() as conn:
        assert not repo.chain_intact(conn, agreement="acme-sla")


def test_version_in_force_follows_amendments(engine: Engine) -> None:
    versions = by_version(full_workspace())
    _store(engine, [versions[1], versions[2]])
    with engine.connect() as conn:
        with pytest.raises(NotFoundError, match="no version of 'acme-sla' is in force"):
            repo.version_in_force(conn, agreement="acme-sla", at=datetime(2025, 6, 1, tzinfo=UTC))
        at_march = repo.version_in_force(
            conn, agreement="acme-sla", at=datetime(2026, 3, 1, tzinfo=UTC)
        )
        assert at_march == versions[1]
        # v2 starts at Berlin midnight, 2026-06-30T22:00Z
        edge = datetime(2026, 6, 30, 22, tzinfo=UTC)
        assert repo.version_in_force(conn, agreement="acme-sla", at=edge).version == 2
        before = datetime(2026, 6, 30, 21, 59, 59, tzinfo=UTC)
        assert repo.version_in_force(conn, agreement="acme-sla", at=before).version == 1
        with pytest.raises(NotFoundError, match="no agreement named 'other'"):
            repo.version_in_force(conn, agreement="other", at=T0)


def test_drafts_are_never_in_force_and_termination_ends_a_version(engine: Engine) -> None:
    text = "---\n".join(
        [CUSTOMER, CALENDAR, agreement(V1.replace("status: active", "status: terminated"))]
    )
    (terminated,) = full_workspace(text).agreements
    draft = replace(by_version(full_workspace())[2], status=VersionStatus.DRAFT, signatories=())
    _store(engine, [terminated, draft], at=datetime(2026, 4, 1, tzinfo=UTC))
    with engine.connect() as conn:
        march = repo.version_in_force(
            conn, agreement="acme-sla", at=datetime(2026, 3, 1, tzinfo=UTC)
        )
        assert march.version == 1
        for at in (datetime(2026, 4, 2, tzinfo=UTC), datetime(2026, 8, 1, tzinfo=UTC)):
            with pytest.raises(NotFoundError):
                repo.version_in_force(conn, agreement="acme-sla", at=at)
