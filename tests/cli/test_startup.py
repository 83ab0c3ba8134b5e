"""Start-up stays light: the CLI imports heavy libraries only inside the command that needs them.

Not a timing test: it asserts which modules a fresh interpreter has loaded after importing the
CLI and printing help, which fails as soon as a top-level import pulls numpy, SQLAlchemy …
back in.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from covenant.cli import main as main_module
from tests.checkout import PROMETHEUS_SLI, prometheus_slo
from tests.probe import run_python

# click is no dependency of ours (typer vendors its own): importing it would break installs.
HEAVY = ("numpy", "sqlalchemy", "alembic", "pyarrow", "holidays", "pandas", "click")

PROBE = """
import json, sys
from typer.testing import CliRunner
from covenant.cli.main import app
runner = CliRunner()
codes = [runner.invoke(app, args).exit_code for args in {commands!r}]
heavy = sorted({{m.split(".")[0] for m in sys.modules}} & set({heavy!r}))
print(json.dumps({{"codes": codes, "heavy": heavy}}))
"""

HELP = [
    ["--help"],
    ["evaluate", "--help"],
    ["demo", "--help"],
    ["explain", "--help"],
    ["ingest", "events", "--help"],
    ["ingest", "tickets", "--help"],
    ["agreements", "list", "--help"],
    ["report", "sla", "--help"],
    ["backtest", "agreement", "--help"],
    ["suggest", "backing", "--help"],
    ["lint", "--help"],
    ["validate", "--help"],
    ["export", "openslo", "--help"],
    ["import", "sloth", "--help"],
    ["exposure", "--help"],
    ["rules", "prometheus", "--help"],
    ["dashboards", "grafana", "--help"],
]


def probe(commands: list[list[str]]) -> dict[str, list[object]]:
    result: dict[str, list[object]] = run_python(PROBE.format(commands=commands, heavy=HEAVY))
    return result


def test_importing_the_cli_loads_no_heavy_library() -> None:
    assert probe([]) == {"codes": [], "heavy": []}


@pytest.mark.parametrize("args", HELP, ids=[" ".join(a) for a in HELP])
def test_help_loads_no_heavy_library(args: list[str]) -> None:
    assert probe([args]) == {"codes": [0], "heavy": []}


def test_the_probe_sees_a_heavy_import(tmp_path: Path) -> None:
    """The check can fail: a command that does its work loads what it needs."""
    (tmp_path / "calendar.yaml").write_text(
        "apiVersion: covenant/v1\nkind: Calendar\nmetadata: {name: berlin}\n"
        "spec:\n  timeZone: Europe/Berlin\n  weekly: {mon: '08:00-18:00'}\n"
        "  holidays: {country: DE, subdivision: BE}\n",
        encoding="utf-8",
    )
    found = probe([["validate", str(tmp_path)]])
    assert found["codes"] == [0]
    assert "holidays" in found["heavy"]


EVALUATE_PROBE = """
import json, sys
from typer.testing import CliRunner
from covenant.cli.main import app
result = CliRunner().invoke(app, {args!r})
document = json.loads(result.stdout) if "json" in {args!r} else {{"results": []}}
loaded = sorted({{m for m in sys.modules if m.split(".")[0] in {roots!r} or m in {modules!r}}})
print(json.dumps({{"code": result.exit_code, "results": len(document["results"]),
                  "loaded": loaded}}))
"""

NOT_TO_EVALUATE = (  # libraries `evaluate --format json` on the SQLite store never needs
    "sqlalchemy",
    "alembic",
    "pyarrow",
    "pandas",
    "holidays",
    "dateutil",
    "rich",
    "click",
    "ruamel",  # plain definitions are read by libyaml; ruamel.yaml reads unusual ones
)
NOT_TO_EVALUATE_MODULES = (  # nor the contract, correction or table code
    "covenant.definitions.agreements",
    "covenant.definitions.calendars",
    "covenant.definitions.contracts",
    "covenant.definitions.corrections",
    "covenant.definitions.export",
    "covenant.core.agreements",
    "covenant.core.forecast",
    "covenant.services.agreements",
    "covenant.services.corrections",
    "covenant.render.tables",
    "covenant.render.evaluation_table",
    "covenant.store.db",
    "covenant.store.buckets",
)

EVALUATE_SLO = prometheus_slo()


def evaluate_probe(workspace: Path, output: str) -> dict[str, object]:
    args = ["evaluate", "-w", str(workspace), "--at", "2026-10-30T12:00:00Z", "--format", output]
    code = EVALUATE_PROBE.format(args=args, roots=NOT_TO_EVALUATE, modules=NOT_TO_EVALUATE_MODULES)
    result: dict[str, object] = run_python(code)
    return result


def test_evaluate_json_loads_only_what_it_uses(tmp_path: Path) -> None:
    """`evaluate --format json` on the embedded store reads the YAML, the store (sqlite3) and
    writes JSON: no ORM, no event-file readers, no contract or table code, no rich."""
    from covenant.config import sqlite_url  # noqa: PLC0415
    from covenant.services.store import open_store  # noqa: PLC0415

    (tmp_path / "slos.yaml").write_text(EVALUATE_SLO, encoding="utf-8")
    open_store(sqlite_url(tmp_path)).dispose()  # an up-to-date store, as `covenant init` makes
    found = evaluate_probe(tmp_path, "json")
    assert found["code"] == 0
    assert found["results"] == 1
    assert found["loaded"] == []


def test_the_evaluate_probe_sees_the_table_code(tmp_path: Path) -> None:
    """The check can fail: a table is drawn with rich and the table renderer."""
    from covenant.config import sqlite_url  # noqa: PLC0415
    from covenant.services.store import open_store  # noqa: PLC0415

    (tmp_path / "slos.yaml").write_text(EVALUATE_SLO, encoding="utf-8")
    open_store(sqlite_url(tmp_path)).dispose()
    found = evaluate_probe(tmp_path, "table")
    assert found["code"] == 0
    loaded = found["loaded"]
    assert isinstance(loaded, list)
    assert "rich" in loaded
    assert "covenant.render.evaluation_table" in loaded


PLAIN_SLI = PROMETHEUS_SLI
VALIDATION = ("pydantic", "covenant.definitions.openslo")
FIRST_EVALUATE_PROBE = """
import io, json, sys
from contextlib import redirect_stdout
sys.argv = ["covenant", *{args!r}]
from covenant.cli.main import main
out = io.StringIO()
try:
    with redirect_stdout(out):
        main()
except SystemExit as exit:
    code = exit.code
loaded = sorted(m for m in sys.modules if m in {modules!r})
print(json.dumps({{"code": code, "results": len(json.loads(out.getvalue())["results"]),
                  "loaded": loaded}}))
"""


def _first_evaluate_loads(tmp_path: Path, text: str) -> list[str]:
    """What ``covenant evaluate --format json`` (as the command runs it, through ``main``)
    loads of ``VALIDATION`` on its first run, the one that writes the evaluation cache."""
    from covenant.config import sqlite_url  # noqa: PLC0415
    from covenant.services.store import open_store  # noqa: PLC0415

    (tmp_path / "slos.yaml").write_text(text, encoding="utf-8")
    open_store(sqlite_url(tmp_path)).dispose()  # a state folder: the run writes the cache
    args = ["evaluate", "-w", str(tmp_path), "--at", "2026-10-30T12:00:00Z", "--format", "json"]
    found = run_python(FIRST_EVALUATE_PROBE.format(args=args, modules=VALIDATION))
    assert found["code"] == 0
    assert found["results"] == 1
    assert (tmp_path / ".covenant" / "evaluation-cache.json").is_file()
    loaded: list[str] = found["loaded"]
    return loaded


def test_a_first_evaluate_of_a_plain_workspace_loads_no_pydantic(tmp_path: Path) -> None:
    """A cold run (no evaluation cache yet) of plain OpenSLO reads it without the models."""
    plain = EVALUATE_SLO.replace(EVALUATE_SLO[EVALUATE_SLO.index("  indicator:") :], "")
    plain += "  indicatorRef: checkout\n" + EVALUATE_SLO[EVALUATE_SLO.index("  timeWindow") :]
    assert _first_evaluate_loads(tmp_path, plain + "---\n" + PLAIN_SLI) == []


def test_a_first_evaluate_of_another_workspace_validates_with_the_models(tmp_path: Path) -> None:
    """The check can fail: an inline SLI is left to the full load (pydantic)."""
    assert _first_evaluate_loads(tmp_path, EVALUATE_SLO) == [
        "covenant.definitions.openslo",
        "pydantic",
    ]


MAIN_PROBE = """
import json, sys
sys.argv = ["covenant", *{args!r}]
from covenant.cli.main import main
try:
    main()
except SystemExit as exit:
    code = exit.code
else:
    code = 0
loaded = sorted(m for m in sys.modules if m.startswith("covenant.cli."))
print(json.dumps({{"code": code, "loaded": loaded}}), file=sys.stderr)
"""


def main_probe(args: list[str]) -> tuple[object, list[str]]:
    result = run_python(MAIN_PROBE.format(args=args), stream="stderr", check=False)
    return result["code"], [m for m in result["loaded"] if m.endswith("_cmds")]


def test_the_command_line_loads_only_the_command_it_names(tmp_path: Path) -> None:
    from covenant.config import sqlite_url  # noqa: PLC0415
    from covenant.services.store import open_store  # noqa: PLC0415

    (tmp_path / "slos.yaml").write_text(EVALUATE_SLO, encoding="utf-8")
    open_store(sqlite_url(tmp_path)).dispose()
    code, commands = main_probe(["validate", str(tmp_path)])
    assert code == 0
    assert commands == ["covenant.cli.definitions_cmds"]
    # evaluate's usual lines run without typer (cli.fast): no command module at all …
    code, commands = main_probe(["evaluate", "-w", str(tmp_path), "--format", "json"])
    assert code == 0
    assert commands == []
    # … and a line cli.fast leaves to typer builds evaluate's alone
    code, commands = main_probe(["evaluate", "-w", str(tmp_path), "--format", "yaml"])
    assert code == 2
    assert commands == ["covenant.cli.evaluate_cmds"]


def test_unknown_commands_load_every_command_and_help_none() -> None:
    _, commands = main_probe(["evalute"])  # typer's error lists every command
    assert len(commands) == len(main_module.MODULES)
    # help is printed by cli.help_render (or the help cache) without building any command
    code, commands = main_probe(["--help"])
    assert code == 0
    assert commands == []


def test_every_command_is_mapped_to_its_module() -> None:
    """COMMANDS names every top-level command of the full app, and nothing else."""
    full = main_module.build_app()
    names = {c.name for c in full.registered_commands} | {g.name for g in full.registered_groups}
    assert names == set(main_module.COMMANDS)
    for name, module in main_module.COMMANDS.items():
        only = main_module.build_app([module])
        mine = {c.name for c in only.registered_commands} | {g.name for g in only.registered_groups}
        assert name in mine
    assert main_module.modules_for(["evaluate", "-w", "x"]) == ("evaluate_cmds",)
    assert main_module.modules_for(["-V"]) == main_module.MODULES
    assert main_module.modules_for([]) == main_module.MODULES


WARM_PROBE = """
import json, sys
sys.argv = ["covenant", *{args!r}]
from covenant.cli.main import main
try:
    main()
except SystemExit as exit:
    code = exit.code
loaded = sorted({{m.split(".")[0] for m in sys.modules}} & set({roots!r}))
print(json.dumps({{"code": code, "loaded": loaded}}), file=sys.stderr)
"""
NOT_WHEN_WARM = ("typer", "pydantic", "yaml", "ruamel", "rich", "click", "sqlalchemy")


def test_a_warm_evaluate_loads_no_typer_pydantic_or_yaml(tmp_path: Path) -> None:
    """`covenant evaluate --format json` a second time: the options are read without typer and
    the definitions come from the evaluation cache, so neither typer nor pydantic nor a YAML
    parser is imported. The first run (no cache yet) reads the YAML with pydantic."""
    from covenant.config import sqlite_url  # noqa: PLC0415
    from covenant.services.store import open_store  # noqa: PLC0415

    (tmp_path / "slos.yaml").write_text(EVALUATE_SLO, encoding="utf-8")
    open_store(sqlite_url(tmp_path)).dispose()
    args = ["evaluate", "-w", str(tmp_path), "--at", "2026-10-30T12:00:00Z", "--format", "json"]
    found = []
    for _ in range(2):
        code = WARM_PROBE.format(args=args, roots=NOT_WHEN_WARM)
        found.append(run_python(code, stream="stderr", check=False))
    cold, warm = found
    assert cold == {"code": 0, "loaded": ["pydantic", "yaml"]}
    assert warm == {"code": 0, "loaded": []}
