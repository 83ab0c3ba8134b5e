"""A Prometheus DataSource's ``headersEnv`` (header → environment variable), as the delivery
targets have it: a secret header is named by its variable, never written in ``headers``."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from covenant.cli.main import app
from tests.definitions.helpers import errors, load_text
from tests.definitions.test_prometheus_sources import workspace


def test_headers_env_is_read_into_the_source_as_variable_names() -> None:
    details = """
url: http://prom:9090
headers: {X-Team: sre}
headersEnv: {X-API-Key: PROM_API_KEY, Cookie: PROM_COOKIE}
"""
    ws, problems = load_text(workspace(details))
    assert errors(problems) == []
    assert ws is not None
    assert ws.prometheus is not None
    (read,) = ws.prometheus.reads
    assert read.source.headers == (("X-Team", "sre"),)
    assert read.source.headers_env == (("Cookie", "PROM_COOKIE"), ("X-API-Key", "PROM_API_KEY"))


@pytest.mark.parametrize("header", ["Authorization", "cookie", "X-API-Key", "X-Auth-Token"])
def test_a_secret_header_written_literally_is_refused_naming_headers_env(header: str) -> None:
    ws, problems = load_text(workspace(f"url: http://prom:9090\nheaders: {{{header}: abc123}}"))
    assert ws is None
    (found,) = [p for p in errors(problems) if p.code == "inline-secret"]
    assert found.field == f"spec.connectionDetails.headers.{header}"
    assert found.where.startswith("ws.yaml:")
    assert f"headersEnv: {{{header}: " in found.fix
    assert "abc123" not in found.message + found.fix


@pytest.mark.parametrize(
    ("details", "code", "field"),
    [
        (
            "url: http://prom:9090\nheadersEnv: {X-API-Key: my-key}",
            "invalid-data-source",
            "spec.connectionDetails.headersEnv.X-API-Key",
        ),
        (
            "url: http://prom:9090\nheadersEnv: {X API Key: KEY}",
            "invalid-data-source",
            "spec.connectionDetails.headersEnv[X API Key]",
        ),
        (
            "url: http://prom:9090\nheaders: {'X-Team:': sre}",
            "invalid-data-source",
            "spec.connectionDetails.headers.X-Team:",
        ),
        (
            'url: http://prom:9090\nheaders: {X-Team: "sre\\nX-Other: 1"}',
            "invalid-data-source",
            "spec.connectionDetails.headers.X-Team",
        ),
        (
            "url: http://prom:9090\nheaders: {X-Team: équipe}",
            "invalid-data-source",
            "spec.connectionDetails.headers.X-Team",
        ),
        (
            "url: http://prom:9090\nheaders: {X-Team: a}\nheadersEnv: {x-team: TEAM}",
            "conflicting-fields",
            "spec.connectionDetails.headersEnv.x-team",
        ),
        (
            "url: http://prom:9090\nbearerTokenEnv: T\nheadersEnv: {Authorization: AUTH}",
            "conflicting-fields",
            "spec.connectionDetails.headersEnv.Authorization",
        ),
        (
            "url: http://prom:9090\ntenant: a\nheadersEnv: {X-Scope-OrgID: TENANT}",
            "conflicting-fields",
            "spec.connectionDetails.headersEnv.X-Scope-OrgID",
        ),
        (
            'url: http://prom:9090\nheaders: {X-Team: " padded "}',
            "invalid-data-source",
            "spec.connectionDetails.headers.X-Team",
        ),
        (
            'url: http://prom:9090\nheaders: {X-Team: "sre\t"}',
            "invalid-data-source",
            "spec.connectionDetails.headers.X-Team",
        ),
        (
            "url: http://prom:9090\nheaders: {X-Team: a, x-team: b}",
            "conflicting-fields",
            "spec.connectionDetails.headers.x-team",
        ),
        (
            "url: http://prom:9090\ntenant: a\nheaders: {x-scope-orgid: b}",
            "conflicting-fields",
            "spec.connectionDetails.headers.x-scope-orgid",
        ),
    ],
)
def test_a_bad_headers_env_is_a_coded_problem_at_its_field(
    details: str, code: str, field: str
) -> None:
    ws, problems = load_text(workspace(details))
    assert ws is None
    assert (code, field) in {(p.code, p.field) for p in errors(problems)}
    assert all(p.fix for p in errors(problems))


def test_covenant_validate_reports_the_literal_secret_header(tmp_path: Path) -> None:
    (tmp_path / "ws.yaml").write_text(
        workspace("url: http://prom:9090\nheaders: {X-API-Key: k3y-value-42}")
    )
    done = CliRunner().invoke(app, ["validate", str(tmp_path), "--format", "json"])
    assert done.exit_code == 1, done.output
    assert "spec.connectionDetails.headers.X-API-Key" in done.output
    assert "headersEnv" in done.output
    assert "k3y-value-42" not in done.output


def test_headers_env_survives_the_evaluation_cache() -> None:
    """A warm ``evaluate --read`` reads its sources from the cache: the header names and
    variables must come back as they were parsed."""
    from covenant.definitions.evaluation_cache import Cached, decode, encode  # noqa: PLC0415

    details = "url: http://prom:9090\nheadersEnv: {X-API-Key: PROM_API_KEY}"
    ws, _ = load_text(workspace(details))
    assert ws is not None
    assert ws.prometheus is not None
    cached = Cached(objectives=(), composites=(), reads=ws.prometheus.reads)
    back = decode(encode(cached, key="k"), key="k")
    assert back is not None
    assert back.reads[0].source.headers_env == (("X-API-Key", "PROM_API_KEY"),)
