"""A DataSource's caFile that is not a file where Covenant looks (beside the file that names
it) is a warning at validate time, not first a TLS failure at read time."""

from __future__ import annotations

from pathlib import Path

from covenant.definitions.workspace import analyse

SOURCE = """\
apiVersion: openslo/v1
kind: DataSource
metadata: {name: prometheus}
spec:
  type: Prometheus
  connectionDetails: {url: "https://prometheus:9090", caFile: CA}
"""


def test_a_missing_ca_file_is_warned_of_and_one_beside_the_file_is_not(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    (ws / "certs").mkdir(parents=True)
    (ws / "sources.yaml").write_text(SOURCE.replace("CA", "certs/ca.pem"))
    workspace, problems = analyse([ws])
    (problem,) = problems
    assert (problem.code, problem.severity, problem.field) == (
        "ca-file-missing",
        "warning",
        "spec.connectionDetails.caFile",
    )
    assert problem.message == (
        f"caFile 'certs/ca.pem' is not a file here ({(ws / 'certs' / 'ca.pem').absolute()})"
    )
    assert workspace is not None  # a warning: the workspace is still used
    (ws / "certs" / "ca.pem").write_text("-----BEGIN CERTIFICATE-----\n")
    _, problems = analyse([ws])
    assert problems == []
