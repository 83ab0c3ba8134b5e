"""Concurrent ingests of different files into one store lose nothing (both backends).

Separate processes (as two ``covenant ingest`` runs would be) are told to start each round at
the same instant; every round they ingest different files whose events fall into the same
day chunks of one shared series and of a series new in that round. The expected counts come
from reading the files here with the ``csv`` module, independently of the ingest code.
"""

from __future__ import annotations

import csv
import hashlib
import json
import random
import subprocess
import sys
import textwrap
from collections import Counter
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from covenant.store import buckets

T0 = 1_767_225_600  # 2026-01-01T00:00:00Z
ROUNDS = 6
WRITERS = 3

WORKER = textwrap.dedent(
    """
    import json, sys
    from pathlib import Path
    from covenant.core.model import EventRule
    from covenant.errors import CovenantError
    from covenant.services.ingest import ingest_event_files, open_store

    url, folder, me, rounds = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    engine = open_store(url)
    print("ready", flush=True)
    for r in range(rounds):
        sys.stdin.readline()  # the go signal: every writer gets it at once
        rules = [
            EventRule(series="shared-availability", sli="shared"),
            EventRule(series=f"round{r}-availability", sli=f"round{r}"),
        ]
        try:
            (report,) = ingest_event_files(
                engine, files=[folder / f"r{r}-w{me}.csv"], rules=rules
            )
            out = {"ingested": report.rows_ingested, "duplicate": report.duplicate}
        except CovenantError as exc:
            out = {"error": f"{exc.code}: {exc}"}
        print(json.dumps(out), flush=True)
    """
)


def write_files(folder: Path, seed: int) -> None:
    rng = random.Random(seed)
    for r in range(ROUNDS):
        for w in range(WRITERS):
            lines = ["timestamp,sli,status"]
            for _ in range(rng.randint(200, 400)):
                sli = rng.choice(["shared", f"round{r}"])
                # the same two UTC days for everyone: every writer merges into the same chunks
                second = rng.randrange(0, 2 * 86400)
                instant = datetime.fromtimestamp(T0 + second).astimezone().isoformat()
                lines.append(f"{instant},{sli},{rng.choice([200, 200, 200, 503])}")
            (folder / f"r{r}-w{w}.csv").write_text("\n".join(lines) + "\n")


def expected(folder: Path) -> dict[str, tuple[Counter[int], Counter[int]]]:
    """Per series, good and total per minute start, read straight from the files."""
    result: dict[str, tuple[Counter[int], Counter[int]]] = {}
    for path in sorted(folder.glob("r*-w*.csv")):
        with path.open(newline="") as handle:
            for row in csv.DictReader(handle):
                epoch = int(datetime.fromisoformat(row["timestamp"]).timestamp())
                minute = epoch - epoch % 60
                good, total = result.setdefault(
                    f"{row['sli']}-availability", (Counter(), Counter())
                )
                total[minute] += 1
                good[minute] += int(row["status"]) < 500
    return result


def run_rounds(url: str, folder: Path) -> list[list[dict[str, object]]]:
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, url, str(folder), str(w), str(ROUNDS)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for w in range(WRITERS)
    ]
    results: list[list[dict[str, object]]] = []
    try:
        for worker in workers:
            assert worker.stdout is not None
            assert worker.stdout.readline().strip() == "ready"
        for _ in range(ROUNDS):
            for worker in workers:
                assert worker.stdin is not None
                worker.stdin.write("go\n")
                worker.stdin.flush()
            results.append(
                [json.loads(worker.stdout.readline()) for worker in workers if worker.stdout]
            )
        for worker in workers:
            _, err = worker.communicate(timeout=120)
            assert worker.returncode == 0, err
            assert "Traceback" not in err, err
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.kill()
            worker.communicate()
    return results


@pytest.mark.parametrize("seed", [1])
def test_concurrent_ingests_lose_no_event(engine: Engine, tmp_path: Path, seed: int) -> None:
    write_files(tmp_path, seed)
    want = expected(tmp_path)
    url = engine.url.render_as_string(hide_password=False)
    results = run_rounds(url, tmp_path)

    sizes = {
        (r, w): (tmp_path / f"r{r}-w{w}.csv").read_text().count("\n") - 1
        for r in range(ROUNDS)
        for w in range(WRITERS)
    }
    for r, round_results in enumerate(results):
        assert round_results == [
            {"ingested": sizes[(r, w)], "duplicate": False} for w in range(WRITERS)
        ]
    keys = sorted(want)
    assert len(keys) == ROUNDS + 1
    with engine.connect() as conn:
        matrix = buckets.read_matrix(conn, keys=keys, start=T0, end=T0 + 2 * 86400)
        batches = [buckets.find_batch(conn, sha256=_sha(p)) for p in tmp_path.glob("r*.csv")]
        totals = buckets.batch_totals(conn)
    assert all(batch is not None for batch in batches)
    # the running totals /metrics reads: every writer's batch added once, the first round's
    # concurrent first batches included (the row is inserted by one and updated by the others)
    assert totals[:3] == (len(sizes), sum(sizes.values()), 0)
    for row, key in enumerate(keys):
        good, total = want[key]
        got_total = {T0 + 60 * i: int(v) for i, v in enumerate(matrix.total[row]) if v}
        got_good = {T0 + 60 * i: int(v) for i, v in enumerate(matrix.good[row]) if v}
        assert got_total == dict(total), key
        assert got_good == {k: v for k, v in good.items() if v}, key
    assert int(matrix.total.sum()) == sum(sizes.values())


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
