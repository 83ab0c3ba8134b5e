"""Files written for Sloth, Pyrra and slo-generator are named as such, with what to do.

They used to get "apiVersion is missing — add apiVersion: openslo/v1" (Sloth's prometheus/v1
spec, slo-generator's shared config), a fix that cannot work. Each file of the shared corpus
is loaded alone; its files that are OpenSLO (Sloth's openslo-* inputs) are left out.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from covenant.definitions.workspace import analyse

OTHER_TOOLS = ("sloth", "pyrra", "slo-generator")
NOT_OTHER = {
    # OpenSLO v1alpha inputs Sloth reads: judged as OpenSLO
    "sloth/openslo-getting-started.yml",
    "sloth/openslo-kubernetes-apiserver.yml",
    "sloth/validate/bad/bad-openslo.yaml",
    "sloth/validate/good/good-openslo.yaml",
    # a top-level list (not a document), and a Knative Service (not an SLO tool)
    "slo-generator/fixtures/exporters.yaml",
    "slo-generator/fixtures/ci_knative_service.yaml",
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
    ],
)
def test_the_problem_names_the_tool(corpus: Path, name: str, tool: str) -> None:
    _, problems = analyse([corpus / name])
    assert problems
    assert all(tool in p.message for p in problems), [str(p) for p in problems]
