"""Schemathesis against the OpenAPI document served by a started `covenant serve`: requests
generated from the document for every operation, with an admin token and a customer token,
a bounded number of examples per operation and a fixed seed, on a SQLite store and on a
PostgreSQL one (the demo's store copied row by row). None may be answered 5xx."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import schemathesis
import sqlalchemy as sa
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.generation import GenerationMode

from tests.api.support import AT, Shop
from tests.api.test_postgres_api import copy_store
from tests.availability import unavailable
from tests.conftest import POSTGRES_URL
from tests.ports import free_port
from tests.stores import postgres_schemas

V1 = "/api/v1"
EXAMPLES = 12  # per operation and token: bounded, so the suite stays quick
NEGATIVE_EXAMPLES = 8  # per operation, admin token
SEED = 20261201


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def store(request: pytest.FixtureRequest, shop: Shop) -> Iterator[str | None]:
    """The store `covenant serve` uses: the shop's own SQLite (None), or a PostgreSQL copy."""
    if request.param == "sqlite":
        yield None
        return
    engine = sa.create_engine(POSTGRES_URL)
    try:
        with engine.connect():
            pass
    except sa.exc.OperationalError as exc:
        unavailable(f"PostgreSQL unreachable at {POSTGRES_URL}: {exc}")
    finally:
        engine.dispose()
    with postgres_schemas(POSTGRES_URL, prefix="fuzz") as (url,):
        copy_store(shop.settings.database_url, url)  # the demo writes SQLite only
        yield url


@pytest.fixture(scope="module")
def served(shop: Shop, store: str | None) -> Iterator[str]:
    """The shop served by `covenant serve` on loopback; its base URL."""
    port = free_port()
    env = {**os.environ, "COVENANT_NOW": AT.isoformat()}
    if store is not None:
        env["COVENANT_DATABASE_URL"] = store
    command = [str(Path(sys.executable).parent / "covenant"), "serve", "-w", str(shop.workspace)]
    process = subprocess.Popen(
        [*command, "--port", str(port), "--no-worker"],  # the API alone: the worker apart
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60  # a readiness wait, not a timing assertion
        while True:
            try:
                httpx.get(f"{base}/healthz", timeout=5)
                break
            except httpx.TransportError:
                assert process.poll() is None, process.communicate()[1]
                assert time.monotonic() < deadline, "covenant serve did not start in 60 s"
                time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        process.communicate(timeout=30)


def _source_down(answer: Any) -> bool:  # schemathesis' answer (a requests.Response)
    """A 502 that says a DataSource could not be read: the right answer of a route that reads
    the shop's Prometheus (``POST /ingest/prometheus`` with a valid range), which the tests'
    workspace names but nothing serves. Only the API's coded source-error body counts."""
    if answer.status_code != 502:
        return False
    try:
        body = answer.json()
    except ValueError:
        return False
    return isinstance(body, dict) and str(body.get("code", "")).startswith("source-")


@pytest.mark.parametrize("role", ["admin", "customer:globex"])
def test_no_request_the_document_allows_is_answered_5xx(shop: Shop, served: str, role: str) -> None:
    schema = schemathesis.openapi.from_url(f"{served}{V1}/openapi.json")
    headers = {"Authorization": f"Bearer {shop.tokens[role]}"}
    failures: list[str] = []
    statuses: Counter[int] = Counter()
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 50  # the whole document, not a part of it
    for operation in operations:

        @seed(SEED)
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy())
        def check(case: schemathesis.Case) -> None:
            answer = case.call(base_url=served, headers=headers, timeout=60)
            statuses[answer.status_code] += 1
            if answer.status_code >= 500 and not _source_down(answer):
                failures.append(
                    f"{case.method} {case.formatted_path} {case.query} {case.body!r:.300}"
                    f" -> {answer.status_code} {answer.text[:300]}"
                )

        check()
    assert not failures, "\n".join(failures[:20])
    print(role, sorted(statuses.items()))
    ok = sum(n for status, n in statuses.items() if status < 300)
    assert ok > 0  # some requests get through: the fuzzing reaches the routes' code


def test_bad_input_the_document_refuses_is_a_coded_4xx(shop: Shop, served: str) -> None:
    """Schemathesis' negative mode: requests that break the document (a wrong type, a missing
    field, a value out of its range, a body that is not the schema's) for every operation. None
    may be answered 5xx, and every 4xx carries the one error body ``{code, message, hint}``.
    The token is kept valid (a broken one is ``test_every_route_needs_a_token``'s)."""
    schema = schemathesis.openapi.from_url(f"{served}{V1}/openapi.json")
    headers = {"Authorization": f"Bearer {shop.tokens['admin']}"}
    failures: list[str] = []
    statuses: Counter[int] = Counter()
    unbreakable: list[str] = []
    for operation in [result.ok() for result in schema.get_all_operations()]:

        @seed(SEED)
        @settings(
            max_examples=NEGATIVE_EXAMPLES,
            deadline=None,
            database=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy(GenerationMode.NEGATIVE, headers=headers))
        def check(case: schemathesis.Case) -> None:
            answer = case.call(base_url=served, headers=headers, timeout=60)
            statuses[answer.status_code] += 1
            where = f"{case.method} {case.formatted_path} {case.query} {case.body!r:.200}"
            if answer.status_code >= 500 and not _source_down(answer):
                failures.append(f"{where} -> {answer.status_code} {answer.text[:300]}")
            elif answer.status_code >= 400:
                try:
                    body = answer.json()
                except ValueError:
                    body = None
                if not isinstance(body, dict) or not {"code", "message", "hint"} <= set(body):
                    failures.append(f"{where} -> {answer.status_code} body {answer.text[:200]}")

        try:
            check()
        except Unsatisfiable:  # nothing to break: no parameter and no body (GET /me)
            unbreakable.append(f"{operation.method.upper()} {operation.path}")
    assert not failures, "\n".join(failures[:20])
    print("negative", sorted(statuses.items()), "nothing to break:", unbreakable)
    assert sum(n for status, n in statuses.items() if 400 <= status < 500) > 0
