"""Every file of the shared corpus of Sloth, Pyrra and slo-generator imports, or gets a reason.

Each file is imported alone into an empty workspace: it is written and the workspace passes
``covenant validate``; or nothing is written and the report says why (a coded problem with
file:line and a fix, a reason for a file that holds no SLO, or a "left out" note per SLO).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from covenant.services.importing import plan_import, write_import
from covenant.services.workspace import validate_paths

TOOLS = {"sloth": "sloth", "pyrra": "pyrra", "slo-generator": "slo-generator"}


def corpus_files(corpus: Path, folder: str) -> list[Path]:
    return [
        path
        for path in sorted((corpus / folder).rglob("*"))
        if path.is_file()
        and path.suffix in {".yaml", ".yml", ".json"}
        and "_gen" not in path.relative_to(corpus).parts  # Prometheus rules Sloth generated
    ]


@pytest.mark.parametrize("tool", sorted(TOOLS))
def test_every_corpus_file_imports_or_says_why(corpus: Path, tmp_path: Path, tool: str) -> None:
    files = corpus_files(corpus, TOOLS[tool])
    assert len(files) >= 12  # the corpus was found
    outcomes: dict[str, str] = {}
    for index, path in enumerate(files):
        into = tmp_path / str(index)
        plan = plan_import(tool, [path], into=into)
        imported = plan.files[0].imported
        name = path.relative_to(corpus).as_posix()
        if plan.problems:
            assert all(
                p.where and p.fix and p.code.startswith(("import-", "yaml")) for p in plan.problems
            )
            outcomes[name] = "refused"
            continue
        if not plan.writes:
            reasons = [n.reason for n in imported.notes if n.skipped] + [imported.reason]
            assert any(reasons), name
            outcomes[name] = "nothing"
            continue
        write_import(plan)
        problems = validate_paths([into])
        assert [str(p) for p in problems if p.severity == "error"] == [], name
        outcomes[name] = "imported"
    assert "imported" in outcomes.values()


def test_corpus_outcomes_per_tool(corpus: Path, tmp_path: Path) -> None:
    """The expected outcome of a few files of each kind (the full table is in docs/import.md)."""
    expected = {
        ("sloth", "sloth/validate/good/good-multi.yaml"): "imported",
        ("sloth", "sloth/windows/custom-30d.yaml"): "nothing",
        ("sloth", "sloth/validate/bad/bad-aa.yaml"): "refused",
        ("pyrra", "pyrra/nginx.yaml"): "imported",
        ("slo-generator", "slo-generator/samples/config.yaml"): "nothing",
        ("slo-generator", "slo-generator/fixtures/ci_knative_service.yaml"): "refused",
        (
            "slo-generator",
            "slo-generator/samples/custom/slo_custom_app_availability_ratio.yaml",
        ): "nothing",
        (
            "slo-generator",
            "slo-generator/samples/splunk/slo_splunk_app_availability_ratio.yaml",
        ): "imported",
    }
    for (tool, name), outcome in expected.items():
        plan = plan_import(tool, [corpus / name], into=tmp_path)
        found = "refused" if plan.problems else "imported" if plan.writes else "nothing"
        assert found == outcome, name


def test_the_conformance_table_in_the_docs_is_true(corpus: Path, tmp_path: Path) -> None:
    """docs/import.md lists every corpus file with its outcome; each row is what happens."""
    from tests.conftest import ROOT  # noqa: PLC0415

    text = (ROOT / "docs/import.md").read_text(encoding="utf-8")
    rows = dict(re.findall(r"^\| `([^`]+)` \| (imported|nothing|refused)", text, re.M))
    listed = {
        path.relative_to(corpus).as_posix(): tool
        for tool, folder in TOOLS.items()
        for path in corpus_files(corpus, folder)
    }
    assert set(rows) == set(listed)
    for name, outcome in rows.items():
        plan = plan_import(listed[name], [corpus / name], into=tmp_path)
        found = "refused" if plan.problems else "imported" if plan.writes else "nothing"
        assert found == outcome, name


def test_every_imported_prometheus_sli_is_readable(corpus: Path, tmp_path: Path) -> None:
    """The imported queries follow the query convention: Covenant's Prometheus reader reads
    every imported SLI whose DataSource is Prometheus, and gives no query-form warning."""
    from covenant.services.workspace import load_workspace  # noqa: PLC0415

    checked = 0
    for tool, folder in TOOLS.items():
        for index, path in enumerate(corpus_files(corpus, folder)):
            into = tmp_path / f"{tool}-{index}"
            plan = plan_import(tool, [path], into=into)
            if plan.problems or not plan.writes:
                continue
            write_import(plan)
            name = path.relative_to(corpus).as_posix()
            assert [w for w in plan.warnings if w.code == "prometheus-query-form"] == [], name
            workspace = load_workspace(into)
            found = workspace.prometheus
            prometheus_slos = {
                d["metadata"]["name"]
                for d in plan.files[0].imported.documents
                if d["kind"] == "SLO"
                and "prometheus" in str(d["spec"]["indicator"]["spec"]).lower()
            }
            if not prometheus_slos:
                continue
            assert found is not None, name
            assert dict(found.unreadable) == {}, name
            read = {slo for r in found.reads for slo in r.slos}
            assert read == prometheus_slos, name
            checked += len(read)
    assert checked >= 40  # Sloth, Pyrra and slo-generator's Prometheus SLOs
