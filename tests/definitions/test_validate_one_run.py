"""``covenant validate`` says every problem in one run (README): a document's schema error no
longer hides the checks that do not read the refused field.

An Agreement whose one commitment level is out of range (a schema error) used to hide that its
customer does not exist and that its active version has no signatories: both came out only on
the next run, after the level was fixed. An SLO whose target is out of range lost the warning
that its service names no Service document. The problems expected are read off the text
below, line by line; nothing is derived from a field the schema refused (no credit-tier problem
from a level that did not parse).
"""

from __future__ import annotations

from pathlib import Path

from covenant.services.workspace import validate_paths

TEXT = """\
apiVersion: covenant/v1
kind: Agreement
metadata:
  name: acme-sla
spec:
  customer: nobody
  versions:
    - version: 1
      status: active
      effectiveFrom: 2026-01-01
      period: {unit: month, timeZone: Europe/Berlin}
      availability:
        - name: up
          services: [checkout]
          level: 199.9
          measurement: {source: incidents}
          credits:
            - {below: 99.9, atLeast: 99.0, credit: 10}
            - {below: 99.0, credit: 25}
---
apiVersion: openslo/v1
kind: SLO
metadata:
  name: checkout-slo
spec:
  service: no-such-service
  indicator:
    metadata: {name: checkout-avail}
    spec:
      ratioMetric:
        good: {metricSource: {type: covenant-events, spec: {outcome: good}}}
        total: {metricSource: {type: covenant-events, spec: {}}}
  timeWindow:
    - duration: 28d
      isRolling: true
  budgetingMethod: Occurrences
  objectives:
    - target: 1.5
"""


def _line(needle: str) -> int:
    (number,) = [n for n, text in enumerate(TEXT.splitlines(), start=1) if needle in text]
    return number


def _found(tmp_path: Path, text: str) -> set[tuple[str, str, int, str]]:
    file = tmp_path / "ws.yaml"
    file.write_text(text, encoding="utf-8")
    return {
        (p.severity, p.code, int(p.where.rpartition(":")[2]), p.field)
        for p in validate_paths([tmp_path])
    }


def test_every_problem_of_the_workspace_in_one_run(tmp_path: Path) -> None:
    assert _found(tmp_path, TEXT) == {
        # the schema errors, as before
        (
            "error",
            "percent-out-of-range",
            _line("level: 199.9"),
            "spec.versions[0].availability[0].level",
        ),
        ("error", "target-out-of-range", _line("target: 1.5"), "spec.objectives[0].target"),
        # the checks the refused fields hid until the next run
        ("error", "missing-reference", _line("customer: nobody"), "spec.customer"),
        (
            "error",
            "unsigned-binding-version",
            _line("- version: 1"),
            "spec.versions[0].signatories",
        ),
        ("warning", "unresolved-reference", _line("service: no-such-service"), "spec.service"),
        (
            "warning",
            "service-without-fee",
            _line("services: [checkout]"),
            "spec.versions[0].availability[0].services",
        ),
    }


def test_the_next_run_finds_nothing_new(tmp_path: Path) -> None:
    """The same problems but the two schema errors once those are fixed: the first run had
    said everything else."""
    fixed = TEXT.replace("level: 199.9", "level: 99.9").replace("target: 1.5", "target: 0.99")
    assert _found(tmp_path, fixed) == {
        ("error", "missing-reference", _line("customer: nobody"), "spec.customer"),
        (
            "error",
            "unsigned-binding-version",
            _line("- version: 1"),
            "spec.versions[0].signatories",
        ),
        ("warning", "unresolved-reference", _line("service: no-such-service"), "spec.service"),
        (
            "warning",
            "service-without-fee",
            _line("services: [checkout]"),
            "spec.versions[0].availability[0].services",
        ),
    }


def test_a_refused_customer_is_not_also_a_missing_one(tmp_path: Path) -> None:
    """A customer the schema refuses (not a text) is said once, as refused: no "no Customer
    named …" derived from it."""
    text = TEXT.replace("customer: nobody", "customer: [nobody]")
    codes = {(code, field) for _, code, _, field in _found(tmp_path, text)}
    assert ("missing-reference", "spec.customer") not in codes
    assert any(field == "spec.customer" for _, field in codes), codes
