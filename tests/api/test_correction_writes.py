"""Corrections written over HTTP (docs/corrections.md, ADR 0006), on SQLite and PostgreSQL:
an evaluation before and after a correction posted, changed and deleted over the API (the
figures worked out by hand from the requests stored), the readers' own validation, the audit
log, `covenant corrections pull`, and a reload that never silently undoes the API's change."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from covenant.services.worker import Worker
from covenant.store import audit
from tests.api.window_support import AT, Served, covenant, served_on, two_hours_bad

LB_FLAP = {
    "slos": ["checkout-availability"],
    "start": "2026-11-18T22:00:00Z",
    "duration": "2h",
    "reason": "the load balancer's health checks failed, not checkout",
}


@pytest.fixture
def served(store_url: str, tmp_path: Path) -> Iterator[Served]:
    with served_on(tmp_path / "ws", store_url) as made:
        two_hours_bad(made.engine)
        yield made


def figures(result: dict[str, object]) -> tuple[object, object]:
    return result["good"], result["total"]  # type: ignore[index]


def test_a_correction_posted_changed_and_deleted_changes_the_evaluation_at_once(
    served: Served,
) -> None:
    before = served.evaluation()
    assert figures(before) == (70_800, 72_000)  # 72,000 requests, 120 minutes × 10 bad
    assert before["corrected"] is None

    made = served.call("POST", "/corrections", json={"name": "lb-flap", "spec": LB_FLAP})
    assert made.status_code == 201, made.text
    assert made.json()["event"]["action"] == "created"
    assert made.json()["document"]["spec"]["author"].startswith("token:")  # who, by default
    after = served.evaluation()
    assert figures(after) == (70_800, 72_000)  # raw: what was measured, unchanged
    # the two bad hours left out: 600 clean minutes remain
    assert figures(after["corrected"]) == (60_000, 60_000)
    assert [c["name"] for c in after["corrections"]] == ["lb-flap"]

    shorter = {**LB_FLAP, "duration": "1h", "reason": "only the first hour was the balancer"}
    changed = served.call("PUT", "/corrections/lb-flap", json={"spec": shorter})
    assert changed.status_code == 200, changed.text
    assert changed.json()["before"]["spec"]["duration"] == "2h"
    # 22:00–23:00 left out: 660 minutes remain, the last 60 with 10 bad each
    assert figures(served.evaluation()["corrected"]) == (65_400, 66_000)

    gone = served.call("DELETE", "/corrections/lb-flap", params={"reason": "not the balancer"})
    assert gone.status_code == 200, gone.text
    final = served.evaluation()
    assert final["corrected"] is None
    assert figures(final) == (70_800, 72_000)


def test_every_change_is_in_the_audit_log_and_the_chain_verifies(served: Served) -> None:
    served.call("POST", "/corrections", json={"name": "lb-flap", "spec": LB_FLAP})
    served.call("PUT", "/corrections/lb-flap", json={"spec": {**LB_FLAP, "duration": "1h"}})
    served.call("DELETE", "/corrections/lb-flap")
    with served.engine.connect() as conn:
        rows = [e for e in audit.entries(conn) if e.entity_kind == "correction"]
        verified = audit.verify(conn)
    assert [(e.action, e.entity_id) for e in rows] == [
        ("created", "lb-flap"),
        ("changed", "lb-flap"),
        ("deleted", "lb-flap"),
    ]
    assert rows[0].before_data() is None
    assert rows[0].after_data()["spec"]["duration"] == "2h"
    assert rows[1].before_data()["spec"]["duration"] == "2h"
    assert rows[1].after_data()["spec"]["duration"] == "1h"
    assert rows[2].after_data() is None
    assert all(e.actor.startswith("token:") for e in rows)
    assert rows[0].reason == LB_FLAP["reason"]
    assert verified.broken is None
    # an evaluation applying the correction later records no second revision row
    served.evaluation()
    result = covenant(served, "audit", "verify")
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    ("spec", "code", "field"),
    [
        ({k: v for k, v in LB_FLAP.items() if k != "reason"}, "missing-field", "spec.reason"),
        ({**LB_FLAP, "reason": "   "}, "missing-field", "spec.reason"),
        ({**LB_FLAP, "rrule": "FREQ=MINUTELY"}, "invalid-rrule", "spec.rrule"),
        ({**LB_FLAP, "rrule": "FREQ=DAILY;INTERVAL=0"}, "invalid-rrule", "spec.rrule"),
        ({**LB_FLAP, "slos": ["no-such-slo"]}, "missing-reference", "spec.slos[0]"),
        ({**LB_FLAP, "end": "2026-11-19T00:00:00Z"}, "conflicting-fields", "spec.duration"),
        ({**LB_FLAP, "count": 3}, "invalid-correction", "spec.count"),
        ({**LB_FLAP, "start": "yesterday"}, "invalid-instant", "spec.start"),
        ({**LB_FLAP, "author": "x" * 256}, "invalid-value", "spec.author"),
    ],
)
def test_a_bad_correction_is_refused_with_the_readers_problems(
    served: Served, spec: dict[str, object], code: str, field: str
) -> None:
    answer = served.call("POST", "/corrections", json={"name": "bad", "spec": spec})
    assert answer.status_code == 422, answer.text
    body = answer.json()
    assert body["code"] == "invalid-definition"
    assert (code, field) in {(p["code"], p["field"]) for p in body["problems"]}, body
    assert served.call("GET", "/corrections", "viewer").json()["items"] == []  # nothing applied


def test_names_roles_and_bodies(served: Served) -> None:
    body = {"name": "lb-flap", "spec": LB_FLAP}
    for role in ("viewer", "customer"):
        refused = served.call("POST", "/corrections", role, json=body)
        assert refused.status_code == 403, refused.text
        assert refused.json()["code"] == "forbidden"
    assert served.call("POST", "/corrections", "admin", json=body).status_code == 201
    again = served.call("POST", "/corrections", json=body)
    assert (again.status_code, again.json()["code"]) == (409, "conflict")
    missing = served.call("PUT", "/corrections/nope", json={"spec": LB_FLAP})
    assert (missing.status_code, missing.json()["code"]) == (404, "not-found")
    same = served.call("PUT", "/corrections/lb-flap", json={"spec": served_spec(served)})
    assert same.status_code == 409  # nothing to change
    for bad in ({"name": "x"}, {"spec": LB_FLAP}, {"name": "Bad Name!", "spec": LB_FLAP}, []):
        answer = served.call("POST", "/corrections", json=bad)
        assert answer.status_code in (400, 422), answer.text
        assert set(answer.json()) >= {"code", "message", "hint"}
    # customers never see corrections
    hidden = served.call("GET", "/corrections", "customer")
    assert hidden.status_code == 403


def served_spec(served: Served) -> dict[str, object]:
    items = served.call("GET", "/corrections", "viewer").json()["items"]
    (item,) = [i for i in items if i["name"] == "lb-flap"]
    spec: dict[str, object] = item["document"]["spec"]
    return spec


def test_pull_writes_the_yaml_and_the_workspace_owns_it_again(served: Served) -> None:
    served.call("POST", "/corrections", json={"name": "lb-flap", "spec": LB_FLAP})
    written = served.workspace / "corrections" / "lb-flap.yaml"
    dry = covenant(served, "corrections", "pull", "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "lb-flap: would write into" in dry.stdout
    assert not written.exists()
    result = covenant(served, "corrections", "pull")
    assert result.returncode == 0, result.stderr
    data = YAML(typ="safe").load(written.read_text())
    assert data["kind"] == "Correction"
    assert data["spec"]["duration"] == "2h"
    assert data["spec"]["reason"] == LB_FLAP["reason"]
    # the same figures from the YAML as from the store
    assert figures(served.evaluation()["corrected"]) == (60_000, 60_000)
    # the workspace owns it again: an edit of the YAML applies
    written.write_text(written.read_text().replace("duration: 2h", "duration: 1h"))
    assert figures(served.evaluation()["corrected"]) == (65_400, 66_000)
    # and a second pull has nothing to write
    again = covenant(served, "corrections", "pull")
    assert "pulled: 0" in again.stdout, again.stdout


YAML_CORRECTION = """\
apiVersion: covenant/v1
kind: Correction
metadata: {name: lb-flap}
spec:
  slos: [checkout-availability]
  start: 2026-11-18T22:00:00Z
  duration: 2h
  author: sre@example.com
  reason: the balancer
"""


@pytest.fixture
def with_yaml(store_url: str, tmp_path: Path) -> Iterator[Served]:
    with served_on(tmp_path / "ws", store_url, extra=YAML_CORRECTION) as made:
        two_hours_bad(made.engine)
        yield made


def test_a_reload_never_silently_undoes_a_change_made_over_the_api(with_yaml: Served) -> None:
    served = with_yaml
    assert figures(served.evaluation()["corrected"]) == (60_000, 60_000)  # from the YAML
    gone = served.call("DELETE", "/corrections/lb-flap", params={"reason": "not the balancer"})
    assert gone.status_code == 200, gone.text
    assert served.evaluation()["corrected"] is None
    # the file is saved again (a deploy, a checkout), unchanged: the deletion holds
    (served.workspace / "windows.yaml").write_text(YAML_CORRECTION + "\n")
    assert served.evaluation()["corrected"] is None
    # an edit of the YAML made meanwhile does not apply either, and says so
    (served.workspace / "windows.yaml").write_text(YAML_CORRECTION.replace("2h", "1h"))
    assert served.evaluation()["corrected"] is None
    listed = served.call("GET", "/corrections", "viewer").json()["items"]
    assert listed == []
    # the CLI's evaluation applies the store's record too, and warns
    result = covenant(served, "evaluate", "--format", "json")
    assert result.returncode == 0, result.stderr
    assert "lb-flap" in result.stderr  # the warning: the store's record applies
    report = json.loads(result.stdout)
    (row,) = report["results"]
    assert (row["good"], row["total"], row["corrected"]) == (70_800, 72_000, None)
    # pull removes it from the file: the workspace and the store agree
    pulled = covenant(served, "corrections", "pull")
    assert pulled.returncode == 0, pulled.stderr
    assert "kind: Correction" not in (served.workspace / "windows.yaml").read_text()
    assert served.evaluation()["corrected"] is None


def test_the_cli_evaluation_uses_a_correction_posted_over_the_api(served: Served) -> None:
    served.call("POST", "/corrections", json={"name": "lb-flap", "spec": LB_FLAP})
    result = covenant(served, "evaluate", "--format", "json")
    assert result.returncode == 0, result.stderr
    (row,) = json.loads(result.stdout)["results"]
    assert (row["good"], row["total"]) == (70_800, 72_000)
    assert (row["corrected"]["good"], row["corrected"]["total"]) == (60_000, 60_000)
    assert datetime.fromisoformat(row["corrections"][0]["start"]) == datetime(
        2026, 11, 18, 22, 0, tzinfo=UTC
    )


def test_the_workers_next_tick_applies_a_correction_posted_over_the_api(served: Served) -> None:
    context = served.client.app.state.covenant  # what `covenant serve` gives its worker
    worker = Worker(served.engine, notify=lambda notices: None, catch_up=False)
    first = worker.tick(context.workspace(), AT).report
    assert first.corrected == ()  # no correction yet
    served.call("POST", "/corrections", json={"name": "lb-flap", "spec": LB_FLAP})
    report = worker.tick(context.workspace(), AT).report
    (fixed,) = report.corrected
    assert (fixed.evaluation.good, fixed.evaluation.total) == (60_000, 60_000)
    assert (report.evaluations[0].good, report.evaluations[0].total) == (70_800, 72_000)


def test_pull_under_json_prints_what_it_wrote(served: Served) -> None:
    """`corrections pull --format json`: each correction pulled (name, action, file, whether
    an edit of the workspace was replaced) and whether it was a dry run, for a script."""
    served.call("POST", "/corrections", json={"name": "lb-flap", "spec": LB_FLAP})
    written = served.workspace / "corrections" / "lb-flap.yaml"
    dry = covenant(served, "corrections", "pull", "--dry-run", "--format", "json")
    assert dry.returncode == 0, dry.stderr
    found = json.loads(dry.stdout)
    assert (found["dry_run"], len(found["items"])) == (True, 1)
    [item] = found["items"]
    assert (item["name"], item["action"], item["replaced_edit"]) == ("lb-flap", "written", False)
    assert Path(item["file"]).resolve() == written.resolve()
    assert not written.exists()
    done = json.loads(covenant(served, "corrections", "pull", "-f", "json").stdout)
    assert (done["dry_run"], done["items"]) == (False, found["items"])
    assert YAML(typ="safe").load(written.read_text())["metadata"]["name"] == "lb-flap"
    again = covenant(served, "corrections", "pull", "-f", "json")
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout) == {"dry_run": False, "items": []}
    assert (
        json.loads(covenant(served, "corrections", "pull", "-n", "no-such", "-f", "json").stdout)[
            "items"
        ]
        == []
    )


def test_a_refused_pull_under_json_is_an_error_document(tmp_path: Path) -> None:
    """No store in the folder: `{"error": …}` on stdout, exit 1, as every command's."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("COVENANT_")}
    command = [str(Path(sys.executable).parent / "covenant"), "maintenance", "pull"]
    done = subprocess.run(
        [*command, "-w", str(tmp_path), "-f", "json"],
        env={**env, "COVENANT_HELP_CACHE": "0"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1, done.stderr
    error = json.loads(done.stdout)["error"]
    assert error["code"] == "no-store"
    assert str(tmp_path) in error["message"]
    assert error["hint"]
