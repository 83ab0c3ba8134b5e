"""``POST /imports/{tool}`` never names the server's workspace folder: a converted file that
fails the workspace's validation is named as the workspace knows it (``sloth-checkout.yaml:20``),
and so are the files its problems cite; a DataSource the import cannot reuse is cited by its
file in the workspace; ``split_groups`` without the DataSource to ask says "the workspace". The
server's own folder (``shop.workspace``, absolute) is nowhere in the answers."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.api.support import Shop
from tests.conftest import ROOT

V1 = "/api/v1"
SLOTH = ROOT / "examples" / "import" / "sloth-checkout.yml"

# an SLO whose sloth_id (service-slo) is the one the import's requests-availability gets:
# service checkout-requests + SLO availability = checkout + requests-availability
SAME_SLOTH_ID = """\
apiVersion: openslo/v1
kind: Service
metadata:
  name: checkout-requests
spec: {}
---
apiVersion: openslo/v1
kind: SLO
metadata:
  name: availability
spec:
  service: checkout-requests
  indicator:
    metadata:
      name: checkout-requests-availability
    spec:
      ratioMetric:
        counter: true
        good:
          metricSource:
            type: Prometheus
            spec:
              query: sum(increase(requests_ok[{{.window}}]))
        total:
          metricSource:
            type: Prometheus
            spec:
              query: sum(increase(requests_all[{{.window}}]))
  budgetingMethod: Occurrences
  timeWindow:
    - duration: 28d
      isRolling: true
  objectives:
    - target: 0.99
"""
CLOUDWATCH = """\
apiVersion: openslo/v1
kind: DataSource
metadata:
  name: cloudwatch
spec:
  type: CloudWatch
  connectionDetails: {accessKeyID: AKIAEXAMPLE}
"""


def _post(shop: Shop, **params: str) -> httpx.Response:
    return shop.client.request(
        "POST",
        f"{V1}/imports/sloth",
        shop.tokens["viewer"],
        params={"filename": SLOTH.name, **params},
        content=SLOTH.read_bytes(),
        headers={"Content-Type": "application/yaml"},
    )


@pytest.fixture
def added(shop: Shop) -> Iterator[Path]:
    """A folder of the shop's workspace for the files a test adds (removed after it)."""
    folder = shop.workspace / "added"
    folder.mkdir()
    yield folder
    for file in folder.iterdir():
        file.unlink()
    folder.rmdir()


def _line_of_slo(text: str, name: str) -> int:
    """The line of ``name: NAME`` in the SLO document of that name in ``text`` (1-based)."""
    lines = text.splitlines()
    kinds = [i for i, line in enumerate(lines) if line == "kind: SLO"]
    for start in kinds:
        for i in range(start, len(lines)):
            if lines[i] == f"  name: {name}":
                return i + 1
    raise AssertionError(f"no SLO {name} in the text")


def test_a_converted_file_the_workspace_refuses_is_named_in_the_workspace(
    shop: Shop, added: Path
) -> None:
    preview = _post(shop)
    assert preview.status_code == 200, preview.text
    (found,) = preview.json()["files"]
    line = _line_of_slo(found["documents"], "requests-availability")
    (added / "mine.yaml").write_text(SAME_SLOTH_ID, encoding="utf-8")
    answer = _post(shop)
    assert answer.status_code == 422, answer.text
    assert str(shop.workspace) not in answer.text
    body = answer.json()
    assert body["code"] == "invalid-definition"
    (problem,) = body["problems"]
    assert problem["code"] == "duplicate-name"
    assert problem["where"] == f"sloth-checkout.yaml:{line}"
    assert (
        "SLO 'requests-availability' has the sloth_id of SLO 'availability'" in (problem["message"])
    )


def test_a_datasource_that_cannot_run_promql_is_cited_by_its_workspace_file(
    shop: Shop, added: Path
) -> None:
    (added / "cloudwatch.yaml").write_text(CLOUDWATCH, encoding="utf-8")
    answer = _post(shop, datasource="cloudwatch")
    assert answer.status_code == 200, answer.text
    assert str(shop.workspace) not in answer.text
    (found,) = answer.json()["files"]
    assert found["status"] == "refused"
    (problem,) = found["problems"]
    assert problem["code"] == "import-datasource-clash"
    assert problem["where"] == "sloth-checkout.yml"
    assert (
        "which the workspace defines (added/cloudwatch.yaml:1) as type CloudWatch"
        in (problem["message"])
    )
    assert "a Prometheus one of the workspace (prometheus)" in problem["fix"]


def test_split_groups_without_the_datasource_to_ask_names_no_folder(shop: Shop) -> None:
    answer = _post(shop, split_groups="true", datasource="nowhere")
    assert answer.status_code == 400, answer.text
    assert str(shop.workspace) not in answer.text
    body = answer.json()
    assert body["code"] == "invalid-import-option"
    assert body["message"] == (
        "split_groups asks the workspace's Prometheus DataSource 'nowhere' which group values "
        "exist, and the workspace has no Prometheus DataSource of that name"
    )
    assert body["hint"] == (
        "define DataSource nowhere (its url and authentication) in the workspace first, or "
        "give datasource the name of the workspace's Prometheus DataSource"
    )


TLS_SOURCE = """\
apiVersion: openslo/v1
kind: DataSource
metadata:
  name: secured
spec:
  type: Prometheus
  connectionDetails: {url: "https://prometheus.invalid:9090", caFile: certs/ca.pem}
"""
GROUPED_PYRRA = """\
apiVersion: pyrra.dev/v1alpha1
kind: ServiceLevelObjective
metadata:
  name: api-errors
spec:
  target: "99"
  window: 7d
  indicator:
    ratio:
      errors:
        metric: http_requests_total{code=~"5.."}
      total:
        metric: http_requests_total
      grouping:
        - handler
"""


def test_a_ca_file_split_groups_cannot_read_is_named_in_the_workspace(
    shop: Shop, added: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The DataSource's caFile is read beside its file, on the server: the answer names it
    relative to the workspace, the server's folder only in its log. No server is asked: the
    caFile is read before any question."""
    (added / "secured.yaml").write_text(TLS_SOURCE, encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="covenant.import"):
        answer = shop.client.request(
            "POST",
            f"{V1}/imports/pyrra",
            shop.tokens["viewer"],
            params={"filename": "api-errors.yaml", "split_groups": "true", "datasource": "secured"},
            content=GROUPED_PYRRA.encode(),
            headers={"Content-Type": "application/yaml"},
        )
    assert answer.status_code == 502, answer.text
    assert str(shop.workspace) not in answer.text
    body = answer.json()
    assert body["code"] == "source-credentials"
    assert "DataSource 'secured': cannot read caFile added/certs/ca.pem" in body["message"]
    logged = [r.getMessage() for r in caplog.records if r.name == "covenant.import"]
    assert any(str(added / "certs" / "ca.pem") in m for m in logged), logged


def test_a_reference_the_import_would_break_is_named_in_the_workspace(
    shop: Shop, added: Path
) -> None:
    """An earlier import of sloth-checkout.yml wrote an SLO the file no longer has, and a
    Correction of the workspace names it: the preview (which replaces that file) is refused,
    the Correction's line named in the workspace."""
    preview = _post(shop)
    assert preview.status_code == 200, preview.text
    (found,) = preview.json()["files"]
    dropped = SAME_SLOTH_ID.split("---\n")[1].replace("availability", "old-slo")
    earlier = shop.workspace / "sloth-checkout.yaml"
    earlier.write_text(f"{found['documents']}---\n{dropped}", encoding="utf-8")
    correction = (
        "apiVersion: covenant/v1\nkind: Correction\nmetadata:\n  name: failover\nspec:\n"
        "  slos: [old-slo]\n  start: 2026-01-04T02:00:00\n  duration: 30m\n"
        "  author: sre@shop.example\n  reason: planned failover\n"
        "  createdAt: 2026-01-02T10:00:00Z\n"
    )
    (added / "corrections.yaml").write_text(correction, encoding="utf-8")
    try:
        answer = _post(shop)
    finally:
        earlier.unlink()
    assert answer.status_code == 422, answer.text
    assert str(shop.workspace) not in answer.text
    (problem,) = answer.json()["problems"]
    assert problem["where"] == "added/corrections.yaml:6"  # slos: [old-slo], line 6 above
    assert problem["message"] == (
        "no SLO named 'old-slo' in the workspace, once the import is written"
    )


def test_an_invalid_datasource_split_groups_would_ask_is_named_in_the_workspace(
    shop: Shop, added: Path
) -> None:
    """The DataSource split_groups asks holds a secret itself (an error of its own): its
    problem is named at its file in the workspace."""
    leaky = TLS_SOURCE.replace("name: secured", "name: leaky").replace(
        "caFile: certs/ca.pem", "bearerToken: s3cr3t"
    )
    (added / "leaky.yaml").write_text(leaky, encoding="utf-8")
    answer = shop.client.request(
        "POST",
        f"{V1}/imports/pyrra",
        shop.tokens["viewer"],
        params={"filename": "api-errors.yaml", "split_groups": "true", "datasource": "leaky"},
        content=GROUPED_PYRRA.encode(),
        headers={"Content-Type": "application/yaml"},
    )
    assert answer.status_code == 422, answer.text
    assert str(shop.workspace) not in answer.text
    assert "s3cr3t" not in answer.text
    wheres = {p["where"] for p in answer.json()["problems"]}
    assert wheres == {"added/leaky.yaml:7"}  # connectionDetails, line 7 of TLS_SOURCE
