"""Evaluations answered from memory only while nothing was committed to the store: a batch
ingested through the API, counts written by another connection or process, or a changed
definition file show in the very next answer, which equals an evaluation made from scratch."""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from covenant.api.answers import Answers, StoreVersion
from covenant.api.app import create_app
from covenant.render.evaluation import report_json
from covenant.services.ingest import ingest_counts
from covenant.services.selection import evaluate_selected
from covenant.services.store import open_store
from covenant.services.tokens import create_token, revoke_token
from covenant.services.workspace import load_workspace
from covenant.store.db import create_engine_for
from covenant.store.tokens import split_token
from tests.api.served import postgres_schema
from tests.api.support import AT, Client, Shop, make_shop

V1 = "/api/v1"
SLO = "checkout-availability"


@pytest.fixture
def own_shop(tmp_path: Path) -> Shop:
    return make_shop(tmp_path)


def fresh(shop: Shop) -> dict[str, Any]:
    """The evaluation made from scratch: a new engine, the files read again, no memory."""
    engine = open_store(shop.settings.database_url)
    try:
        report = evaluate_selected(
            engine, workspace=load_workspace(shop.workspace), at=AT, slos=[SLO]
        )
    finally:
        engine.dispose()
    return report_json(report.at, report.evaluations, corrected=report.corrected)


def evaluation(client: Client, token: str) -> dict[str, Any]:
    answer = client.get(f"{V1}/evaluations/{SLO}", token)
    assert answer.status_code == 200, answer.text
    found: dict[str, Any] = answer.json()
    return found


def counted(report: dict[str, Any]) -> int:
    (result,) = report["results"]
    return int(result["total"])


def test_every_commit_shows_in_the_next_answer(own_shop: Shop) -> None:
    client = Client(create_app(own_shop.settings, clock=lambda: AT))
    viewer, editor = own_shop.tokens["viewer"], own_shop.tokens["editor"]
    first = evaluation(client, viewer)
    assert evaluation(client, viewer) == first == fresh(own_shop)

    # a batch through the API: 3 requests, 2 of them failed, in the last hour
    stamp = (AT - timedelta(minutes=30)).isoformat().replace("+00:00", "Z")
    rows = [
        {"timestamp": stamp, "service": "checkout", "status": s, "latency_ms": 50}
        for s in (200, 503, 500)
    ]
    put = client.request("PUT", f"{V1}/event-batches/more", editor, json={"events": rows})
    assert put.status_code == 201, put.text
    second = evaluation(client, viewer)
    assert counted(second) == counted(first) + 3
    assert second == fresh(own_shop)

    # counts written by another connection (as another process would)
    engine = open_store(own_shop.settings.database_url)
    start = int((AT - timedelta(minutes=10)).timestamp()) // 60 * 60
    ingest_counts(engine, keys=[SLO], bucket_starts=[start], good=[5], total=[7])
    engine.dispose()
    third = evaluation(client, viewer)
    assert counted(third) == counted(second) + 7
    assert third == fresh(own_shop)

    # a changed definition: the objective's target
    slos = own_shop.workspace / "slos.yaml"
    text = slos.read_text()
    start_of = text.index(f"name: {SLO}\n")
    target = text.index("target:", start_of)
    end = text.index("\n", target)
    slos.write_text(text[:target] + "target: 0.5" + text[end:])
    fourth = evaluation(client, viewer)
    assert fourth["results"][0]["target"] != third["results"][0]["target"]
    assert fourth == fresh(own_shop)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[sa.Engine]:
    if request.param == "sqlite":
        engine = open_store(f"sqlite:///{tmp_path / 'store.db'}")
        yield engine
        engine.dispose()
        return
    with postgres_schema(request.getfixturevalue("postgres_url")) as url:
        engine = create_engine_for(url)
        open_store(url).dispose()
        yield engine
        engine.dispose()


def test_the_store_version_changes_with_every_commit(store: sa.Engine) -> None:
    version = StoreVersion(store)
    try:
        seen = [version.current()]
        for i in range(3):
            ingest_counts(store, keys=["s"], bucket_starts=[60 * i], good=[1], total=[1])
            seen.append(version.current())
        assert None not in seen
        assert len(set(seen)) == len(seen)  # each commit moved it
        if store.dialect.name == "sqlite":  # a private file: nothing else commits
            assert version.current() == seen[-1]
    finally:
        version.close()


def test_an_unknown_version_keeps_nothing(tmp_path: Path) -> None:
    made: list[int] = []
    workspace = load_workspace(make_shop(tmp_path).workspace)
    answers = Answers(size=2)

    def compute() -> int:
        made.append(len(made))
        return made[-1]

    assert answers.get("q", version=None, workspace=workspace, compute=compute) == 0
    assert answers.get("q", version=None, workspace=workspace, compute=compute) == 1
    assert answers.get("q", version=1, workspace=workspace, compute=compute) == 2
    assert answers.get("q", version=1, workspace=workspace, compute=compute) == 2  # kept
    assert answers.get("q", version=2, workspace=workspace, compute=compute) == 3
    for question in ("a", "b"):  # two more questions push "q" out (two kept at most)
        answers.get(question, version=2, workspace=workspace, compute=compute)
    assert answers.get("q", version=2, workspace=workspace, compute=compute) == 6


def test_a_kept_token_is_judged_at_each_request_and_dropped_when_revoked(tmp_path: Path) -> None:
    shop = make_shop(tmp_path)
    now = [AT]
    client = Client(create_app(shop.settings, clock=lambda: now[0]))
    engine = open_store(shop.settings.database_url)
    made = create_token(
        engine,
        role="viewer",
        customer=None,
        expires_at=AT + timedelta(hours=1),
        at=AT,
        customers=[],
    )
    other = shop.tokens["viewer"]
    for _ in range(2):  # looked up, then kept
        assert client.get(f"{V1}/me", made.text).status_code == 200
    now[0] = AT + timedelta(hours=2)  # past its expiry: refused although kept
    expired = client.get(f"{V1}/me", made.text)
    assert (expired.status_code, expired.json()["code"]) == (401, "unauthenticated")
    assert "expired" in expired.json()["message"]
    now[0] = AT
    assert client.get(f"{V1}/me", other).status_code == 200
    found = split_token(other)
    assert found is not None
    revoke_token(engine, token_id=found[0], at=AT)  # by another connection
    engine.dispose()
    revoked = client.get(f"{V1}/me", other)
    assert (revoked.status_code, revoked.json()["code"]) == (401, "unauthenticated")
    assert "revoked" in revoked.json()["message"]


def test_an_edited_file_shows_once_the_definitions_check_is_due(own_shop: Shop) -> None:
    """With ``definitions_check_s`` (``covenant serve --definitions-check``) the files are
    looked at most that often: an edit shows in the first answer after the interval passed,
    on a clock the test moves (never earlier than the files were looked at)."""
    app = create_app(own_shop.settings, clock=lambda: AT, definitions_check_s=5.0)
    ticks = [100.0]
    app.state.covenant.monotonic = lambda: ticks[0]
    client, viewer = Client(app), own_shop.tokens["viewer"]
    first = evaluation(client, viewer)  # the files are looked at (t = 100)

    slos = own_shop.workspace / "slos.yaml"
    text = slos.read_text()
    start_of = text.index(f"name: {SLO}\n")
    target = text.index("target:", start_of)
    end = text.index("\n", target)
    slos.write_text(text[:target] + "target: 0.5" + text[end:])

    ticks[0] = 104.9  # not due yet: the answer kept in memory
    assert evaluation(client, viewer) == first
    ticks[0] = 105.0  # due: the files are looked at, the edit shows
    edited = evaluation(client, viewer)
    assert edited["results"][0]["target"] != first["results"][0]["target"]
    assert edited == fresh(own_shop)
    ticks[0] = 109.9  # looked at 105: the next look is due at 110
    slos.write_text(text)
    assert evaluation(client, viewer) == edited
    ticks[0] = 110.0
    assert evaluation(client, viewer) == first


def _waiting(thread: threading.Thread) -> bool:
    """Whether ``thread`` waits in ``threading.Event.wait`` (another's answer)."""
    frame = sys._current_frames().get(thread.ident or -1)
    while frame is not None:
        if frame.f_code.co_name == "wait" and "threading" in frame.f_code.co_filename:
            return True
        frame = frame.f_back
    return False


@pytest.mark.parametrize("fails", [False, True])
def test_one_question_asked_at_once_is_computed_once(fails: bool) -> None:
    """While one thread computes an answer, another asking the same question at the same
    version waits for it (no second computation); when the first fails, the other computes
    its own."""
    answers = Answers()
    entered, release = threading.Event(), threading.Event()
    made: list[str] = []
    results: dict[str, object] = {}

    def first() -> str:
        entered.set()
        release.wait(60)
        made.append("first")
        if fails:
            raise ValueError("the first computation failed")
        return "first's answer"

    def second() -> str:
        made.append("second")
        return "second's answer"

    def ask(name: str, compute: Any) -> None:
        try:
            results[name] = answers.get("q", version=1, workspace=None, compute=compute)
        except ValueError as error:
            results[name] = error

    one = threading.Thread(target=ask, args=("one", first))
    one.start()
    assert entered.wait(60)
    two = threading.Thread(target=ask, args=("two", second))
    two.start()
    deadline = time.monotonic() + 60  # a wait for the thread to block, not a timing check
    while not _waiting(two):
        assert two.is_alive(), "it computed instead of waiting"
        assert time.monotonic() < deadline
        time.sleep(0.01)
    release.set()
    one.join(60)
    two.join(60)
    if fails:
        assert isinstance(results["one"], ValueError)
        assert (made, results["two"]) == (["first", "second"], "second's answer")
    else:
        assert made == ["first"]
        assert results == {"one": "first's answer", "two": "first's answer"}
