"""The pydantic-free reading of plain workspaces (``definitions.plain``) against the full load.

The property: for any workspace, ``plain_objectives`` is None, or the full load
(``workspace.analyse``: pydantic models, checks, resolve) finds no error and builds exactly the
same objectives, no composite and no correction. Checked on every YAML file and folder we have
(the OpenSLO, Sloth, Pyrra and slo-generator corpus, the examples, the tests' files) and on
systematic mutations of a plain workspace: every field removed, every value replaced by values
of every type and edge, an unknown key added to every mapping.
"""

from __future__ import annotations

import ast
import json
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from covenant.core.model import BudgetingMethod, CalendarUnit, RollingWindow
from covenant.definitions.plain import plain_objectives
from covenant.definitions.workspace import analyse

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT.parent / "shared" / "corpus"

BASE: list[dict[str, Any]] = [
    {"apiVersion": "openslo/v1", "kind": "Service", "metadata": {"name": "shop"}},
    {
        "apiVersion": "openslo/v1",
        "kind": "SLI",
        "metadata": {"name": "checkout", "displayName": "Checkout", "labels": {"team": "a"}},
        "spec": {
            "description": "good over total",
            "ratioMetric": {
                "counter": True,
                "good": {"metricSource": {"type": "Prometheus", "spec": {"query": "g"}}},
                "total": {"metricSource": {"type": "Prometheus", "spec": {"query": "t"}}},
            },
        },
    },
    {
        "apiVersion": "openslo/v1",
        "kind": "SLI",
        "metadata": {"name": "search", "annotations": {"owner": "team-b"}},
        "spec": {
            "ratioMetric": {
                "bad": {"metricSource": {"type": "Prometheus", "spec": {"query": "b"}}},
                "total": {"metricSource": {"type": "Prometheus", "spec": {"query": "t"}}},
            }
        },
    },
    {
        "apiVersion": "openslo/v1",
        "kind": "SLO",
        "metadata": {"name": "checkout-availability"},
        "spec": {
            "description": "rolling",
            "service": "shop",
            "indicatorRef": "checkout",
            "timeWindow": [{"duration": "30d", "isRolling": True}],
            "budgetingMethod": "Occurrences",
            "objectives": [{"target": Decimal("0.999")}],
        },
    },
    {
        "apiVersion": "openslo/v1",
        "kind": "SLO",
        "metadata": {"name": "search-monthly"},
        "spec": {
            "service": "shop",
            "indicatorRef": "search",
            "timeWindow": [
                {
                    "duration": "1M",
                    "isRolling": False,
                    "calendar": {"startTime": "2026-01-01 00:00:00", "timeZone": "Europe/Berlin"},
                }
            ],
            "budgetingMethod": "Timeslices",
            "objectives": [
                {
                    "displayName": "fast",
                    "targetPercent": Decimal("99.5"),
                    "timeSliceTarget": Decimal("0.95"),
                    "timeSliceWindow": "5m",
                },
                {
                    "displayName": "any",
                    "target": Decimal("0.99"),
                    "timeSliceTarget": 1,
                    "timeSliceWindow": 1,
                },
            ],
        },
    },
]

# Values of every type and edge the YAML reader gives: each replaces every value of BASE.
VALUES: list[Any] = [
    None,
    True,
    0,
    1,
    -1,
    100,
    Decimal("0.5"),
    Decimal("1.0"),
    Decimal("99.99"),
    "",
    "x",
    "Not A Name",
    "1m",
    "1M",
    "7d",
    "99999999999d",
    "2026-13-01",
    "1969-12-31 23:00:00",
    "Mars/Olympus",
    "x" * 1051,
    "RatioTimeslices",
    "checkout",
    ".inf",
    [],
    [{}],
    {},
]
EXTENSIONS = [  # Covenant's annotations change what the full load builds
    {"covenant.dev/no-data-policy": "bad"},
    {"covenant.dev/minimum-events": "5"},
    {"covenant.dev/alerting": '{"defaults": false}'},
    {"covenant.dev/events": '{"status": {"op": "lt", "value": 500}}'},
]


class _Plain(json.JSONEncoder):
    def default(self, o: Any) -> Any:
        if isinstance(o, Decimal):
            return float(o)  # not used: numbers are written by _dump
        return super().default(o)


def _dump(value: Any) -> str:
    """``value`` as YAML (flow style: JSON, with each Decimal written as its digits)."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json.dumps(k)}: {_dump(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_dump(v) for v in value) + "]"
    if value == ".inf":
        return ".inf"
    return json.dumps(value, cls=_Plain)


def _write(folder: Path, documents: list[Any]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    text = "\n---\n".join(_dump(d) for d in documents) + "\n"
    (folder / "slos.yaml").write_text(text, encoding="utf-8")
    return folder


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """The path of every value inside ``value`` (mapping keys and list positions)."""
    items = value.items() if isinstance(value, dict) else enumerate(value)
    for key, child in items:
        yield (*prefix, key)
        if isinstance(child, (dict, list)):
            yield from _paths(child, (*prefix, key))


def _mappings(value: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    if isinstance(value, dict):
        yield prefix
    items = value.items() if isinstance(value, dict) else enumerate(value)
    for key, child in items:
        if isinstance(child, (dict, list)):
            yield from _mappings(child, (*prefix, key))


def _mutated(path: tuple[Any, ...], *, value: Any = None, delete: bool = False) -> list[Any]:
    documents = json.loads(json.dumps(BASE, cls=_Plain), parse_float=Decimal)
    parent = documents
    for key in path[:-1]:
        parent = parent[key]
    if delete:
        del parent[path[-1]]
    else:
        parent[path[-1]] = value
    return list(documents)


def _mutations() -> Iterator[tuple[str, list[Any]]]:
    for path in _paths(BASE):
        yield f"del {path}", _mutated(path, delete=True)
        for value in VALUES:
            yield f"{path} = {value!r:.40}", _mutated(path, value=value)
    for extension in EXTENSIONS:
        for slo in (1, 2, 3, 4):
            yield (
                f"{slo} {extension}",
                _mutated((slo, "metadata", "annotations"), value=extension),
            )
    for path in _mappings(BASE):
        yield f"{path} + unknown", _mutated((*path, "unknownKey"), value="x")
        yield f"{path} + snake", _mutated((*path, "display_name"), value="x")


def _same(folder: Path) -> tuple[bool, bool]:
    """Check the property on ``folder``; (answered by the plain reader, full load had errors)."""
    plain = plain_objectives(folder)
    workspace, problems = analyse([folder])
    errors = [p for p in problems if p.severity == "error"]
    if plain is not None:
        assert workspace is not None, (folder, errors)
        assert plain == workspace.objectives
        assert workspace.composites == ()
        assert workspace.corrections == ()
    return plain is not None, bool(errors)


def test_the_base_workspace_is_read_without_pydantic_as_the_full_load_reads_it(
    tmp_path: Path,
) -> None:
    folder = _write(tmp_path, BASE)
    plain = plain_objectives(folder)
    assert plain is not None
    workspace, _ = analyse([folder])
    assert workspace is not None
    assert plain == workspace.objectives
    # independently of both readers: what the documents say
    assert [o.key for o in plain] == [
        "checkout-availability",
        "search-monthly/fast",
        "search-monthly/any",
    ]
    assert plain[0].window == RollingWindow(seconds=30 * 86400)
    assert plain[0].target == Decimal("0.999")
    assert plain[0].series == "checkout"
    calendar = plain[1].window
    assert getattr(calendar, "unit", None) is CalendarUnit.MONTH
    assert getattr(calendar, "zone", None) == "Europe/Berlin"
    assert plain[1].method is BudgetingMethod.TIMESLICES
    assert plain[1].target * 1000 == 995
    assert plain[1].time_slice_window_s == 300
    assert plain[2].time_slice_target == 1
    assert plain[2].time_slice_window_s == 60
    assert len(plain[0].alert_tiers) == 4


def test_every_mutation_is_read_the_same_or_left_to_the_full_load(tmp_path: Path) -> None:
    answered = refused_errors = total = 0
    for i, (what, documents) in enumerate(_mutations()):
        try:
            plain, errors = _same(_write(tmp_path / str(i), documents))
        except AssertionError as exc:  # pragma: no cover - the message names the mutation
            raise AssertionError(f"{what}: {exc}") from exc
        total += 1
        answered += plain
        refused_errors += errors
    # the mutations reach both sides: many are still plain and valid, many are errors
    assert total > 1000
    assert answered > 100
    assert refused_errors > 500


def _files_and_folders() -> list[Path]:
    found: set[Path] = set()
    for base in (CORPUS, ROOT / "examples", ROOT / "tests"):
        for file in base.rglob("*.y*ml"):
            found |= {file, file.parent}
    return sorted(found)


def test_every_file_and_folder_we_have_is_read_the_same_or_left_to_the_full_load() -> None:
    if not CORPUS.is_dir():
        pytest.fail(f"the shared corpus is missing: {CORPUS}")
    checked = [_same(path) for path in _files_and_folders()]
    assert len(checked) > 150
    assert sum(plain for plain, _ in checked) >= 3  # some of them are plain workspaces
    assert sum(errors for _, errors in checked) > 20  # and many are invalid inputs


def _texts_in_tests() -> list[str]:
    """Every YAML text the test modules write: string constants holding ``apiVersion:``."""
    texts = []
    for module in sorted((ROOT / "tests").rglob("*.py")):
        for node in ast.walk(ast.parse(module.read_text(encoding="utf-8"))):
            value = node.value if isinstance(node, ast.Constant) else None
            if isinstance(value, str) and "apiVersion:" in value:
                texts.append(value)
    return texts


def test_every_workspace_the_tests_write_is_read_the_same_or_left_to_the_full_load(
    tmp_path: Path,
) -> None:
    texts = _texts_in_tests()
    checked = []
    for i, text in enumerate(texts):
        folder = tmp_path / str(i)
        folder.mkdir()
        (folder / "slos.yaml").write_text(text, encoding="utf-8")
        checked.append(_same(folder))
    assert len(checked) > 50
    assert sum(plain for plain, _ in checked) >= 3
    assert sum(errors for _, errors in checked) > 20
