"""A Prometheus that is down, slow, partial or answers garbage gives a coded source error, never
good or bad events; retries with backoff; what was read before a failure stays and the SLO
shows "no data (stale)" with the reason (a local fake server plays the misbehaving Prometheus)."""

from __future__ import annotations

import base64
import json
import re
from datetime import UTC, datetime
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy.engine import Engine

from covenant.core.model import Objective, RollingWindow
from covenant.core.promql import PrometheusSource, SeriesQueries
from covenant.core.results import Status
from covenant.core.timeutil import from_epoch
from covenant.errors import (
    SourceAnswerError,
    SourceCredentialsError,
    SourceError,
    SourceRefusedError,
    SourceUnreachableError,
)
from covenant.services.evaluate import evaluate_objectives
from covenant.services.prometheus import WORKERS, ReadReport, ingest_prometheus
from covenant.services.store import open_store
from covenant.sources.prometheus.client import PrometheusClient
from covenant.sources.prometheus.reads import read_counts
from covenant.store import buckets
from tests.ports import free_port
from tests.sources.promfake import Answer, fake_prometheus, instants, matrix

T0 = 1_790_000_000 - 1_790_000_000 % 86400
# {{.window}} queries read with query_range (a counter's selector is read as samples: below)
GOOD = "sum(sum_over_time(good_count[{{.window}}]))"
TOTAL = "sum(sum_over_time(total_count[{{.window}}]))"


def source(url: str, **options: object) -> PrometheusSource:
    return PrometheusSource(name="metrics", url=url, **options)  # type: ignore[arg-type]


def queries(url: str, **options: object) -> SeriesQueries:
    return SeriesQueries(
        series="api",
        slos=("api",),
        sli="api",
        source=source(url, **options),
        good=GOOD,
        total=TOTAL,
    )


def counts_answer(good: int = 3, total: int = 4) -> object:
    """Every instant asked for: ``good`` for the good query, ``total`` for the total one."""

    def respond(form: dict[str, str], _: dict[str, str]) -> Answer:
        value = good if form["query"].startswith("sum(sum_over_time(good") else total
        return matrix({t: str(value) for t in instants(form)})

    return respond


def read(client: PrometheusClient, url: str, *, minutes: int = 3) -> list[object]:
    return list(read_counts(client, queries(url), start=T0, end=T0 + minutes * 60, step=60))


def client(url: str, sleeps: list[float] | None = None, **options: object) -> PrometheusClient:
    pauses = sleeps if sleeps is not None else []
    return PrometheusClient(source(url, **options), sleep=pauses.append, env={})


def test_a_server_that_is_down_is_unreachable_after_backing_off() -> None:
    url = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    sleeps: list[float] = []
    with pytest.raises(SourceUnreachableError, match="did not answer after 3 attempts") as caught:
        read(client(url, sleeps), url)
    assert sleeps == [0.5, 1.0]
    assert caught.value.code == "source-unreachable"


def test_a_slow_server_is_unreachable_within_the_timeout() -> None:
    with fake_prometheus(lambda form, _: Answer(body=b"{}", delay_s=2.0)) as fake:
        with pytest.raises(SourceUnreachableError, match=r"no answer within 0\.2s"):
            read(client(fake.url, timeout_s=0.2), fake.url)
        assert fake.asked(3) == 3


def test_an_answer_still_arriving_when_the_timeout_is_past_is_given_up() -> None:
    """A server (or a proxy) that sends its answer a byte at a time, each byte well within the
    timeout, held `covenant ingest prometheus` for as long as it kept sending: httpx's timeout
    is per read, not per answer. Here a whole answer would take 400 × 25 ms (10 s) against a
    timeout of 0.3 s: it is given up, as a server that does not answer is, never read."""

    def respond(form: dict[str, str], _: dict[str, str]) -> Answer:
        whole = matrix(dict.fromkeys(instants(form), "1")).body
        return Answer(body=b" " * (400 - len(whole)) + whole, dribble_s=0.025)

    with fake_prometheus(respond) as fake:
        with pytest.raises(SourceUnreachableError) as caught:
            read(client(fake.url, timeout_s=0.3), fake.url, minutes=1)
        assert fake.asked(3) == 3
    assert "did not answer after 3 attempts: the answer was still arriving after 0.3s" in (
        caught.value.message
    )


def test_a_partial_answer_with_warnings_is_refused() -> None:
    def respond(form: dict[str, str], _: dict[str, str]) -> Answer:
        return matrix(dict.fromkeys(instants(form), "1"), warnings=["store eu-1 unavailable"])

    with fake_prometheus(respond) as fake, pytest.raises(SourceAnswerError, match="eu-1"):
        read(client(fake.url), fake.url)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"<html>login</html>", "not JSON"),
        (b'{"status": "success", "data": {"resultType": "vector", "result": []}}', "not a matrix"),
        (
            b'{"status": "success", "data": {"resultType": "matrix", '
            b'"result": [{"values": [[1]]}]}}',
            "not \\[time",
        ),
        (b"[1, 2]", "not a JSON object"),
    ],
)
def test_garbage_is_refused(body: bytes, message: str) -> None:
    with (
        fake_prometheus(lambda form, _: Answer(body=body)) as fake,
        pytest.raises(SourceAnswerError, match=message),
    ):
        read(client(fake.url), fake.url)


@pytest.mark.parametrize("cut", [0.3, 0.5, 0.9])
def test_an_answer_cut_short_is_said_so_not_called_a_proxys_page(cut: float) -> None:
    """A matrix answer that ends early (a proxy's size limit, a server killed mid-answer)
    was "something that is not JSON … check that url is the query API … (not a UI or a
    proxy's error page)": the url was right, the answer was cut."""

    def respond(form: dict[str, str], _: dict[str, str]) -> Answer:
        whole = matrix(dict.fromkeys(instants(form), "1")).body
        return Answer(body=whole[: int(len(whole) * cut)])

    with fake_prometheus(respond) as fake, pytest.raises(SourceAnswerError) as caught:
        read(client(fake.url), fake.url, minutes=30)
    assert "not JSON" not in caught.value.message
    assert "answered JSON cut short after " in caught.value.message
    assert caught.value.hint.startswith("the answer stopped part-way: ")


def test_a_garbage_answer_names_the_query_as_written_and_its_range_as_utc_times() -> None:
    good = r'sum(sum_over_time(good_count{code=~"5\d\d"}[{{.window}}]))'  # PromQL's own \\
    bad = b'{"status": "success", "data": {"resultType": "matrix", "result": [{"values": [[1]]}]}}'
    with fake_prometheus(lambda form, _: Answer(body=bad)) as fake:
        reads = SeriesQueries(
            series="api", slos=("api",), sli="api", source=source(fake.url), good=good, total=TOTAL
        )
        with pytest.raises(SourceAnswerError) as caught:
            list(read_counts(client(fake.url), reads, start=T0, end=T0 + 180, step=60))
    message = str(caught.value)
    # the query between quotes exactly as the file has it (repr doubled each backslash), and
    # the range as UTC instants (T0 is 2026-09-21T00:00:00Z), not epoch seconds
    assert r"""query 'sum(sum_over_time(good_count{code=~"5\d\d"}[1m]))' from """ in message
    assert re.search(r" from 2026-09-2\dT\d\d:\d\d:00Z to 2026-09-21T00:0\d:00Z:", message)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("2.5", "not a whole number of events"),
        ("NaN", "not a count"),
        ("+Inf", "not a count"),
        ("-1", "not a count"),
    ],
)
def test_a_value_that_is_not_an_exact_count_is_refused_never_rounded(
    value: str, message: str
) -> None:
    def respond(form: dict[str, str], _: dict[str, str]) -> Answer:
        return matrix(dict.fromkeys(instants(form), value))

    with (
        fake_prometheus(respond) as fake,
        pytest.raises(SourceAnswerError, match=message) as caught,
    ):
        read(client(fake.url), fake.url)
    if value == "2.5":
        assert "Covenant counts from its samples" in caught.value.hint
        # the value as written and the instant as a UTC time, no numpy repr or epoch
        assert re.search(r"gave 2\.5 at \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ, ", str(caught.value))
    else:  # as Prometheus writes it, not Python's nan / inf / -1.0
        assert f"gave {value} at " in str(caught.value)


def test_good_above_total_and_several_series_are_refused() -> None:
    with (
        fake_prometheus(counts_answer(good=5, total=4)) as fake,
        pytest.raises(SourceAnswerError, match="good 5 exceeds total 4"),
    ):
        read(client(fake.url), fake.url)

    def two(form: dict[str, str], _: dict[str, str]) -> Answer:
        one = {"metric": {"a": "1"}, "values": [[t, "1"] for t in instants(form)]}
        body = {"status": "success", "data": {"resultType": "matrix", "result": [one, one]}}
        return Answer(body=json.dumps(body).encode())

    with fake_prometheus(two) as fake, pytest.raises(SourceAnswerError, match="2 series"):
        read(client(fake.url), fake.url)


def test_a_bad_query_is_refused_at_once_with_the_servers_message() -> None:
    body = {"status": "error", "errorType": "bad_data", "error": 'parse error: unexpected "}"'}
    with fake_prometheus(lambda form, _: Answer(400, json.dumps(body).encode())) as fake:
        with pytest.raises(SourceRefusedError, match='bad_data: parse error: unexpected "}"'):
            read(client(fake.url), fake.url)
        assert len(fake.requests) == 1  # a 400 is final: no retry


def test_an_overloaded_server_is_asked_again_and_its_answer_used() -> None:
    calls: list[int] = []

    def respond(form: dict[str, str], headers: dict[str, str]) -> Answer:
        calls.append(1)
        if len(calls) == 1:
            return Answer(503, b"overloaded", "text/plain")
        return counts_answer(good=3, total=4)(form, headers)  # type: ignore[operator]

    sleeps: list[float] = []
    with fake_prometheus(respond) as fake:
        (part,) = read(client(fake.url, sleeps), fake.url)
    assert sleeps == [0.5]
    assert part.good.tolist() == [3, 3, 3]  # type: ignore[attr-defined]
    assert part.total.tolist() == [4, 4, 4]  # type: ignore[attr-defined]


def test_missing_points_are_buckets_without_events_and_instants_are_the_bucket_ends() -> None:
    def respond(form: dict[str, str], _: dict[str, str]) -> Answer:
        assert (int(form["start"]), int(form["end"]), form["step"]) == (T0 + 60, T0 + 180, "60")
        return matrix({T0 + 120: "2"})  # only the bucket [T0 + 60, T0 + 120)

    with fake_prometheus(respond) as fake:
        (part,) = read(client(fake.url), fake.url)
    assert part.total.tolist() == [0, 2, 0]  # type: ignore[attr-defined]


def test_credentials_and_headers_come_from_the_data_source_and_the_environment() -> None:
    with fake_prometheus(counts_answer()) as fake:
        options = {"bearer_token_env": "PROM_TOKEN", "tenant": "team-a", "headers": (("X-A", "1"),)}
        with PrometheusClient(source(fake.url, **options), env={"PROM_TOKEN": "s3cret"}) as c:
            read(c, fake.url, minutes=1)
        _, headers = fake.requests[0]
        assert headers["Authorization"] == "Bearer s3cret"
        assert (headers["X-Scope-OrgID"], headers["X-A"]) == ("team-a", "1")
        basic = {"username_env": "PROM_USER", "password_env": "PROM_PASS"}
        env = {"PROM_USER": "reader", "PROM_PASS": "pw"}
        with PrometheusClient(source(fake.url, **basic), env=env) as c:
            read(c, fake.url, minutes=1)
        _, headers = fake.requests[-1]
        assert headers["Authorization"] == "Basic " + base64.b64encode(b"reader:pw").decode()
    with pytest.raises(SourceCredentialsError, match="PROM_TOKEN is not set"):
        PrometheusClient(source("http://127.0.0.1:1", bearer_token_env="PROM_TOKEN"), env={})
    # set but empty (`PROM_TOKEN= covenant …`, an unset CI secret): not "is not set"
    empty = {"PROM_TOKEN": ""}
    with pytest.raises(SourceCredentialsError) as caught:
        PrometheusClient(source("http://127.0.0.1:1", bearer_token_env="PROM_TOKEN"), env=empty)
    assert caught.value.message == "the environment variable PROM_TOKEN is set but empty"
    assert caught.value.hint.startswith("export PROM_TOKEN=… (the secret itself) before running")


@pytest.mark.parametrize("json_body", [False, True])
def test_a_refusal_that_echoes_the_credentials_never_repeats_them(json_body: bool) -> None:
    """A proxy may echo what it refused (vmauth does); the password and the Basic header's
    value are hidden, and a 400 about auth says to check the credentials."""
    encoded = base64.b64encode(b"reader:pa55word-x").decode()

    def respond(_form: dict[str, str], headers: dict[str, str]) -> Answer:
        said = f"unknown auth {headers['Authorization']} (password pa55word-x) " + "x" * 300
        if json_body:
            body = {"status": "error", "errorType": "bad_data", "error": said}
            return Answer(400, json.dumps(body).encode(), "application/json")
        return Answer(400, said.encode(), "text/plain")

    basic = {"username_env": "PROM_USER", "password_env": "PROM_PASS"}
    env = {"PROM_USER": "reader", "PROM_PASS": "pa55word-x"}
    with (
        fake_prometheus(respond) as fake,
        PrometheusClient(source(fake.url, **basic), env=env) as client,
        pytest.raises(SourceRefusedError) as refused,
    ):
        read(client, fake.url, minutes=1)
    message = str(refused.value)
    assert "unknown auth Basic *** (password ***)" in message
    assert encoded[:8] not in message
    assert "pa55" not in message
    assert "bearerTokenEnv or basicAuth" in refused.value.hint


def _store(tmp_path: Path) -> Engine:
    return open_store(f"sqlite:///{tmp_path / 's.db'}")


def _matrix(engine: Engine, minutes: int) -> tuple[list[int], list[int]]:
    with engine.connect() as conn:
        m = buckets.read_matrix(conn, keys=["api"], start=T0, end=T0 + minutes * 60)
    return m.good[0].tolist(), m.total[0].tolist()


OBJECTIVE = Objective(
    slo="api", name="", series="api", target=Fraction(9, 10), window=RollingWindow(seconds=3600)
)


def test_a_failure_keeps_what_was_read_and_the_slo_shows_stale_with_the_reason(
    engine: Engine,
    tmp_path: Path,
) -> None:
    def respond(form: dict[str, str], _: dict[str, str]) -> Answer:
        if int(form["start"]) > T0 + 600:  # the second part of the range
            return Answer(body=b"<html>proxy error</html>", content_type="text/html")
        value = "3" if form["query"].startswith("sum(sum_over_time(good") else "4"
        return matrix(dict.fromkeys(instants(form), value))

    with fake_prometheus(respond) as fake:
        (report,) = ingest_prometheus(
            engine,
            reads=[queries(fake.url)],
            start=from_epoch(T0),
            end=from_epoch(T0 + 1200),
            max_points=10,
            now=datetime(2026, 12, 1, tzinfo=UTC),
        )
    assert isinstance(report.error, SourceAnswerError)
    assert not report.complete
    assert report.read_until == from_epoch(T0 + 600)
    assert (report.buckets, report.good, report.total) == (10, 30, 40)
    assert _matrix(engine, 20) == ([3] * 10 + [0] * 10, [4] * 10 + [0] * 10)
    (stale,) = evaluate_objectives(
        engine, objectives=[OBJECTIVE], at=from_epoch(T0 + 1200)
    ).evaluations
    assert stale.status is Status.NO_DATA
    assert stale.no_data is not None
    assert stale.no_data.startswith("stale: reading metrics failed at 2026-12-01T00:00:00Z")
    assert "[source-bad-answer]" in stale.no_data
    assert "data up to " + from_epoch(T0 + 600).isoformat().replace("+00:00", "Z") in stale.no_data
    # the same, as fields: which source, which error, when, and where the data ends
    assert stale.stale is not None
    assert (stale.stale.kind, stale.stale.source, stale.stale.code) == (
        "read-failed",
        "metrics",
        "source-bad-answer",
    )
    assert stale.stale.failed_at == datetime(2026, 12, 1, tzinfo=UTC)
    assert stale.stale.data_until == from_epoch(T0 + 600)
    assert stale.stale.held  # its alerts keep their state
    # within what was read the numbers stand; a later read that gets through clears the error
    (before,) = evaluate_objectives(
        engine, objectives=[OBJECTIVE], at=from_epoch(T0 + 600)
    ).evaluations
    assert (before.status, before.good, before.total) == (Status.BREACHED, 30, 40)  # 75 % < 90 %
    with fake_prometheus(counts_answer(good=4, total=4)) as fake:
        (again,) = ingest_prometheus(
            engine, reads=[queries(fake.url)], start=from_epoch(T0 + 600), end=from_epoch(T0 + 1200)
        )
    assert again.complete
    (fresh,) = evaluate_objectives(
        engine, objectives=[OBJECTIVE], at=from_epoch(T0 + 1200)
    ).evaluations
    assert fresh.no_data is None
    assert (fresh.good, fresh.total) == (70, 80)


def test_reading_a_range_again_replaces_its_buckets_and_keeps_the_others(engine: Engine) -> None:
    with fake_prometheus(counts_answer(good=3, total=4)) as fake:
        ingest_prometheus(
            engine, reads=[queries(fake.url)], start=from_epoch(T0), end=from_epoch(T0 + 300)
        )
    with fake_prometheus(counts_answer(good=1, total=2)) as fake:
        for _ in range(2):
            ingest_prometheus(
                engine,
                reads=[queries(fake.url)],
                start=from_epoch(T0 + 120),
                end=from_epoch(T0 + 240),
            )
    assert _matrix(engine, 5) == ([3, 3, 1, 1, 3], [4, 4, 2, 2, 4])


def test_a_range_across_midnight_is_written_into_both_days(engine: Engine) -> None:
    with fake_prometheus(counts_answer(good=0, total=0)) as fake:
        ingest_prometheus(
            engine, reads=[queries(fake.url)], start=from_epoch(T0 - 120), end=from_epoch(T0 + 120)
        )
    with engine.connect() as conn:
        m = buckets.read_matrix(conn, keys=["api"], start=T0 - 120, end=T0 + 120)
    assert np.asarray(m.total).sum() == 0  # nothing but zeros: no day chunk was kept
    with fake_prometheus(counts_answer(good=1, total=1)) as fake:
        ingest_prometheus(
            engine, reads=[queries(fake.url)], start=from_epoch(T0 - 120), end=from_epoch(T0 + 120)
        )
    with engine.connect() as conn:
        m = buckets.read_matrix(conn, keys=["api"], start=T0 - 180, end=T0 + 180)
    assert m.total[0].tolist() == [0, 1, 1, 1, 1, 0]


def test_an_error_is_never_events(engine: Engine) -> None:
    """Whatever the failure, nothing is written for the failed range."""
    for respond in (
        lambda form, _: Answer(500, b"boom", "text/plain"),
        lambda form, _: matrix(dict.fromkeys(instants(form), "1"), warnings=["partial"]),
    ):
        with fake_prometheus(respond) as fake:
            (report,) = ingest_prometheus(
                engine,
                reads=[queries(fake.url)],
                start=from_epoch(T0),
                end=from_epoch(T0 + 300),
                client_for=lambda s: PrometheusClient(s, sleep=lambda _: None),
            )
        assert isinstance(report.error, SourceError)
        assert report.buckets == 0
    assert _matrix(engine, 5) == ([0] * 5, [0] * 5)


WORKSPACE = """\
apiVersion: openslo/v1
kind: DataSource
metadata: {name: metrics}
spec: {type: Prometheus, connectionDetails: {url: "URL", timeout: 5s}}
---
apiVersion: openslo/v1
kind: SLO
metadata: {name: api}
spec:
  service: api
  indicator:
    metadata: {name: api}
    spec:
      ratioMetric:
        counter: true
        good: {metricSource: {metricSourceRef: metrics, spec: {query: good}}}
        total: {metricSource: {metricSourceRef: metrics, spec: {query: total}}}
  timeWindow: [{duration: 1d, isRolling: true}]
  budgetingMethod: Occurrences
  objectives: [{target: 0.9}]
"""


def _cli_workspace(tmp_path: Path, url: str) -> Path:
    (tmp_path / "ws").mkdir()
    (tmp_path / "ws" / "slos.yaml").write_text(WORKSPACE.replace("URL", url))
    return tmp_path / "ws"


def test_the_cli_reports_a_source_error_exits_1_and_evaluate_shows_stale(tmp_path: Path) -> None:
    from typer.testing import CliRunner  # noqa: PLC0415

    from covenant.cli.main import app  # noqa: PLC0415

    ws = _cli_workspace(tmp_path, f"http://127.0.0.1:{free_port()}")
    frm, to = from_epoch(T0).isoformat(), from_epoch(T0 + 600).isoformat()
    args = ["ingest", "prometheus", "-w", str(ws), "--from", frm, "--to", to]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 1
    assert "error [source-unreachable]" in result.stdout
    assert "did not answer after 3 attempts" in result.stdout
    shown = CliRunner().invoke(app, ["evaluate", "-w", str(ws), "--at", to, "--format", "json"])
    (row,) = json.loads(shown.stdout)["results"]
    assert row["status"] == "no_data"
    assert row["no_data"].startswith("stale: reading metrics failed at ")
    stale = row["stale"]
    assert (stale["kind"], stale["source"], stale["code"]) == (
        "read-failed",
        "metrics",
        "source-unreachable",
    )
    assert stale["data_until"] is None  # nothing was read
    table = CliRunner().invoke(app, ["evaluate", "-w", str(ws), "--at", to]).stdout
    (row,) = [line.split() for line in table.splitlines() if line.startswith("api ")]
    assert row[:3] == ["api", "stale", "—"]  # the status column says why there is no SLI
    assert "api: no data: stale: reading metrics failed at " in " ".join(table.split())
    assert stale["failed_at"] is not None
    assert stale["failed_at"].endswith("Z")


def test_the_cli_refuses_an_slo_it_cannot_read_and_says_why(tmp_path: Path) -> None:
    from typer.testing import CliRunner  # noqa: PLC0415

    from covenant.cli.main import app  # noqa: PLC0415

    ws = _cli_workspace(tmp_path, "http://127.0.0.1:1")
    (ws / "slos.yaml").write_text(
        (ws / "slos.yaml").read_text().replace("query: good", "query: 'sum(rate(good[5m]))'")
    )
    args = ["ingest", "prometheus", "-w", str(ws), "--from", "-1h", "--slo", "api"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 1
    assert "SLO 'api' cannot be read from Prometheus" in result.stderr
    assert "cannot count 'sum(rate(good[5m]))'" in result.stderr
    missing = CliRunner().invoke(app, [*args[:-1], "nope"])
    assert missing.exit_code == 1
    assert "no such SLO reads a Prometheus DataSource" in missing.stderr
    typo = CliRunner().invoke(app, [*args[:-1], "apj"])  # as `evaluate --slo` asks
    assert typo.exit_code == 1
    assert "did you mean 'api'?" in typo.stderr


def test_a_partial_victoria_metrics_answer_is_refused() -> None:
    def respond(form: dict[str, str], _: dict[str, str]) -> Answer:
        return matrix(dict.fromkeys(instants(form), "1"), isPartial=True)

    with fake_prometheus(respond) as fake, pytest.raises(SourceAnswerError, match="isPartial"):
        read(client(fake.url), fake.url)


def test_a_ca_file_that_cannot_be_read_is_a_credentials_error(tmp_path: Path) -> None:
    missing = tmp_path / "no-ca.pem"
    with pytest.raises(SourceCredentialsError, match="cannot read caFile"):
        PrometheusClient(source("https://127.0.0.1:1", ca_file=str(missing)), env={})
    not_pem = tmp_path / "ca.pem"
    not_pem.write_text("not a certificate\n")
    with pytest.raises(SourceCredentialsError, match="cannot read caFile"):
        PrometheusClient(source("https://127.0.0.1:1", ca_file=str(not_pem)), env={})


def _hanging_reads(url: str) -> list[SeriesQueries]:
    """12 SLIs, each its own query (read ``WORKERS`` at a time), from ``url``."""
    return [
        SeriesQueries(
            series=name,
            slos=(name,),
            sli=name,
            source=source(url, timeout_s=0.2),
            good=f"sum(sum_over_time(good_{name}[{{{{.window}}}}]))",
            total=f"sum(sum_over_time(total_{name}[{{{{.window}}}}]))",
        )
        for name in (f"sli{i:02d}" for i in range(12))
    ]


def _asked_nothing_more(reports: list[ReadReport], asked: set[str]) -> None:
    """The SLIs in flight when the first query gave up were asked; every other one failed at
    once with that query's error, nothing read."""
    assert all(isinstance(r.error, SourceUnreachableError) for r in reports)
    assert len(asked) <= WORKERS
    later = [r for r in reports if r.series not in asked]
    assert len(later) >= len(reports) - WORKERS
    for r in later:
        assert r.error is not None
        assert "not asked: an earlier query of this command got no answer" in r.error.message
        assert "did not answer after 3 attempts" in r.error.message
        assert "run the command again once it answers" in (r.error.hint or "")
        assert (r.buckets, r.good, r.total) == (0, 0, 0)


def _names(fake: object) -> set[str]:
    return {re.findall(r"sli\d\d", form["query"])[0] for form, _ in fake.requests}  # type: ignore[attr-defined]


def test_a_command_asks_a_source_that_did_not_answer_nothing_more(engine: Engine) -> None:
    """``ingest prometheus`` of 12 SLIs from a server that hangs: the queries in flight get no
    answer after their three attempts, and the SLIs not asked yet are not asked at all — each
    fails at once with the first one's error — so the command costs one query's timeouts, not
    one per SLI (before: all 12 were asked, each three times)."""
    with fake_prometheus(lambda form, _: Answer(body=b"{}", delay_s=2.0)) as fake:
        reports = ingest_prometheus(
            engine,
            reads=_hanging_reads(fake.url),
            start=from_epoch(T0),
            end=from_epoch(T0 + 600),
            client_for=lambda s: PrometheusClient(s, sleep=lambda _: None, env={}),
        )
        asked = _names(fake)
    assert [r.series for r in reports] == [f"sli{i:02d}" for i in range(12)]
    _asked_nothing_more(reports, asked)


def test_evaluate_read_asks_a_source_that_did_not_answer_nothing_more(tmp_path: Path) -> None:
    """The same for ``covenant evaluate --read``'s first read (the catch-up after the
    recordings' witness, which these queries have none of)."""
    from covenant.services.evaluate_read import read_before_evaluating  # noqa: PLC0415

    with fake_prometheus(lambda form, _: Answer(body=b"{}", delay_s=2.0)) as fake:
        reads = _hanging_reads(fake.url)
        objectives = [
            Objective(
                slo=r.series,
                name="",
                series=r.series,
                target=Fraction(9, 10),
                window=RollingWindow(seconds=3600),
            )
            for r in reads
        ]
        reports = read_before_evaluating(
            f"sqlite:///{tmp_path / 'covenant.db'}",
            reads=reads,
            objectives=objectives,
            at=from_epoch(T0 + 3600),
            every=True,
            now=from_epoch(T0 + 3600),
        )
        asked = _names(fake)
    assert sorted(r.series for r in reports) == [f"sli{i:02d}" for i in range(12)]
    _asked_nothing_more(reports, asked)


def test_a_recordings_witness_that_gets_no_answer_leaves_the_sli_to_its_samples(
    tmp_path: Path,
) -> None:
    """A first read by days whose witness queries (range queries at a day's or an hour's
    step) get no answer while the samples are served: the SLI is read from its samples, every
    event counted — the witness is optional, and its failure does not stop the command's
    other queries to the source (it would if it tripped the command's budget)."""
    from covenant.services.evaluate_read import read_before_evaluating  # noqa: PLC0415

    at = T0 + 3 * 86400 + 3600

    def respond(form: dict[str, str], _: dict[str, str]) -> Answer:
        if "step" in form:  # the witness: counters at midnights, recordings, instants
            return Answer(body=b"{}", delay_s=2.0)
        span = int(re.findall(r"\[(\d+)s\]", form["query"])[0])
        end = int(float(form["time"]))
        minutes = range(end - end % 60, end - span, -60)  # every minute boundary in the span
        values = [[m, str((m - T0) // 60)] for m in sorted(minutes)]
        labels = {"__name__": "req_total", "job": "a", "code": "200"}
        result = [{"metric": labels, "values": values}]
        body = {"status": "success", "data": {"resultType": "matrix", "result": result}}
        return Answer(body=json.dumps(body).encode())

    with fake_prometheus(respond) as fake:
        read = SeriesQueries(
            series="a",
            slos=("a",),
            sli="a",
            source=source(fake.url, timeout_s=0.2),
            good='sum(increase(req_total{job="a",code="200"}[{{.window}}]))',
            total='sum(increase(req_total{job="a"}[{{.window}}]))',
        )
        objective = Objective(
            slo="a",
            name="",
            series="a",
            target=Fraction(9, 10),
            window=RollingWindow(seconds=3 * 86400),
        )
        url = f"sqlite:///{tmp_path / 'covenant.db'}"
        reports = read_before_evaluating(
            url,
            reads=[read],
            objectives=[objective],
            at=from_epoch(at),
            every=True,
            now=from_epoch(at),
        )
        witnessed = [form for form, _ in fake.requests if "step" in form]
    assert witnessed  # the witness was asked, and got no answer
    (report,) = reports
    assert report.error is None
    engine = open_store(url)
    try:
        (row,) = evaluate_objectives(engine, objectives=[objective], at=from_epoch(at)).evaluations
    finally:
        engine.dispose()
    # a sample on every minute boundary, one event each: 3 days of minutes
    assert (row.good, row.total) == (3 * 1440, 3 * 1440)


PAGE = b"""<!DOCTYPE HTML>
<html lang="en">
    <head>
        <meta charset="utf-8">
        <title>Error response</title>
    </head>
    <body>
        <h1>Error response</h1>
        <p>Error code: 501</p>
        <p>Message: Unsupported method (&#x27;POST&#x27;).</p>
    </body>
</html>
"""


@pytest.mark.parametrize(
    ("page", "shown"),
    [
        (PAGE, "HTTP 501: an HTML page: Error response"),
        (b"<html><body><h1>Bad &amp; gateway</h1></body></html>", "an HTML page: Bad & gateway"),
        (b"plain\n  words\nhere", "HTTP 501: plain words here"),
    ],
)
def test_an_error_page_is_named_by_its_title_on_one_line(page: bytes, shown: str) -> None:
    """A url that points at another HTTP server (or a proxy's error page) answers HTML: the
    message names the page, not ten lines of markup."""
    with (
        fake_prometheus(lambda *_: Answer(status=501, body=page, content_type="text/html")) as fake,
        pytest.raises(SourceRefusedError) as caught,
    ):
        read(client(fake.url), fake.url)
    said = str(caught.value)
    assert shown in said
    assert "<" not in said
    assert "\n" not in said
