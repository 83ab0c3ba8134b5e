"""``measurement.minimumRun`` is a signed term, yet a version that does not write it keeps the
content hash it had before the field existed (left out of the canonical content while unset):
a signed version must never look changed."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from covenant.core.agreements import VersionStatus
from covenant.definitions.workspace import analyse, analyse_text
from covenant.store.agreement_content import content_hash, version_content, version_from_content
from tests.conftest import ROOT

# The example shop's agreements, hashed by the code before minimumRun existed (commit 70329049).
SHOP_HASHES = {
    "globex-enterprise@v1": "63283df9f9c48e76e982ee58991d5a3a490b014a3cde3498ab6aa15d14f1f969",
    "initech-standard@v1": "ee4bde7bd22f7bf88a84efacd0f030e9594a7bc5c29c86cfdba9d13c3591bdfa",
}

AGREEMENT = """
apiVersion: covenant/v1
kind: Customer
metadata: {name: acme}
spec: {currency: EUR}
---
apiVersion: covenant/v1
kind: SLO
metadata: {name: nfs-availability}
spec:
  service: nfs
  indicator:
    metadata: {name: nfs-ok}
    spec:
      ratioMetric:
        counter: true
        good: {metricSource: {type: Prometheus, spec: {query: 'ok_total'}}}
        total: {metricSource: {type: Prometheus, spec: {query: 'all_total'}}}
  timeWindow: [{duration: 28d, isRolling: true}]
  budgetingMethod: Timeslices
  objectives: [{target: 0.999, timeSliceTarget: 0.5, timeSliceWindow: 1m}]
---
apiVersion: covenant/v1
kind: Agreement
metadata: {name: acme-sla}
spec:
  customer: acme
  versions:
    - version: 1
      status: draft
      effectiveFrom: 2026-01-01
      fees: {nfs: "100.00"}
      availability:
        - name: nfs-uptime
          services: [nfs]
          level: 99.9
          measurement: {source: bad-intervals, slo: nfs-availability, interval: 1m,
                        errorRateAtLeast: 100}
          credits: [{below: 99.9, credit: 10}]
"""


# Stop 43 wrote the shop's P3 resolution as the 30 business hours its terms meant (it was 3d,
# 72 business hours); the hashed text is the shop as it was signed then.
_NOW_TERMS = (
    "resolved within 30\n            business hours, 3 days of the Berlin office (10 hours a day);"
    " 90 % of each must be met."
)
_SIGNED_TERMS = (
    "resolved within 3\n            business days (Berlin office hours); 90 % of each must be met."
)
SIGNED_P3 = {
    _NOW_TERMS: _SIGNED_TERMS,
    "P3: {firstResponse: 4h, resolution: 30h}": "P3: {firstResponse: 4h, resolution: 3d}",
}


def test_the_shop_agreements_keep_their_hashes(tmp_path: Path) -> None:
    shop = tmp_path / "shop"
    shutil.copytree(ROOT / "examples" / "shop", shop)
    contracts = (shop / "contracts.yaml").read_text(encoding="utf-8")
    for now, then in SIGNED_P3.items():
        assert contracts.count(now) == 1, now
        contracts = contracts.replace(now, then)
    (shop / "contracts.yaml").write_text(contracts, encoding="utf-8")
    workspace, problems = analyse([shop])
    assert workspace is not None, problems
    assert {v.key: content_hash(v) for v in workspace.agreements} == SHOP_HASHES


def test_an_unset_minimum_run_stays_out_and_a_set_one_is_signed() -> None:
    workspace, problems = analyse_text(AGREEMENT)
    assert workspace is not None, problems
    (plain,) = workspace.agreements
    assert (
        "minimum_run_s" not in json.loads(version_content(plain))["availability"][0]["measurement"]
    )
    workspace, problems = analyse_text(
        AGREEMENT.replace("errorRateAtLeast: 100}", "errorRateAtLeast: 100, minimumRun: 5m}")
    )
    assert workspace is not None, problems
    (runs,) = workspace.agreements
    assert runs.availability[0].measurement.minimum_run_s == 300
    assert content_hash(runs) != content_hash(plain)
    back = version_from_content(version_content(runs), status=VersionStatus.DRAFT)
    assert back == runs
    assert version_from_content(version_content(plain), status=VersionStatus.DRAFT) == plain
