"""Files written for Sloth, Pyrra and slo-generator are named as such, with what to do.

They used to get "apiVersion is missing — add apiVersion: openslo/v1" (Sloth's prometheus/v1
spec, slo-generator's shared config), a fix that cannot work. Each file of the shared corpus
is loaded alone; its files that are OpenSLO (Sloth's openslo-* inputs) are left out.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from covenant.definitions.workspace import analyse

OTHER_TOOLS = ("sloth", "pyrra", "slo-generator")
NOT_OTHER = {
    # OpenSLO v1alpha inputs Sloth reads: judged as OpenSLO
    "sloth/openslo-getting-started.yml",
    "sloth/openslo-kubernetes-apiserver.yml",
    "sloth/validate/bad/bad-openslo.yaml",
    "sloth/validate/good/good-openslo.yaml",
    # a top-level list (not a document)
    "slo-generator/fixtures/exporters.yaml",
}


def other_tool_files(corpus: Path) -> list[Path]:
    return [
        path
        for folder in OTHER_TOOLS
        for path in sorted((corpus / folder).rglob("*"))
        if path.suffix in {".yaml", ".yml"} and path.relative_to(corpus).as_posix() not in NOT_OTHER
    ]


def test_every_other_tool_file_is_named_with_the_tool_and_a_fix(corpus: Path) -> None:
    files = other_tool_files(corpus)
    assert len(files) > 100  # the corpus was found and read
    wrong = {}
    for path in files:
        _, problems = analyse([path])
        errors = [p for p in problems if p.severity == "error"]
        if not errors or {p.code for p in errors} != {"other-tool-format"}:
            wrong[path.relative_to(corpus).as_posix()] = [str(p) for p in problems]
        for problem in errors:
            assert "openslo/v1" in problem.fix, str(problem)
    assert wrong == {}


@pytest.mark.parametrize(
    ("name", "tool"),
    [
        ("sloth/getting-started.yml", "Sloth prometheus/v1"),
        ("sloth/k8s-getting-started.yml", "Sloth Kubernetes"),
        ("sloth/windows/7d.yaml", "Sloth alert windows"),
        ("sloth/_gen/getting-started.yml", "Prometheus rules"),
        ("pyrra/nginx.yaml", "Pyrra"),
        ("slo-generator/samples/config.yaml", "slo-generator shared config"),
        ("slo-generator/fixtures/slo_config_v1.yaml", "slo-generator v1"),
        ("slo-generator/samples/prometheus/slo_prom_metrics_availability_ratio.yaml", "sre.google"),
        ("slo-generator/fixtures/ci_knative_service.yaml", "a Kubernetes Service"),
    ],
)
def test_the_problem_names_the_tool(corpus: Path, name: str, tool: str) -> None:
    _, problems = analyse([corpus / name])
    assert problems
    assert all(tool in p.message for p in problems), [str(p) for p in problems]


@pytest.mark.parametrize(
    ("text", "what"),
    [
        (
            "global: {scrape_interval: 15s}\nscrape_configs: []\n",
            "a Prometheus server configuration",
        ),
        ("route: {receiver: x}\nreceivers: [{name: x}]\n", "an Alertmanager configuration"),
        ("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n", "a Kubernetes ConfigMap (v1)"),
        (
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}\n",
            "a Kubernetes Deployment (apps/v1)",
        ),
        (
            "services:\n  prometheus:\n    image: prom/prometheus\n    ports: ['9090:9090']\n",
            "a Docker Compose file",
        ),
    ],
)
def test_a_server_config_or_kubernetes_file_in_the_workspace_says_to_keep_it_elsewhere(
    tmp_path: Path, text: str, what: str
) -> None:
    """Not "apiVersion is missing" or "unknown apiVersion 'v1' — use openslo/v1": such a file
    is no definition, and the fix is to move it out of the workspace."""
    path = tmp_path / "file.yaml"
    path.write_text(text)
    _, problems = analyse([path])
    (problem,) = problems
    assert (problem.code, problem.message) == ("other-tool-format", f"{what}, not OpenSLO")
    assert problem.fix.startswith("keep it outside the workspace folder")


@pytest.mark.parametrize(
    "text",
    [
        "stages: [test]\nlint:\n  script: [make check]\n",  # a CI file
        "grafana:\n  adminPassword: x\nprometheus:\n  retention: 30d\n",  # Helm values
    ],
)
def test_a_mapping_with_none_of_the_envelope_is_no_definition_not_a_missing_api_version(
    tmp_path: Path, text: str
) -> None:
    """A stranger's docker-compose.yml beside the definitions read "apiVersion is missing —
    add apiVersion: openslo/v1" and "kind is missing — add kind: SLO": a fix to write into
    another tool's file. A mapping with none of apiVersion, kind, metadata and spec is no
    definition at all: one problem, naming its keys, whose fix is to move the file."""
    path = tmp_path / "file.yaml"
    path.write_text(text)
    _, problems = analyse([path])
    (problem,) = problems
    assert problem.code == "not-a-definition"
    keys = ", ".join(yaml.safe_load(text))
    assert problem.message == (
        f"a mapping with none of apiVersion, kind, metadata and spec (its keys: {keys}): "
        "not a definition, maybe another tool's file"
    )
    assert problem.fix.startswith("keep it outside the workspace folder")


def test_a_definition_missing_its_api_version_or_kind_is_still_told_to_add_it(
    tmp_path: Path,
) -> None:
    path = tmp_path / "file.yaml"
    path.write_text("metadata: {name: api}\nspec: {description: x}\n")
    _, problems = analyse([path])
    assert {(p.code, p.field) for p in problems} == {
        ("missing-field", "apiVersion"),
        ("missing-field", "kind"),
    }


def test_an_openslo_version_typo_is_still_asked_about() -> None:
    from covenant.definitions.foreign import foreign_format  # noqa: PLC0415

    for api in ("openslo/v2", "openslo.com/v2alpha", "covenant/v2"):
        assert foreign_format({"apiVersion": api, "kind": "SLO"}) is None, api


NOBL9_SLO = """\
- apiVersion: n9/v1alpha
  kind: Project
  metadata:
    name: consumer-reservations
  spec:
    description: ''
- apiVersion: n9/v1alpha
  kind: SLO
  metadata:
    displayName: Search Availability
    name: search-availability
    project: consumer-reservations
  spec:
    budgetingMethod: Occurrences
    indicator:
      metricSource:
        kind: Direct
        name: dynatrace
        project: integrations
    objectives:
    - displayName: Search API Availability
      name: availability
      op: gt
      rawMetric:
        query:
          dynatrace:
            metricSelector: builtin:synthetic.http.availability.location.total
      target: 0.995
      value: 99
    service: search
    timeWindows:
    - count: 28
      isRolling: true
      unit: Day
"""


def test_a_nobl9_file_is_named_as_nobl9_with_what_openslo_writes_instead(tmp_path: Path) -> None:
    """A Nobl9 (sloctl) file, as nobl9/sepich-nobl9-demo-org keeps them
    (catalog/projects/consumer-reservations/services/search/slos/search-availability.yaml,
    catalog/projects/*/project.yaml; sloctl writes lists of objects). Its `n9/v1alpha` used to be
    "unknown apiVersion 'n9/v1alpha' — use openslo/v1 or covenant/v1", which neither says what
    the file is nor how its fields (timeWindows, rawMetric, countMetrics) become OpenSLO ones.
    A Project has no OpenSLO kind: the fix is to keep it out of the workspace."""
    path = tmp_path / "slos.yaml"
    path.write_text(NOBL9_SLO)
    _, problems = analyse([path])
    project, slo = sorted(problems, key=lambda p: int(p.where.rsplit(":", 1)[1]))
    assert {project.code, slo.code} == {"other-tool-format"}
    assert project.message == "a Nobl9 Project (n9/v1alpha), not OpenSLO"
    assert project.fix.startswith("keep it outside the workspace folder")
    assert slo.message == "a Nobl9 SLO (n9/v1alpha), not OpenSLO"
    assert slo.where == f"{path}:7"  # its apiVersion
    for words in (
        "apiVersion: openslo/v1",
        "timeWindow",
        "duration: 28d",
        "ratioMetric",
        "thresholdMetric",
    ):
        assert words in slo.fix, (words, slo.fix)


def test_an_openslo_operator_resource_is_named_with_how_to_write_it_as_openslo(
    tmp_path: Path,
) -> None:
    """oskoperator/osko's config/samples/openslo_v1_slo.yaml: OpenSLO's SLO as a Kubernetes
    resource of the API group openslo.com/v1, its query a string under metricSource.spec and
    its DataSource named in an annotation. It was "unknown apiVersion — did you mean
    'openslo/v1'?", which fixes one line of several."""
    path = tmp_path / "slo.yaml"
    path.write_text(
        "apiVersion: openslo.com/v1\nkind: SLO\nmetadata:\n  name: read-errors\n"
        "  annotations: {osko.dev/datasourceRef: logging-ds}\nspec: {}\n"
    )
    _, problems = analyse([path])
    (problem,) = problems
    assert problem.code == "other-tool-format"
    assert problem.message == (
        "an OpenSLO Kubernetes operator's SLO (openslo.com/v1: osko, Dash0), not OpenSLO"
    )
    for words in ("apiVersion: openslo/v1", "spec: {query: …}", "metricSourceRef"):
        assert words in problem.fix, (words, problem.fix)
