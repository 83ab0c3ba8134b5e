"""The evaluation cache (``definitions.evaluation_cache``, ``load_for_evaluation``).

What ``evaluate`` gets from the cache must equal what a full load gives, for every kind of
objective; an edit, a new or renamed file, other code, a corrupt or foreign cache file are never
answered from the cache; a folder that cannot be written, or two processes at once, change
nothing but whether the next run is fast.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from datetime import UTC, datetime, timedelta, timezone
from fractions import Fraction
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from covenant.core.model import AlertTier, CalendarUnit, CalendarWindow, Objective
from covenant.definitions import evaluation_cache as cache
from covenant.definitions.workspace import load_workspace
from covenant.definitions.yamlsource import MAX_BYTES
from covenant.errors import DefinitionError
from covenant.services import workspace as service
from tests.checkout import prometheus_slo
from tests.conftest import ROOT

SHOP = ROOT / "examples" / "shop"

SLO = prometheus_slo()

POLICY = """\
apiVersion: openslo/v1
kind: AlertCondition
metadata: {name: fast-burn}
spec:
  severity: page
  condition: {kind: burnrate, op: gt, threshold: 14.4, lookbackWindow: 1h, alertAfter: 5m}
---
apiVersion: openslo/v1
kind: AlertPolicy
metadata: {name: paging}
spec:
  conditions: [{conditionRef: fast-burn}]
  notificationTargets: [{targetRef: on-call}]
"""


def shop_without_corrections(tmp_path: Path) -> Path:
    """The example shop (every budgeting method, a calendar window with an anchor, a
    composite, contracts) without its corrections, which are never cached."""
    ws = tmp_path / "shop"
    shutil.copytree(SHOP, ws)
    (ws / "corrections.yaml").unlink()
    (ws / ".covenant").mkdir()
    return ws


def one_slo(tmp_path: Path, text: str = SLO) -> Path:
    ws = tmp_path / "ws"
    (ws / ".covenant").mkdir(parents=True)
    (ws / "slos.yaml").write_text(text, encoding="utf-8")
    return ws


def cache_file(ws: Path) -> Path:
    return ws / ".covenant" / cache.FILE_NAME


def no_full_load(monkeypatch: pytest.MonkeyPatch) -> None:
    """From here on a full load fails the test: an answer must come from the cache."""

    def refuse(path: Path) -> None:
        raise AssertionError(f"full load of {path}")

    monkeypatch.setattr(service, "load_workspace", refuse)


def test_the_cache_gives_what_a_full_load_gives(tmp_path: Path) -> None:
    ws = shop_without_corrections(tmp_path)
    full = load_workspace(ws)
    kinds = {o.method for o in full.objectives}
    assert len(kinds) == 3  # every budgeting method is in the sample
    assert any(isinstance(o.window, CalendarWindow) and o.window.anchor for o in full.objectives)
    assert full.composites
    first = service.load_for_evaluation(ws)
    assert cache_file(ws).is_file()
    second = cache.read_cache(ws / ".covenant", key=cache.definitions_key(ws) or "")
    assert second is not None
    assert first.objectives == full.objectives == second.objectives
    assert first.composites == full.composites == second.composites


def test_a_second_run_reads_the_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with_policy = SLO.replace(
        "  objectives:", "  alertPolicies: [{alertPolicyRef: paging}]\n  objectives:"
    )
    ws = one_slo(tmp_path, with_policy + "---\n" + POLICY)
    service.load_for_evaluation(ws)
    no_full_load(monkeypatch)
    found = service.load_for_evaluation(ws)
    (objective,) = found.objectives
    assert objective.target == Fraction(999, 1000)
    assert objective.alert_tiers == (
        AlertTier(
            name="fast-burn",
            severity="page",
            long_window_s=3600,
            short_window_s=300,
            burn_rate=Fraction(144, 10),
            inclusive=False,
            for_s=300,  # alertAfter: 5m
        ),
    )


def test_an_edit_is_never_answered_from_the_cache(tmp_path: Path) -> None:
    ws = one_slo(tmp_path)
    assert service.load_for_evaluation(ws).objectives[0].target == Fraction(999, 1000)
    (ws / "slos.yaml").write_text(SLO.replace("0.999", "0.99"), encoding="utf-8")
    assert service.load_for_evaluation(ws).objectives[0].target == Fraction(99, 100)
    # the rebuilt cache answers the next run with the new target
    key = cache.definitions_key(ws)
    assert key is not None
    rebuilt = cache.read_cache(ws / ".covenant", key=key)
    assert rebuilt is not None
    assert rebuilt.objectives[0].target == Fraction(99, 100)


def test_an_edit_that_breaks_the_definitions_is_an_error(tmp_path: Path) -> None:
    ws = one_slo(tmp_path)
    service.load_for_evaluation(ws)
    (ws / "slos.yaml").write_text(SLO.replace("0.999", "1.5"), encoding="utf-8")
    with pytest.raises(DefinitionError):
        service.load_for_evaluation(ws)


def test_a_new_or_renamed_file_changes_the_key(tmp_path: Path) -> None:
    ws = one_slo(tmp_path)
    before = cache.definitions_key(ws)
    (ws / "more.yaml").write_text(SLO.replace("checkout", "search"), encoding="utf-8")
    added = cache.definitions_key(ws)
    (ws / "more.yaml").rename(ws / "other.yaml")
    renamed = cache.definitions_key(ws)
    assert len({before, added, renamed}) == 3
    assert {o.slo for o in service.load_for_evaluation(ws).objectives} == {"checkout", "search"}


def test_other_code_changes_the_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ws = one_slo(tmp_path)
    before = cache.definitions_key(ws)
    monkeypatch.setattr(cache, "_code_stamps", lambda: ["definitions/resolve.py:1:2"])
    assert cache.definitions_key(ws) != before
    monkeypatch.setattr(cache.covenant, "__version__", "99.0")
    assert cache.definitions_key(ws) != before


CORRUPT = [
    "",
    "{",
    "[]",
    '{"format": "covenant.evaluation-cache/1", "key": "KEY"}',
    '{"format": "covenant.evaluation-cache/1", "key": "KEY", "objectives": '
    '[{"D": "Settings", "f": {}}], "composites": []}',
    '{"format": "covenant.evaluation-cache/1", "key": "KEY", "objectives": '
    '[{"D": "RollingWindow", "f": {"seconds": 60}}], "composites": []}',
    '{"format": "covenant.evaluation-cache/1", "key": "KEY", "objectives": '
    '[{"Q": ["1", "0"]}], "composites": []}',
    '{"format": "covenant.evaluation-cache/1", "key": "KEY", "objectives": '
    '[{"D": "RollingWindow", "f": {"seconds": -5}}], "composites": []}',
    '{"format": "covenant.evaluation-cache/1", "key": "KEY", "objectives": '
    + "[" * 100_000
    + "]" * 100_000
    + ', "composites": []}',
]


@pytest.mark.parametrize("text", CORRUPT, ids=range(len(CORRUPT)))
def test_a_corrupt_cache_is_ignored_and_rebuilt(tmp_path: Path, text: str) -> None:
    ws = one_slo(tmp_path)
    key = cache.definitions_key(ws)
    assert key is not None
    cache_file(ws).write_text(text.replace("KEY", key), encoding="utf-8")
    assert cache.read_cache(ws / ".covenant", key=key) is None
    (objective,) = service.load_for_evaluation(ws).objectives
    assert objective.target == Fraction(999, 1000)
    rebuilt = cache.read_cache(ws / ".covenant", key=key)
    assert rebuilt is not None
    assert rebuilt.objectives == (objective,)


def test_bytes_that_are_not_text_are_ignored(tmp_path: Path) -> None:
    ws = one_slo(tmp_path)
    cache_file(ws).write_bytes(b"\xff\xfe\x00garbage")
    assert service.load_for_evaluation(ws).objectives[0].slo == "checkout"
    assert json.loads(cache_file(ws).read_text(encoding="utf-8"))["format"] == cache.FORMAT


def test_a_cache_under_another_key_is_not_used(tmp_path: Path) -> None:
    """A cache copied from another workspace (or left by an older version) is a miss."""
    other = one_slo(tmp_path / "a", SLO.replace("0.999", "0.95"))
    service.load_for_evaluation(other)
    ws = one_slo(tmp_path / "b")
    shutil.copy(cache_file(other), cache_file(ws))
    assert service.load_for_evaluation(ws).objectives[0].target == Fraction(999, 1000)


def test_a_folder_that_cannot_be_written_changes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As a read-only state folder refuses the temporary file (root is not refused by a mode,
    so the refusal is made here; the next test puts a real obstacle in the cache's place)."""
    ws = one_slo(tmp_path)

    def refuse(*args: object, **kwargs: object) -> tuple[int, str]:
        raise PermissionError(13, "Read-only file system")

    monkeypatch.setattr(tempfile, "mkstemp", refuse)
    assert service.load_for_evaluation(ws).objectives[0].target == Fraction(999, 1000)
    assert sorted(p.name for p in (ws / ".covenant").iterdir()) == []


def test_a_cache_that_cannot_be_replaced_is_left_and_nothing_strays(tmp_path: Path) -> None:
    ws = one_slo(tmp_path)
    cache_file(ws).mkdir()  # the rename over it fails, as over a file in a read-only folder
    assert service.load_for_evaluation(ws).objectives[0].target == Fraction(999, 1000)
    assert sorted(p.name for p in (ws / ".covenant").iterdir()) == [cache.FILE_NAME]
    assert cache_file(ws).is_dir()


def test_a_temporary_file_a_killed_writer_left_is_removed_by_the_next_write(
    tmp_path: Path,
) -> None:
    """A writer killed between making its temporary file and renaming it leaves the file, held
    by nobody (its lock went with the process): the next write removes it
    (``covenant.files_left``), and a temporary file another writer holds is left alone."""
    ws = one_slo(tmp_path)
    state = ws / ".covenant"
    left = state / f".{cache.FILE_NAME}.covenant-abcd1234.tmp"
    left.write_text("{half a cache", encoding="utf-8")
    held = state / f".{cache.FILE_NAME}.covenant-held5678.tmp"
    held.write_text("{being written", encoding="utf-8")
    holder = subprocess.Popen(  # another process writing the cache: it holds its file
        [sys.executable, "-c", HOLD, str(held)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline() == "held\n"
        assert service.load_for_evaluation(ws).objectives[0].target == Fraction(999, 1000)
        names = sorted(p.name for p in state.iterdir())
    finally:
        holder.kill()
        holder.communicate()
    assert names == [held.name, cache.FILE_NAME]  # the left one removed, the held one kept


HOLD = """\
import fcntl, os, sys, time
handle = os.open(sys.argv[1], os.O_RDONLY)
fcntl.flock(handle, fcntl.LOCK_SH)
print("held", flush=True)
time.sleep(600)
"""


def test_a_read_only_folder(tmp_path: Path) -> None:
    ws = one_slo(tmp_path)
    state = ws / ".covenant"
    state.chmod(0o555)
    try:
        writable = os.access(state, os.W_OK)  # root writes anyway
        assert service.load_for_evaluation(ws).objectives[0].target == Fraction(999, 1000)
        names = sorted(p.name for p in state.iterdir())
        assert names == ([cache.FILE_NAME] if writable else [])
    finally:
        state.chmod(0o755)


def test_no_state_folder_no_cache(tmp_path: Path) -> None:
    ws = one_slo(tmp_path)
    (ws / ".covenant").rmdir()
    assert service.load_for_evaluation(ws).objectives[0].slo == "checkout"
    assert not (ws / ".covenant").exists()


def test_corrections_are_never_cached(tmp_path: Path) -> None:
    ws = tmp_path / "shop"
    shutil.copytree(SHOP, ws)
    (ws / ".covenant").mkdir()
    found = service.load_for_evaluation(ws)
    assert found.corrections
    assert not cache_file(ws).exists()


def test_an_anchor_keeps_its_zone_and_fold(tmp_path: Path) -> None:
    """A calendar anchor is kept on its zone's wall clock as written, the fold included (the
    second 02:30 of a night the clocks go back is not the first)."""
    berlin = ZoneInfo("Europe/Berlin")
    anchors = [datetime(2026, 10, 25, 2, 30, tzinfo=berlin, fold=fold) for fold in (0, 1)] + [
        datetime(2026, 1, 1, tzinfo=UTC)
    ]
    objectives = tuple(
        Objective(
            slo=f"x{i}",
            name="",
            series="x",
            target=Fraction(1, 2),
            window=CalendarWindow(unit=CalendarUnit.MONTH, zone="Europe/Berlin", anchor=anchor),
        )
        for i, anchor in enumerate(anchors)
    )
    text = cache.encode(cache.Cached(objectives=objectives, composites=()), key="k")
    back = cache.decode(text, key="k")
    assert back is not None
    got = [o.window.anchor for o in back.objectives if isinstance(o.window, CalendarWindow)]
    assert [(a.tzinfo, a.fold, a.utcoffset()) for a in got if a] == [
        (berlin, 0, timedelta(hours=2)),
        (berlin, 1, timedelta(hours=1)),
        (UTC, 0, timedelta(0)),
    ]


def test_values_the_format_does_not_hold_are_not_cached(tmp_path: Path) -> None:
    """An anchor on a fixed offset would come back otherwise: refused, nothing written."""
    ws = one_slo(tmp_path)
    offset = datetime(2026, 1, 1, tzinfo=timezone(timedelta(hours=5)))
    odd = Objective(
        slo="x",
        name="",
        series="x",
        target=Fraction(1, 2),
        window=CalendarWindow(unit=CalendarUnit.MONTH, anchor=offset),
    )
    with pytest.raises(cache.UnsupportedValueError):
        cache.encode(cache.Cached(objectives=(odd,), composites=()), key="k")
    assert not cache.write_cache(
        ws / ".covenant", key="k", cached=cache.Cached(objectives=(odd,), composites=())
    )
    assert not cache_file(ws).exists()


CONCURRENT = """
import json, sys
from pathlib import Path
from covenant.services.workspace import load_for_evaluation
found = load_for_evaluation(Path(sys.argv[1]))
print(json.dumps([[o.key, str(o.target), str(o.window)] for o in found.objectives]))
"""


def test_processes_at_once_all_read_the_same(tmp_path: Path) -> None:
    """Eight processes load the workspace at once, with no cache, then eight more while the
    first ones' caches are written: every one gets what the full load gives, and the cache
    left behind is whole."""
    ws = shop_without_corrections(tmp_path)
    full = load_workspace(ws)
    expected = [[o.key, str(o.target), str(o.window)] for o in full.objectives]
    outputs = []
    for _ in range(2):
        runs = [
            subprocess.Popen(
                [sys.executable, "-c", CONCURRENT, str(ws)], stdout=subprocess.PIPE, text=True
            )
            for _ in range(8)
        ]
        for run in runs:
            out, _ = run.communicate(timeout=120)
            assert run.returncode == 0
            outputs.append(json.loads(out))
    assert outputs == [expected] * 16
    key = cache.definitions_key(ws)
    assert key is not None
    whole = cache.read_cache(ws / ".covenant", key=key)
    assert whole is not None
    assert whole.objectives == full.objectives
    assert sorted(p.name for p in (ws / ".covenant").iterdir()) == [cache.FILE_NAME]


def test_a_file_too_large_to_read_is_not_hashed(tmp_path: Path) -> None:
    """A definition file over the size cap is refused by the full load before it is read;
    the key does not read it either (it would hold it in memory to hash it)."""
    ws = one_slo(tmp_path)
    (ws / "huge.yaml").write_bytes(b"#" * (MAX_BYTES + 1))
    assert cache.definitions_key(ws) is None
    with pytest.raises(DefinitionError) as raised:
        service.load_for_evaluation(ws)
    assert [p.code for p in raised.value.problems if p.severity == "error"] == ["yaml-too-large"]
    assert not cache_file(ws).exists()


@pytest.mark.parametrize(("folder", "file"), [(0o755, 0o644), (0o700, 0o600), (0o775, 0o664)])
def test_the_cache_is_as_readable_as_its_folder(tmp_path: Path, folder: int, file: int) -> None:
    """Another user who may read the store may read the cache (a temporary file is 0600)."""
    ws = one_slo(tmp_path)
    (ws / ".covenant").chmod(folder)
    service.load_for_evaluation(ws)
    assert cache_file(ws).stat().st_mode & 0o777 == file


def test_every_module_that_makes_the_values_is_stamped(tmp_path: Path) -> None:
    """Modules in sub-packages count too (core may be grouped by domain), byte code does not."""
    for name in ("definitions/a.py", "core/b.py", "core/slo/c.py", "core/__pycache__/b.pyc"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x = 1\n")
    (tmp_path / "store").mkdir()
    (tmp_path / "store" / "d.py").write_text("x = 1\n")
    stamps = cache.code_stamps(tmp_path)
    assert [s.split(":")[0] for s in stamps] == ["core/b.py", "core/slo/c.py", "definitions/a.py"]
    (tmp_path / "core" / "slo" / "c.py").write_text("x = 22\n")
    assert cache.code_stamps(tmp_path) != stamps
