"""Maintenance windows written over HTTP (ADR 0006), on SQLite and PostgreSQL: a statement
before and after a window planned over the API (the excluded and down seconds worked out by
hand), the domain's rules (planned ahead, no overlap, a started window only ends, an ended one
is history), the audit log, `covenant maintenance pull`, and what a customer sees."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from covenant.core.agreements import Incident
from covenant.services.agreements import sync_agreements
from covenant.services.workspace import load_workspace
from covenant.store import audit
from covenant.store.records import save_incidents
from tests.api.window_support import AT, Served, covenant, served_on

AGREEMENT = """\
apiVersion: openslo/v1
kind: Service
metadata: {name: checkout}
spec: {}
---
apiVersion: openslo/v1
kind: Service
metadata: {name: search}
spec: {}
---
apiVersion: covenant/v1
kind: Agreement
metadata: {name: globex-checkout}
spec:
  customer: globex
  versions:
    - version: 1
      status: active
      effectiveFrom: 2026-01-01
      fees: {checkout: "1000.00"}
      period: {unit: month, timeZone: UTC}
      signatories:
        - {name: Hank Scorpio, role: CEO, signedAt: 2025-12-10}
      availability:
        - name: checkout-uptime
          services: [checkout]
          level: 99.9
          measurement: {source: incidents, recordsFrom: 2026-01-01}
          exclusions: {maintenanceNotice: 2d}
          credits:
            - {below: 99.9, credit: 10}
"""
DEC_1 = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
NOVEMBER_S = 30 * 86_400
FAILOVER = {
    "services": ["checkout"],
    "start": "2026-11-25T02:00:00Z",
    "end": "2026-11-25T04:00:00Z",
    "description": "order database failover test",
}


@pytest.fixture
def served(store_url: str, tmp_path: Path) -> Iterator[Served]:
    with served_on(tmp_path / "ws", store_url, extra=AGREEMENT) as made:
        sync_agreements(made.engine, workspace=load_workspace(made.workspace), at=AT, actor="t")
        incident = Incident(  # one hour down, inside the window planned below
            id="INC-1",
            services=("checkout",),
            start=datetime(2026, 11, 25, 2, 30, tzinfo=UTC),
            end=datetime(2026, 11, 25, 3, 30, tzinfo=UTC),
            severity="sev1",
        )
        with made.engine.begin() as conn:
            save_incidents(conn, incidents=[incident], at=AT)
        yield made


def commitment(served: Served, role: str = "viewer") -> dict[str, Any]:
    served.now[0] = DEC_1  # November has ended
    try:
        answer = served.call("GET", "/customers/globex/statements/2026-11", role)
    finally:
        served.now[0] = AT
    assert answer.status_code == 200, answer.text
    (found,) = answer.json()["availability"]
    result: dict[str, Any] = found
    return result


def test_a_window_planned_over_the_api_excludes_the_downtime_in_it(served: Served) -> None:
    before = commitment(served)
    assert (before["eligible_seconds"], before["downtime_seconds"]) == (NOVEMBER_S, 3_600)
    assert before["excluded_seconds"] == 0

    made = served.call(
        "POST", "/maintenance-windows", json={"name": "db-failover", "spec": FAILOVER}
    )
    assert made.status_code == 201, made.text
    assert made.json()["document"]["spec"]["announcedAt"] == "2026-11-20T12:00:00Z"  # now
    after = commitment(served)
    # two hours excluded (announced 4 d 14 h ahead: the notice is 2 d); the hour down inside
    # them no longer counts (the eligible time stays the whole month: `eligible` is `period`)
    assert after["excluded_seconds"] == 7_200
    assert (after["eligible_seconds"], after["downtime_seconds"]) == (NOVEMBER_S, 0)
    listed = served.call("GET", "/maintenance-windows/db-failover", "viewer")
    assert listed.json()["origin"].startswith("<store>")

    moved = {**FAILOVER, "start": "2026-11-25T03:00:00Z"}
    changed = served.call("PUT", "/maintenance-windows/db-failover", json={"spec": moved})
    assert changed.status_code == 200, changed.text
    # 03:00–04:00 left out; 02:30–03:00 of the incident counts again
    later = commitment(served)
    assert (later["excluded_seconds"], later["downtime_seconds"]) == (3_600, 1_800)

    cancelled = served.call("DELETE", "/maintenance-windows/db-failover", params={"reason": "x"})
    assert cancelled.status_code == 200, cancelled.text
    assert commitment(served)["downtime_seconds"] == 3_600


def test_a_late_window_is_recorded_but_not_excluded(served: Served) -> None:
    late = {**FAILOVER, "start": "2026-11-21T02:00:00Z", "end": "2026-11-21T04:00:00Z"}
    assert (
        served.call("POST", "/maintenance-windows", json={"name": "late", "spec": late}).status_code
        == 201
    )
    found = commitment(served)
    assert found["excluded_seconds"] == 0  # announced 14 h ahead: the notice is 2 d


def refused(answer: Any, status: int, code: str) -> None:
    assert answer.status_code == status, answer.text
    body = answer.json()
    assert body["code"] == code, body
    assert body["message"]
    assert body["hint"]


def test_the_domain_rules(served: Served) -> None:
    post = lambda name, spec: served.call(  # noqa: E731
        "POST", "/maintenance-windows", json={"name": name, "spec": spec}
    )
    past = {**FAILOVER, "start": "2026-11-19T02:00:00Z", "end": "2026-11-19T04:00:00Z"}
    answer = post("past", past)
    refused(answer, 400, "maintenance-in-past")
    assert answer.json()["message"] == (  # instants in UTC with Z, as everywhere else
        "maintenance window 'past' would start at 2026-11-19T02:00:00Z, before now "
        "(2026-11-20T12:00:00Z): a window is announced before it starts"
    )
    started = {**FAILOVER, "start": "2026-11-20T11:00:00Z", "end": "2026-11-20T13:00:00Z"}
    refused(post("started", started), 400, "maintenance-in-past")
    backwards = {**FAILOVER, "end": "2026-11-25T01:00:00Z"}
    answer = post("backwards", backwards)
    refused(answer, 422, "invalid-definition")
    assert answer.json()["problems"][0]["code"] == "invalid-maintenance"
    unknown = {**FAILOVER, "customers": ["umbrella"]}
    answer = post("unknown", unknown)
    refused(answer, 422, "invalid-definition")
    assert answer.json()["problems"][0]["code"] == "missing-reference"
    typo = {**FAILOVER, "services": ["checkout", "chekout"]}
    answer = post("typo", typo)  # nothing, in the files or the store, names the service
    refused(answer, 422, "invalid-definition")
    (problem,) = answer.json()["problems"]
    assert (problem["code"], problem["field"]) == ("unresolved-reference", "spec.services[1]")
    assert "'chekout'" in problem["message"]
    assert problem["fix"].startswith("did you mean 'checkout'?")
    assert served.call("GET", "/maintenance-windows/typo", "viewer").status_code == 404
    assert post("db-failover", FAILOVER).status_code == 201
    overlapping = {**FAILOVER, "start": "2026-11-25T03:30:00Z", "end": "2026-11-25T05:00:00Z"}
    answer = post("overlap", overlapping)
    refused(answer, 409, "maintenance-overlap")
    assert (
        "(2026-11-25T03:30:00Z to 2026-11-25T05:00:00Z) overlaps 'db-failover'"
        in (answer.json()["message"])
    )
    elsewhere = {**overlapping, "services": ["search"]}
    assert post("search-window", elsewhere).status_code == 201  # another service
    refused(post("db-failover", FAILOVER), 409, "conflict")
    # in progress: only the end moves, and not before now
    served.now[0] = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)
    moved = {**FAILOVER, "start": "2026-11-25T02:30:00Z"}
    put = served.call("PUT", "/maintenance-windows/db-failover", json={"spec": moved})
    refused(put, 409, "maintenance-started")
    refused(served.call("DELETE", "/maintenance-windows/db-failover"), 409, "maintenance-started")
    refused(
        served.call("POST", "/maintenance-windows/search-window/end"),
        409,
        "maintenance-not-started",
    )
    longer = {**FAILOVER, "end": "2026-11-25T04:30:00Z"}
    put = served.call("PUT", "/maintenance-windows/db-failover", json={"spec": longer})
    refused(put, 409, "maintenance-started")  # more time is a new window, announced now
    shorter = {**FAILOVER, "end": "2026-11-25T03:30:00Z"}
    put = served.call("PUT", "/maintenance-windows/db-failover", json={"spec": shorter})
    assert put.status_code == 200, put.text
    assert put.json()["document"]["spec"]["announcedAt"] == "2026-11-20T12:00:00Z"  # kept
    earlier = {**FAILOVER, "end": "2026-11-25T02:45:00Z"}
    put = served.call("PUT", "/maintenance-windows/db-failover", json={"spec": earlier})
    refused(put, 409, "maintenance-started")  # not before now
    ended = served.call("POST", "/maintenance-windows/db-failover/end")
    assert ended.status_code == 200, ended.text
    assert ended.json()["document"]["spec"]["end"] == "2026-11-25T03:00:00Z"
    # ended: history
    refused(served.call("POST", "/maintenance-windows/db-failover/end"), 409, "maintenance-ended")
    refused(
        served.call("PUT", "/maintenance-windows/db-failover", json={"spec": FAILOVER}),
        409,
        "maintenance-ended",
    )
    refused(served.call("DELETE", "/maintenance-windows/nope"), 404, "not-found")


def test_audited_pulled_and_what_a_customer_sees(served: Served) -> None:
    served.call("POST", "/maintenance-windows", json={"name": "db-failover", "spec": FAILOVER})
    moved = {**FAILOVER, "start": "2026-11-26T02:00:00Z", "end": "2026-11-26T04:00:00Z"}
    served.now[0] = datetime(2026, 11, 21, 9, 0, tzinfo=UTC)
    answer = served.call(
        "PUT", "/maintenance-windows/db-failover", json={"spec": moved, "reason": "later"}
    )
    served.now[0] = AT
    assert answer.status_code == 200, answer.text
    with served.engine.connect() as conn:
        rows = [e for e in audit.entries(conn) if e.entity_kind == "maintenance-window"]
        assert audit.verify(conn).broken is None
    assert [e.action for e in rows] == ["created", "changed"]
    assert rows[1].before_data()["spec"]["start"] == "2026-11-25T02:00:00Z"
    assert rows[1].after_data()["spec"]["start"] == "2026-11-26T02:00:00Z"
    assert rows[0].after_data()["spec"]["announcedAt"] == "2026-11-20T12:00:00Z"
    # moved: announced anew when it was moved
    assert rows[1].after_data()["spec"]["announcedAt"] == "2026-11-21T09:00:00Z"
    assert rows[1].reason == "later"
    for role in ("viewer", "customer"):
        answer = served.call(
            "POST", "/maintenance-windows", role, json={"name": "x", "spec": FAILOVER}
        )
        refused(answer, 403, "forbidden")
    refused(served.call("GET", "/maintenance-windows", "customer"), 403, "forbidden")
    # the customer's statement counts the window, as one written in YAML: two hours on the
    # 26th, announced 4 d 17 h ahead; the incident on the 25th counts whole again
    seen = commitment(served, "customer")
    assert (seen["excluded_seconds"], seen["downtime_seconds"]) == (7_200, 3_600)

    result = covenant(served, "maintenance", "pull")
    assert result.returncode == 0, result.stderr
    written = served.workspace / "maintenance" / "db-failover.yaml"
    data = YAML(typ="safe").load(written.read_text())
    assert data["spec"]["start"] == "2026-11-26T02:00:00Z"
    assert data["spec"]["description"] == FAILOVER["description"]
    assert commitment(served)["excluded_seconds"] == 7_200  # from the YAML now
    verified = covenant(served, "audit", "verify")
    assert verified.returncode == 0, verified.stderr


def test_concurrent_overlapping_windows_one_wins(served: Served) -> None:
    """Four requests at once, each a different window over the same hours: the writers are
    serialised (the audit lock on PostgreSQL, the write lock on SQLite), so exactly one is
    recorded and the others see it and are refused."""

    def post(i: int) -> int:
        body = {"name": f"window-{i}", "spec": FAILOVER}
        return served.call("POST", "/maintenance-windows", json=body).status_code

    with ThreadPoolExecutor(4) as pool:
        statuses = sorted(pool.map(post, range(4)))
    assert statuses == [201, 409, 409, 409]
    listed = served.call("GET", "/maintenance-windows", "viewer").json()["items"]
    assert len(listed) == 1


YAML_WINDOW = """\
---
apiVersion: covenant/v1
kind: MaintenanceWindow
metadata: {name: db-failover}
spec:
  services: [checkout]
  start: 2026-11-25T02:00:00Z
  end: 2026-11-25T04:00:00Z
  announcedAt: 2026-11-10T09:00:00Z
"""


def test_a_window_cancelled_over_the_api_stays_cancelled_until_pulled(served: Served) -> None:
    windows = served.workspace / "windows.yaml"
    windows.write_text(AGREEMENT + YAML_WINDOW)
    assert commitment(served)["excluded_seconds"] == 7_200  # the YAML's window
    cancelled = served.call("DELETE", "/maintenance-windows/db-failover", params={"reason": "x"})
    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["before"]["spec"]["announcedAt"] == "2026-11-10T09:00:00Z"
    assert commitment(served)["excluded_seconds"] == 0
    windows.write_text(AGREEMENT + YAML_WINDOW + "\n")  # saved again: still cancelled
    assert commitment(served)["excluded_seconds"] == 0
    assert served.call("GET", "/maintenance-windows", "viewer").json()["items"] == []
    pulled = covenant(served, "maintenance", "pull")
    assert pulled.returncode == 0, pulled.stderr
    assert "db-failover: removed from" in pulled.stdout
    assert "kind: MaintenanceWindow" not in windows.read_text()
    assert "kind: Agreement" in windows.read_text()  # the other documents stay
    assert commitment(served)["excluded_seconds"] == 0


def test_a_customer_sees_the_windows_display_name_never_its_name(served: Served) -> None:
    body = {"name": "db-failover", "displayName": "order database failover", "spec": FAILOVER}
    assert served.call("POST", "/maintenance-windows", json=body).status_code == 201
    later = {**FAILOVER, "start": "2026-11-25T01:00:00Z"}  # grown: announced anew, same name
    changed = served.call("PUT", "/maintenance-windows/db-failover", json={"spec": later})
    assert changed.status_code == 200, changed.text
    assert changed.json()["document"]["metadata"]["displayName"] == "order database failover"
    served.now[0] = DEC_1
    try:
        answer = served.call("GET", "/customers/globex/statements/2026-11", "customer")
    finally:
        served.now[0] = AT
    assert answer.status_code == 200, answer.text
    (found,) = answer.json()["availability"]
    (excluded,) = found["exclusions"]
    assert excluded["seconds"] == 10_800  # 01:00–04:00
    assert "order database failover" in excluded["reason"]
    assert "db-failover" not in answer.text
    unnamed = {"name": "search-window", "spec": {**FAILOVER, "services": ["search"]}}
    assert served.call("POST", "/maintenance-windows", json=unnamed).status_code == 201
    listed = served.call("GET", "/maintenance-windows/search-window", "viewer").json()
    assert "displayName" not in listed["document"]["metadata"]


def test_a_service_only_a_stored_agreement_names_is_accepted(
    served: Served, tmp_path: Path
) -> None:
    """An agreement recorded from elsewhere (as one created over the API is) names `payments`;
    the served files do not: a window on it is planned, one on `paymnets` is refused."""
    other = tmp_path / "elsewhere"
    other.mkdir()
    for path in served.workspace.glob("*.yaml"):
        (other / path.name).write_text(path.read_text())
    payments = AGREEMENT.split("---\n", 2)[2]  # the Agreement alone
    payments = payments.replace("globex-checkout", "globex-payments")
    payments = payments.replace("[checkout]", "[payments]").replace("{checkout:", "{payments:")
    (other / "payments.yaml").write_text(payments)
    sync_agreements(served.engine, workspace=load_workspace(other), at=AT, actor="t")
    assert "payments" not in "".join(p.read_text() for p in served.workspace.glob("*.yaml"))
    spec = {**FAILOVER, "services": ["payments"]}
    made = served.call("POST", "/maintenance-windows", json={"name": "pay", "spec": spec})
    assert made.status_code == 201, made.text
    typo = {**FAILOVER, "services": ["paymnets"]}
    answer = served.call("POST", "/maintenance-windows", json={"name": "typo", "spec": typo})
    assert answer.status_code == 422, answer.text
    (problem,) = answer.json()["problems"]
    assert problem["message"].startswith(
        "no service named 'paymnets' in the workspace or the store"
    )
    assert problem["fix"].startswith("did you mean 'payments'?")


TYPO_WINDOW = """\
---
apiVersion: covenant/v1
kind: MaintenanceWindow
metadata: {name: typo-window}
spec:
  services: [checkuot]
  start: 2026-11-20T10:00:00Z
  end: 2026-11-20T14:00:00Z
  announcedAt: 2026-11-10T09:00:00Z
"""


def test_a_started_window_on_a_service_nothing_names_can_still_end(
    store_url: str, tmp_path: Path
) -> None:
    """A window in the files on `checkuot` (validate only warns of it; one written over the
    API before the check could name one too) is in progress at 12:00: ending it names no new
    service, so it is not refused — only a service a change adds is checked."""
    with served_on(tmp_path / "ws", store_url, extra=AGREEMENT + TYPO_WINDOW) as made:
        ended = made.call("POST", "/maintenance-windows/typo-window/end")
        assert ended.status_code == 200, ended.text
        assert ended.json()["document"]["spec"]["end"] == "2026-11-20T12:00:00Z"  # AT
        assert ended.json()["document"]["spec"]["services"] == ["checkuot"]
