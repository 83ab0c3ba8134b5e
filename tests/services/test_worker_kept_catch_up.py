"""A worker whose catch-up stops at kept sums backs off, as a failed day read does.

The store holds a day of exact sums (90 good / 100 total, ``test_kept_sums_reads``); the
series was never read, so the worker's first catch-up starts at that day. The server
(``test_kept_sums_reads.Prom``, which counts nothing itself: its answers are counted here)
has fewer events there, so the sums are kept and the catch-up fails with
``source-sums-differ``. Asking again every minute would read the same minutes and fail the
same way: the worker asks again after 1 minute, then 2 (the tick in between asks the server
nothing and names the next try), and once the server has the day's exact events again the
catch-up gets past it and the wait is forgotten.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine

from covenant.core.timeutil import from_epoch
from covenant.definitions.workspace import load_workspace
from covenant.services.worker import Worker
from covenant.store.source_state import read_states
from tests.services.test_kept_sums_reads import DAY, Prom, _day_of_sums, _row, prom
from tests.services.test_kept_sums_reads import D as SUMS_DAY

__all__ = ["prom"]  # the fixture this module shares

START = SUMS_DAY + DAY + 600
"""The first tick: ten minutes into the day after the day of sums."""
LAG = 120  # services.prometheus.DEFAULT_LAG_S: the minutes read are those before now − 2 min


def _workspace(folder: Path, url: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "slos.yaml").write_text(
        f"""apiVersion: openslo/v1
kind: DataSource
metadata: {{name: prom}}
spec: {{type: Prometheus, connectionDetails: {{url: "{url}", timeout: 5s}}}}
---
apiVersion: openslo/v1
kind: SLI
metadata: {{name: web}}
spec:
  ratioMetric:
    good:
      metricSource:
        metricSourceRef: prom
        spec: {{query: 'sum(rate(app_good[{{{{.window}}}}])) * 60'}}
    total:
      metricSource:
        metricSourceRef: prom
        spec: {{query: 'sum(rate(app_all[{{{{.window}}}}])) * 60'}}
---
apiVersion: openslo/v1
kind: SLO
metadata: {{name: web-availability}}
spec:
  service: web
  indicatorRef: web
  timeWindow: [{{duration: 30d, isRolling: true}}]
  budgetingMethod: Occurrences
  objectives: [{{target: 0.99}}]
"""
    )
    return folder


def test_a_catch_up_stopped_by_kept_sums_waits_its_turn(
    engine: Engine, prom: Prom, tmp_path: Path
) -> None:
    sid = _day_of_sums(engine)
    kept = _row(engine, sid, SUMS_DAY)
    prom.events(SUMS_DAY, 45, 50)  # fewer events than the sums: they are kept
    asked: list[dict[str, str]] = []
    answer = prom.answer

    def counted(form: dict[str, str]) -> dict[str, Any]:
        asked.append(form)
        return answer(form)

    prom.answer = counted  # type: ignore[method-assign]
    workspace = load_workspace(_workspace(tmp_path / "ws", prom.url))
    first = START - LAG - SUMS_DAY  # a never-read series starts at the day of sums
    worker = Worker(engine, catch_up_initial_s=first)

    def tick(minute: int) -> tuple[int, tuple[str, ...]]:
        before = len(asked)
        result = worker.tick(workspace, from_epoch(START + 60 * minute))
        return len(asked) - before, result.problems

    n, problems = tick(0)
    assert n > 0
    assert any("source-sums-differ" in p for p in problems)
    with engine.connect() as conn:
        state = read_states(conn, keys=["web"])["web"]
    assert state.error_code == "source-sums-differ"
    assert state.read_until == SUMS_DAY  # the frontier stays at the kept day (epoch s)
    n, _ = tick(1)  # the first wait is a minute: asked again (and failed a second time)
    assert n > 0
    n, problems = tick(2)  # the second wait is two minutes: not asked
    assert n == 0
    again = from_epoch(START + 60 + 120).isoformat().replace("+00:00", "Z")
    (waiting,) = [p for p in problems if "not caught up before its next try" in p]
    assert waiting.startswith("web: ")
    assert f"asked again at {again}" in waiting
    assert "(2 failed reads in a row)" in waiting
    n, _ = tick(3)  # due again
    assert n > 0
    assert _row(engine, sid, SUMS_DAY) == kept  # never replaced by the server's fewer events
    prom.events(SUMS_DAY, 90, 100)  # the server has the day's exact events again
    due = 3 + 4  # the third failure waits four minutes
    n, problems = tick(due)
    assert n > 0
    assert not [p for p in problems if "web" in p]
    with engine.connect() as conn:
        state = read_states(conn, keys=["web"])["web"]
    assert state.error_code is None
    assert state.read_until == START + 60 * due - LAG  # caught up to now − lag
    n, problems = tick(due + 1)  # forgotten: the next minute is read as usual
    assert n > 0
    assert not [p for p in problems if "web" in p]
