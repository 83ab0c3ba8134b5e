"""``covenant import``: writes the workspace all or nothing, never overwrites silently."""

from __future__ import annotations

import json
import shlex
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from covenant.cli.main import app

runner = CliRunner()


def test_import_writes_a_valid_workspace_and_refuses_to_overwrite(
    corpus: Path, tmp_path: Path
) -> None:
    into = tmp_path / "ws"
    source = str(corpus / "sloth/getting-started.yml")
    result = runner.invoke(app, ["import", "sloth", source, "--into", str(into)])
    assert result.exit_code == 0, result.output
    written = into / "sloth-getting-started.yaml"
    assert written.is_file()
    assert runner.invoke(app, ["validate", str(into)]).exit_code == 0
    before = written.read_text(encoding="utf-8")
    again = runner.invoke(app, ["import", "sloth", source, "--into", str(into)])
    assert again.exit_code == 1
    assert "import-file-exists" in again.output
    assert "--force" in again.output
    assert written.read_text(encoding="utf-8") == before
    forced = runner.invoke(app, ["import", "sloth", source, "--into", str(into), "--force"])
    assert forced.exit_code == 0, forced.output
    assert f"wrote {written} (replacing the file an earlier import of it wrote)" in forced.output
    shown = runner.invoke(
        app, ["import", "sloth", source, "--into", str(into), "--force", "--format", "json"]
    )
    (file,) = json.loads(shown.output)["files"]
    assert file["replaces"] is True


def test_dry_run_previews_a_reimport_instead_of_refusing(corpus: Path, tmp_path: Path) -> None:
    """A dry run is read-only, so it answers what a re-import would change (as the API's
    preview does) instead of asking for --force; the write itself still needs it."""
    into = tmp_path / "ws"
    source = str(corpus / "sloth/getting-started.yml")
    assert runner.invoke(app, ["import", "sloth", source, "--into", str(into)]).exit_code == 0
    written = into / "sloth-getting-started.yaml"
    same = runner.invoke(app, ["import", "sloth", source, "--into", str(into), "--dry-run"])
    assert same.exit_code == 0, same.output
    assert f"nothing changes: {written} holds what this import would write" in same.output
    written.write_text(written.read_text(encoding="utf-8") + "# edited by hand\n", "utf-8")
    before = written.read_text(encoding="utf-8")
    changed = runner.invoke(
        app, ["import", "sloth", source, "--into", str(into), "--dry-run", "--format", "json"]
    )
    assert changed.exit_code == 0, changed.output
    report = json.loads(changed.output)
    assert [f["change"] for f in report["files"]] == ["replaces"]
    assert report["needsForce"] is True
    assert "pass --force to apply" in report["summary"]
    assert written.read_text(encoding="utf-8") == before  # a dry run writes nothing
    refused = runner.invoke(app, ["import", "sloth", source, "--into", str(into)])
    assert refused.exit_code == 1
    assert "import-file-exists" in refused.output


def test_force_never_replaces_a_file_imported_from_another_source(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two sources whose names share their first 63 characters, and a file of the user's own
    under the name an import would take: each keeps its file; --force replaces only what an
    import of the same source wrote, from any working directory."""
    into = tmp_path / "ws"
    spec = (corpus / "sloth/getting-started.yml").read_text(encoding="utf-8")
    long = "kaas-phoenix-" * 5
    first, second = tmp_path / f"{long}apiserver.yaml", tmp_path / f"{long}etcd.yaml"
    first.write_text(spec, encoding="utf-8")
    second.write_text(spec.replace("myservice", "otherservice"), encoding="utf-8")
    for source in (first, second):
        result = runner.invoke(app, ["import", "sloth", str(source), "--into", str(into)])
        assert result.exit_code == 0, result.output
    files = sorted(p.name for p in into.glob("*.yaml"))
    named = min(files, key=len).removesuffix(".yaml")  # the name, cut to a DNS label
    assert named.startswith("sloth-kaas-phoenix-")
    assert files == [f"{named}-2.yaml", f"{named}.yaml"]
    texts = {name: (into / name).read_text(encoding="utf-8") for name in files}
    assert "myservice" in texts[f"{named}.yaml"]
    assert "otherservice" in texts[f"{named}-2.yaml"]
    assert f"from ../{first.name}\n" in texts[f"{named}.yaml"]  # relative to the workspace

    monkeypatch.chdir(into)  # the same source, named from another working directory
    again = runner.invoke(app, ["import", "sloth", f"../{second.name}", "--into", ".", "--force"])
    assert again.exit_code == 0, again.output
    assert sorted(p.name for p in into.glob("*.yaml")) == files  # its own file replaced
    assert (into / f"{named}.yaml").read_text(encoding="utf-8") == texts[f"{named}.yaml"]

    # a source named through a symbolic link that moves (a Kubernetes ConfigMap's ..data)
    linked = tmp_path / "linked"
    linked.mkdir()
    (linked / "v1.yaml").write_text(spec, encoding="utf-8")
    (linked / "v2.yaml").write_text(spec, encoding="utf-8")
    (linked / "slo.yaml").symlink_to("v1.yaml")
    link_ws = tmp_path / "link-ws"
    link = ["import", "sloth", str(linked / "slo.yaml"), "--into", str(link_ws), "--force"]
    assert runner.invoke(app, link).exit_code == 0
    (linked / "slo.yaml").unlink()
    (linked / "slo.yaml").symlink_to("v2.yaml")
    relinked = runner.invoke(app, link)
    assert relinked.exit_code == 0, relinked.output
    assert [p.name for p in link_ws.glob("*.yaml")] == ["sloth-slo.yaml"]

    # a file an earlier version wrote, its source as given (relative to where it ran)
    (link_ws / "sloth-slo.yaml").write_text(
        "# Imported by `covenant import sloth` from linked/slo.yaml\n", encoding="utf-8"
    )
    monkeypatch.chdir(tmp_path)
    again = runner.invoke(app, link)
    assert again.exit_code == 0, again.output
    assert [p.name for p in link_ws.glob("*.yaml")] == ["sloth-slo.yaml"]

    mine = tmp_path / "mine"
    mine.mkdir()
    own = mine / "sloth-getting-started.yaml"
    own.write_text("# my own notes\n", encoding="utf-8")
    source = str(corpus / "sloth/getting-started.yml")
    result = runner.invoke(app, ["import", "sloth", source, "--into", str(mine), "--force"])
    assert result.exit_code == 0, result.output
    assert own.read_text(encoding="utf-8") == "# my own notes\n"
    assert (mine / "sloth-getting-started-2.yaml").is_file()


def test_a_bad_file_writes_nothing_at_all(corpus: Path, tmp_path: Path) -> None:
    into = tmp_path / "ws"
    good = str(corpus / "sloth/getting-started.yml")
    bad = str(corpus / "sloth/validate/bad/bad-k8s.yaml")
    result = runner.invoke(app, ["import", "sloth", good, bad, "--into", str(into)])
    assert result.exit_code == 1
    assert "[import-missing-field]" in result.output
    assert "bad-k8s.yaml:7" in result.output  # service: "" is on line 7
    assert not into.exists() or list(into.iterdir()) == []


def test_dry_run_json_reports_per_file_and_writes_nothing(corpus: Path, tmp_path: Path) -> None:
    into = tmp_path / "ws"
    files = [str(corpus / "pyrra/nginx.yaml"), str(corpus / "pyrra/prometheus-http.yaml")]
    result = runner.invoke(
        app, ["import", "pyrra", *files, "--into", str(into), "--dry-run", "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["written"] == []
    assert not into.exists()
    by_source = {Path(f["source"]).name: f for f in report["files"]}
    assert by_source["nginx.yaml"]["slos"] == ["nginx-api-errors", "nginx-api-latency"]
    assert by_source["nginx.yaml"]["status"] == "imported"
    http = by_source["prometheus-http.yaml"]
    assert any(n["field"] == "spec.indicator.ratio.grouping" for n in http["notes"])
    # the DataSource is written once, with the first file
    assert by_source["prometheus-http.yaml"]["reused"] == ["DataSource prometheus"]


@pytest.mark.parametrize(
    ("text", "what"),
    [
        ("42\n", "the value 42"),
        ("hello\n", "the value 'hello'"),
        ("true\n", "the value true"),
        ("- x\n", "the value 'x'"),  # a top-level list is read as its items
    ],
)
def test_a_document_that_is_no_mapping_is_named_in_yaml_words(
    tmp_path: Path, text: str, what: str
) -> None:
    source = tmp_path / "odd.yml"
    source.write_text(text)
    result = runner.invoke(app, ["import", "sloth", str(source), "--into", str(tmp_path / "w")])
    assert result.exit_code == 1
    assert f"odd.yml:1: not a Sloth spec: {what}, not a mapping — " in result.output
    assert "a int" not in result.output
    assert "a str," not in result.output


def test_wrong_tool_is_a_coded_error(corpus: Path, tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["import", "pyrra", str(corpus / "sloth/getting-started.yml"), "--into", str(tmp_path)]
    )
    assert result.exit_code == 1
    assert "[import-unrecognised]" in result.output
    assert "covenant import sloth" in result.output


def test_bad_options_are_usage_errors(corpus: Path, tmp_path: Path) -> None:
    source = str(corpus / "sloth/getting-started.yml")
    month = runner.invoke(app, ["import", "sloth", source, "--sloth-period", "1M"])
    assert month.exit_code == 2
    assert "invalid-import-option" in month.output
    rules = str(corpus / "sloth/windows/7d.yaml")
    broken = tmp_path / "windows.yaml"
    broken.write_text(
        "apiVersion: sloth.slok.dev/v1\nkind: AlertWindows\nspec:\n  sloPeriod: 7d\n"
        "  page: {quick: {errorBudgetPercent: 8, shortWindow: 5m}}\n",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["import", "sloth", source, "--alert-windows", str(broken)])
    assert result.exit_code == 2
    assert "spec.page.quick" in result.output
    good = runner.invoke(
        app, ["import", "sloth", source, "--alert-windows", rules, "--into", str(tmp_path / "w")]
    )
    assert good.exit_code == 0, good.output


def test_into_defaults_to_the_workspace_variable(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COVENANT_WORKSPACE", str(tmp_path / "ws"))
    result = runner.invoke(app, ["import", "pyrra", str(corpus / "pyrra/thanos-http.yaml")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "ws" / "pyrra-thanos-http.yaml").is_file()


def test_the_commands_of_docs_import_run_as_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.conftest import ROOT  # noqa: PLC0415

    text = (ROOT / "docs/import.md").read_text(encoding="utf-8")
    block = text.split("## Try it", 1)[1].split("```sh", 1)[1].split("```", 1)[0]
    commands = [shlex.split(line)[1:] for line in block.strip().splitlines()]
    assert len(commands) == 5
    shutil.copytree(ROOT / "examples" / "import", tmp_path / "examples" / "import")
    monkeypatch.chdir(tmp_path)
    outputs = []
    for args in commands:
        result = runner.invoke(app, args)
        assert result.exit_code == 0, (args, result.output)
        outputs.append(result.output)
    report = json.loads(outputs[0])
    assert report["written"] == []
    assert report["files"][0]["slos"] == [
        "requests-availability",
        "requests-latency",
    ]
    assert sorted(p.name for p in (tmp_path / "imported").iterdir()) == [
        "pyrra-search.yaml",
        "slo-generator-payments-availability.yaml",
        "sloth-checkout.yaml",
    ]
    assert "valid: 0 errors, 0 warnings" in outputs[-1]


def test_a_name_the_workspace_has_becomes_service_and_name(corpus: Path, tmp_path: Path) -> None:
    into = str(tmp_path / "ws")
    first = runner.invoke(
        app, ["import", "sloth", str(corpus / "sloth/getting-started.yml"), "--into", into]
    )
    assert first.exit_code == 0, first.output
    second = runner.invoke(
        app,
        ["import", "sloth", str(corpus / "sloth/k8s-getting-started.yml"), "--into", into],
        env={"COLUMNS": "300"},
    )
    assert second.exit_code == 0, second.output
    assert "named 'myservice-requests-availability'" in second.output
    assert "Service myservice is already in the workspace" in second.output
    assert runner.invoke(app, ["validate", into]).exit_code == 0


def test_a_folder_imports_its_files(corpus: Path, tmp_path: Path) -> None:
    result = runner.invoke(
        app,
        ["import", "pyrra", str(corpus / "pyrra"), "--into", str(tmp_path), "--format", "json"],
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert len(report["files"]) == 12  # the corpus's Pyrra files
    assert len(report["written"]) == 12
    assert runner.invoke(app, ["validate", str(tmp_path)]).exit_code == 0


def test_a_file_given_twice_is_imported_once_and_names_are_checked(
    corpus: Path, tmp_path: Path
) -> None:
    source = str(corpus / "pyrra/nginx.yaml")
    result = runner.invoke(
        app, ["import", "pyrra", source, source, "--into", str(tmp_path), "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    assert len(json.loads(result.output)["files"]) == 1
    bad = runner.invoke(app, ["import", "pyrra", source, "--datasource", "My Prom"])
    assert bad.exit_code == 2
    assert "invalid-import-option" in bad.output


def test_malformed_yaml_is_a_coded_problem_with_its_line(tmp_path: Path) -> None:
    source = tmp_path / "broken.yml"
    source.write_text('version: "prometheus/v1"\nservice: x\nslos:\n  - name: [a\n', "utf-8")
    result = runner.invoke(app, ["import", "sloth", str(source), "--into", str(tmp_path / "w")])
    assert result.exit_code == 1
    assert "[yaml-syntax]" in result.output
    assert f"{source}:" in result.output
    assert not (tmp_path / "w").exists()


def test_a_failed_write_leaves_nothing_behind(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two files to write; renaming the second fails: the first is removed again."""
    from covenant.errors import InputError  # noqa: PLC0415
    from covenant.services import importing  # noqa: PLC0415

    into = tmp_path / "ws"
    files = [corpus / "pyrra/nginx.yaml", corpus / "pyrra/thanos-http.yaml"]
    plan = importing.plan_import("pyrra", files, into=into)
    real_replace = Path.replace
    calls = []

    def failing_replace(self: Path, target: Path) -> Path:
        calls.append(target)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        return real_replace(self, target)

    monkeypatch.setattr(Path, "replace", failing_replace)
    with pytest.raises(InputError, match="nothing was written"):
        importing.write_import(plan)
    assert len(calls) == 2
    assert list(into.iterdir()) == []  # the first file and both temporary files are gone


def test_slo_generator_config_option(corpus: Path, tmp_path: Path) -> None:
    slo = str(corpus / "slo-generator/samples/prometheus/slo_prom_metrics_availability_ratio.yaml")
    lacking = str(corpus / "slo-generator/fixtures/config.yaml")  # has policy 'standard' only
    result = runner.invoke(
        app, ["import", "slo-generator", slo, "--config", lacking, "--into", str(tmp_path)]
    )
    assert result.exit_code == 1
    assert "policy 'default' is not in" in result.output
    assert "[import-missing-field]" in result.output
    config = str(corpus / "slo-generator/samples/config.yaml")
    result = runner.invoke(
        app, ["import", "slo-generator", slo, "--config", config, "--into", str(tmp_path)]
    )
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("tool", ["sloth", "pyrra", "slo-generator"])
def test_a_folder_without_yaml_files_is_a_usage_error_not_a_silent_success(
    tmp_path: Path, tool: str
) -> None:
    """It exited 0 printing nothing and writing nothing (json: ``"files": []``)."""
    empty = tmp_path / "specs"
    (empty / ".hidden").mkdir(parents=True)
    (empty / ".hidden" / "slo.yaml").write_text("version: prometheus/v1\n")
    (empty / "notes.txt").write_text("not a spec\n")
    into = tmp_path / "ws"
    result = runner.invoke(app, ["import", tool, str(empty), "--into", str(into)])
    assert result.exit_code == 2, result.output
    assert f"{empty} holds no *.yaml or *.yml file" in result.output
    assert "invalid-import-option" in result.output
    assert not into.exists()


PLUGIN_ONLY = """\
version: prometheus/v1
service: api
slos:
  - name: latency
    objective: 99
    sli:
      plugin:
        id: lokalise/http-error-rate
        options: {filter: 'job="api"'}
    alerting: {page_alert: {disable: true}, ticket_alert: {disable: true}}
"""


def test_nothing_to_import_is_an_error_for_scripts(corpus: Path, tmp_path: Path) -> None:
    plugin = tmp_path / "plugin.yaml"
    plugin.write_text(PLUGIN_ONLY, encoding="utf-8")
    into = tmp_path / "ws"
    alone = runner.invoke(app, ["import", "sloth", str(plugin), "--into", str(into)])
    assert alone.exit_code == 1
    assert "nothing-imported" in alone.output
    assert "error: nothing to import" in alone.output
    assert not into.exists()
    good = str(corpus / "sloth/getting-started.yml")
    both = runner.invoke(app, ["import", "sloth", str(plugin), good, "--into", str(into)])
    assert both.exit_code == 0, both.output  # one SLO imported: the report says the rest
    assert "nothing-imported" in both.output


def test_a_header_is_read_relative_to_the_workspace_before_the_working_directory(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two projects with the same layout: p1's import names ``../defs/a.yaml`` (relative to
    p1/ws). An import of p2's ``../defs/a.yaml`` run from p2/x into p1/ws is another source:
    it must not replace p1's file. A folder link before ``..`` is followed as the system
    follows it."""
    spec = (corpus / "sloth/getting-started.yml").read_text(encoding="utf-8")
    for project, service in (("p1", "myservice"), ("p2", "other")):
        (tmp_path / project / "defs").mkdir(parents=True)
        text = spec.replace("myservice", service)
        (tmp_path / project / "defs" / "a.yaml").write_text(text, encoding="utf-8")
    (tmp_path / "p2" / "x").mkdir()
    monkeypatch.chdir(tmp_path / "p1")
    assert runner.invoke(app, ["import", "sloth", "defs/a.yaml", "--into", "ws"]).exit_code == 0
    first = (tmp_path / "p1" / "ws" / "sloth-a.yaml").read_text(encoding="utf-8")
    assert first.startswith("# Imported by `covenant import sloth` from ../defs/a.yaml\n")
    monkeypatch.chdir(tmp_path / "p2" / "x")
    other = ["import", "sloth", "../defs/a.yaml", "--into", "../../p1/ws", "--force"]
    assert runner.invoke(app, other).exit_code == 0
    assert (tmp_path / "p1" / "ws" / "sloth-a.yaml").read_text(encoding="utf-8") == first
    assert "other" in (tmp_path / "p1" / "ws" / "sloth-a-2.yaml").read_text(encoding="utf-8")

    monkeypatch.chdir(tmp_path)
    (tmp_path / "link").symlink_to(tmp_path / "p1" / "defs")
    via = ["import", "sloth", "link/../defs/a.yaml", "--into", "p1/ws", "--force"]
    assert runner.invoke(app, via).exit_code == 0  # p1/defs/a.yaml, as the system reads it
    assert (tmp_path / "p1" / "ws" / "sloth-a.yaml").read_text(encoding="utf-8") == first


def test_import_takes_the_workspace_option_every_other_command_takes(
    corpus: Path, tmp_path: Path
) -> None:
    into = tmp_path / "ws"
    source = str(corpus / "sloth/getting-started.yml")
    result = runner.invoke(app, ["import", "sloth", source, "-w", str(into)])
    assert result.exit_code == 0, result.output
    assert (into / "sloth-getting-started.yaml").is_file()
