"""Fuzz the importers: the example Sloth, Pyrra and slo-generator files mutated. Every input
ends in an import plan (problems coded and documented) or a coded error, never a traceback."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from covenant.services.importing import ImportPlan, plan_import
from tests.conftest import ROOT
from tests.fuzz.harness import FUZZ, check_problems, coded, mutated, scalar_replacements

EXAMPLES = ROOT / "examples" / "import"
SEEDS = {
    "sloth": (EXAMPLES / "sloth-checkout.yml").read_text(encoding="utf-8"),
    "pyrra": (EXAMPLES / "pyrra-search.yaml").read_text(encoding="utf-8"),
    "slo-generator": (EXAMPLES / "slo-generator" / "payments-availability.yaml").read_text(
        encoding="utf-8"
    ),
}
CONFIG = (EXAMPLES / "slo-generator" / "config.yaml").read_text(encoding="utf-8")


def run(tool: str, text: str, config: str = CONFIG) -> None:
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "source.yaml"
        source.write_text(text, encoding="utf-8")
        (Path(folder) / "config.yaml").write_text(config, encoding="utf-8")
        found = coded(lambda: plan_import(tool, [source], into=Path(folder) / "ws"))
        if isinstance(found, ImportPlan):
            check_problems(found.problems)
            for file in found.files:
                for note in file.imported.notes:
                    assert note.reason, note


def test_the_seeds_import() -> None:
    for tool, text in SEEDS.items():
        with tempfile.TemporaryDirectory() as folder:
            source = Path(folder) / "source.yaml"
            source.write_text(text, encoding="utf-8")
            (Path(folder) / "config.yaml").write_text(CONFIG, encoding="utf-8")
            plan = plan_import(tool, [source], into=Path(folder) / "ws")
            assert plan.problems == []
            assert plan.writes


@settings(FUZZ, max_examples=60)
@given(st.data())
def test_mutated_sources(data: st.DataObject) -> None:
    tool = data.draw(st.sampled_from(sorted(SEEDS)))
    run(tool, data.draw(mutated(SEEDS[tool])))


@settings(FUZZ, max_examples=60)
@given(st.data())
def test_sources_with_tricky_values(data: st.DataObject) -> None:
    tool = data.draw(st.sampled_from(sorted(SEEDS)))
    run(tool, data.draw(scalar_replacements(SEEDS[tool])))


@settings(FUZZ, max_examples=30)
@given(st.data())
def test_tricky_shared_config(data: st.DataObject) -> None:
    run("slo-generator", SEEDS["slo-generator"], data.draw(scalar_replacements(CONFIG)))


ODD_VALUES = [None, [], {}, "", "x", 0, -1, 101, 1.5, True, {"a": 1}, [1, "b"], "{{.window}}"]


def _paths(value: object, prefix: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    found = [prefix]
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _paths(item, (*prefix, index))
    return found


def _replaced(value: object, path: tuple[object, ...], new: object) -> object:
    if not path:
        return new
    head, rest = path[0], path[1:]
    if isinstance(value, dict):
        return {k: _replaced(v, rest, new) if k == head else v for k, v in value.items()}
    assert isinstance(value, list)
    return [_replaced(v, rest, new) if i == head else v for i, v in enumerate(value)]


@settings(FUZZ, max_examples=150)
@given(st.data())
def test_any_field_of_any_type(data: st.DataObject) -> None:
    """Every field of the seeds replaced by a value of another type (or removed)."""
    import yaml  # noqa: PLC0415

    tool = data.draw(st.sampled_from(sorted(SEEDS)))
    documents = list(yaml.safe_load_all(SEEDS[tool]))
    index = data.draw(st.integers(0, len(documents) - 1))
    paths = _paths(documents[index])
    for _ in range(data.draw(st.integers(1, 3))):
        path = data.draw(st.sampled_from(paths))
        documents[index] = _replaced(documents[index], path, data.draw(st.sampled_from(ODD_VALUES)))
        paths = _paths(documents[index])
    run(tool, yaml.safe_dump_all(documents))
