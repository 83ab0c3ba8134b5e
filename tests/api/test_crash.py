"""Crash safety of batch ingestion: a client streams keyed batches of events and retries each
until it is answered, while `covenant serve` is killed with SIGKILL at random moments (fixed
seed) and started again, many times. Afterwards every batch is counted exactly once: the
store's bucket counts equal the counts this test derives from the batches it sent itself, and
the store holds one batch record per key. Run on SQLite and on PostgreSQL."""

from __future__ import annotations

import random
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest
import sqlalchemy as sa

from covenant.services.store import open_store
from covenant.store.bucket_reads import read_matrix
from tests.api.served import (
    SERIES,
    SERVICE,
    Served,
    editor_token,
    make_workspace,
    postgres_schema,
    store_url,
)

V1 = "/api/v1"
SEED = 20261201
KILLS = 20
MIN_BATCHES = 60
DAY_START = 1_763_596_800  # 2026-11-20T00:00:00Z
SPAN_S = 3 * 3600  # events fall in 10:00-13:00 of that day
FIRST = DAY_START + 10 * 3600
GIVE_UP_S = 900  # the whole run's bound (a hung server fails the test instead of hanging it)


@dataclass(frozen=True)
class Batch:
    key: str
    events: list[dict[str, Any]]
    good: Counter[int]  # bucket start → good events this batch must add
    total: Counter[int]

    @property
    def accepted(self) -> int:
        return sum(self.total.values())


def make_batch(rng: random.Random, key: str) -> Batch:
    """Events of which the test knows, row by row, which count and which are good: a few
    rows are refused (no timestamp offset, a bad status) or feed no series (another service)."""
    events: list[dict[str, Any]] = []
    good: Counter[int] = Counter()
    total: Counter[int] = Counter()
    for _ in range(rng.randint(1, 1500)):
        at = FIRST + rng.randrange(SPAN_S)
        status = rng.choice((200, 200, 200, 201, 204, 404, 429, 500, 503))
        stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(at))
        roll = rng.random()
        if roll < 0.02:
            events.append({"timestamp": stamp[:-1], "service": SERVICE, "status": status})
        elif roll < 0.04:
            events.append({"timestamp": stamp, "service": SERVICE, "status": "fine"})
        elif roll < 0.07:
            events.append({"timestamp": stamp, "service": "elsewhere", "status": status})
        else:
            events.append({"timestamp": stamp, "service": SERVICE, "status": status})
            bucket = at - at % 60
            total[bucket] += 1
            good[bucket] += status < 500
    return Batch(key=key, events=events, good=good, total=total)


@dataclass
class Killer:
    """Kills the server KILLS times, each at a random moment after it is ready, and starts it
    again; then leaves it running."""

    server: Served
    delays: list[float]
    done: threading.Event = field(default_factory=threading.Event)
    error: BaseException | None = None

    def run(self) -> None:
        try:
            for delay in self.delays:
                self.server.wait_ready()
                time.sleep(delay)
                self.server.kill()
                self.server.start()
            self.server.wait_ready()
        except BaseException as exc:  # reported by the test's thread
            self.error = exc
        finally:
            self.done.set()


@dataclass
class Outcome:
    answers: dict[str, dict[str, Any]] = field(default_factory=dict)
    lost: int = 0  # attempts whose connection broke after the request was sent
    refused: int = 0  # attempts that found no server listening
    repeats: int = 0  # answers 200 with duplicate_of: committed before, answer lost


def send_until_answered(
    client: httpx.Client, batch: Batch, token: str, outcome: Outcome, deadline: float
) -> None:
    while True:
        assert time.monotonic() < deadline, "the batches were not all answered in time"
        try:
            answer = client.put(
                f"{V1}/event-batches/{batch.key}",
                json={"events": batch.events},
                headers={"Authorization": f"Bearer {token}"},
            )
        except httpx.ConnectError:
            outcome.refused += 1
            time.sleep(0.02)
            continue
        except httpx.TransportError:
            outcome.lost += 1
            continue
        assert answer.status_code in (200, 201), answer.text
        body = answer.json()
        outcome.repeats += answer.status_code == 200
        outcome.answers[batch.key] = body
        return


def stored(url: str, *, start: int, end: int) -> tuple[np.ndarray, np.ndarray, int]:
    engine = open_store(url)
    try:
        with engine.connect() as conn:
            matrix = read_matrix(conn, keys=[SERIES], start=start, end=end)
            (batches,) = conn.execute(sa.text("SELECT COUNT(*) FROM ingest_batches")).one()
    finally:
        engine.dispose()
    return matrix.good[0][: (end - start) // 60], matrix.total[0][: (end - start) // 60], batches


@contextmanager
def backend_url(backend: str, request: pytest.FixtureRequest) -> Iterator[str | None]:
    if backend == "sqlite":
        yield None
        return
    with postgres_schema(request.getfixturevalue("postgres_url")) as url:
        yield url


@pytest.mark.parametrize(
    "backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def test_no_acknowledged_batch_is_lost_or_counted_twice_across_sigkills(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    workspace = make_workspace(tmp_path)
    with backend_url(backend, request) as given:
        url = store_url(workspace, given)
        token = editor_token(url)
        server = Served(workspace=workspace, database_url=url, log=tmp_path / "serve.log")
        rng = random.Random(SEED)
        killer = Killer(server, delays=[rng.uniform(0.05, 1.0) for _ in range(KILLS)])
        outcome = Outcome()
        sent: list[Batch] = []
        deadline = time.monotonic() + GIVE_UP_S
        try:
            server.start()
            server.wait_ready()
            thread = threading.Thread(target=killer.run, daemon=True)
            thread.start()
            with httpx.Client(base_url=server.base, timeout=120) as client:
                while not killer.done.is_set() or len(sent) < MIN_BATCHES:
                    batch = make_batch(rng, f"crash-{len(sent):05d}")
                    sent.append(batch)
                    send_until_answered(client, batch, token, outcome, deadline)
                thread.join()
                assert killer.error is None, f"{killer.error!r}: {server.output()}"
                # a client that retries a batch it already has an answer for changes nothing
                for batch in sent[:: max(1, len(sent) // 10)]:
                    again = client.put(
                        f"{V1}/event-batches/{batch.key}",
                        json={"events": batch.events},
                        headers={"Authorization": f"Bearer {token}"},
                    )
                    assert again.status_code == 200, again.text
                    assert again.json()["accepted"] == batch.accepted
            assert server.stop() == 0, server.output()  # graceful: finishes, exits 0
        finally:
            server.close()

        good, total, batches = stored(url, start=FIRST, end=FIRST + SPAN_S)

    print(  # with -s: how the kills landed
        f"\n{backend}: {len(sent)} batches, {outcome.lost} answers lost, "
        f"{outcome.refused} connections refused, {outcome.repeats} repeats answered 200"
    )
    assert server.starts == KILLS + 1
    assert outcome.lost + outcome.refused > 0  # the kills did interrupt the stream
    for batch in sent:  # every answer counts the rows the test knows are countable
        assert outcome.answers[batch.key]["accepted"] == batch.accepted, batch.key
    expected_good = np.zeros(SPAN_S // 60, dtype=np.int64)
    expected_total = np.zeros(SPAN_S // 60, dtype=np.int64)
    for batch in sent:
        for bucket, n in batch.total.items():
            expected_total[(bucket - FIRST) // 60] += n
        for bucket, n in batch.good.items():
            expected_good[(bucket - FIRST) // 60] += n
    assert batches == len(sent)  # one record per key: no batch twice, none missing
    assert int(total.sum()) == sum(b.accepted for b in sent)
    assert np.array_equal(total, expected_total)
    assert np.array_equal(good, expected_good)
