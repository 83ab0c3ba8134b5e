"""``covenant import pyrra|sloth --split-groups`` against a real Prometheus.

Counters with known per-minute increments are backfilled for three handlers (one holding a
quote and a backslash) and for series without a handler label; the import asks the server
which handlers exist and writes one SLO per handler. The queries written are compared with
the ones derived by hand here, and one split SLO is evaluated through ``covenant evaluate
--read``: its counts are that handler's increments, summed here.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from covenant.cli.main import app
from covenant.definitions.importers.base import Options
from covenant.definitions.yamlsource import read_text
from covenant.errors import DefinitionError
from covenant.services.import_split import split_source
from tests.ports import free_port
from tests.promserver import Sample, Server, openmetrics_text
from tests.sources.promfake import Answer, fake_prometheus

START = 1_700_000_000 - 1_700_000_000 % 3600  # an hour boundary
STEP = 60
MINUTES = 30
END = START + MINUTES * STEP
WEIRD = 'we"ird\\path'  # a quote and a backslash: escaped in the written matchers
HANDLERS = ("/api/v1/query", "/api/v1/query_range", WEIRD, "")  # "": no handler label


def stamp(at: int) -> str:
    from datetime import UTC, datetime  # noqa: PLC0415

    return datetime.fromtimestamp(at, UTC).isoformat().replace("+00:00", "Z")


def increments(handler: int, code: str) -> list[int]:
    """Events per minute of one handler and code (uneven; 500s in some minutes only)."""
    if code == "200":
        return [(minute * 7 + handler * 3) % 11 for minute in range(MINUTES)]
    return [handler + 1 if (minute + handler) % 4 == 0 else 0 for minute in range(MINUTES)]


def samples() -> list[Sample]:
    found = []
    for index, handler in enumerate(HANDLERS):
        for code in ("200", "500"):
            labels = {"code": code, **({"handler": handler} if handler else {})}
            value = 0
            for minute in range(MINUTES + 1):
                found.append(Sample("http_requests_total", labels, value, START + minute * STEP))
                if minute < MINUTES:
                    value += increments(index, code)[minute]
    for host, failed in (("a", [1, 0, 2]), ("b", [0, 0, 1])):
        for status, per in (("failed", failed), ("done", [5, 4, 3])):
            labels = {"host": host, "status": status}
            value = 0
            for minute in range(MINUTES + 1):
                found.append(Sample("queue_jobs_total", labels, value, START + minute * STEP))
                value += per[minute % 3]
    return found


@pytest.fixture
def server(prometheus: Callable[..., Server]) -> Server:
    return prometheus(
        openmetrics=openmetrics_text(samples(), counters=["http_requests", "queue_jobs"])
    )


PYRRA = """\
apiVersion: pyrra.dev/v1alpha1
kind: ServiceLevelObjective
metadata:
  name: api-errors
  namespace: shop
spec:
  target: "99"
  window: 7d
  indicator:
    ratio:
      errors:
        metric: http_requests_total{code=~"5.."}
      total:
        metric: http_requests_total
      grouping:
        - handler
"""

SLOTH = """\
version: prometheus/v1
service: queue
slos:
  - name: jobs
    objective: 99
    sli:
      events:
        error_query: sum(rate(queue_jobs_total{status="failed"}[{{.window}}])) by (host)
        total_query: sum by (host) (rate(queue_jobs_total[{{.window}}]))
    alerting:
      page_alert: {disable: true}
      ticket_alert: {disable: true}
"""


def run(args: list[str]) -> Any:
    return CliRunner().invoke(app, args)


def import_split(tmp_path: Path, tool: str, text: str, url: str, *more: str) -> Any:
    """``covenant import TOOL <text's file> --into tmp_path/ws --split-groups
    --prometheus-url URL MORE…`` (the file is named ``api.yaml``, or ``queue.yaml`` for Sloth)."""
    source = tmp_path / ("queue.yaml" if tool == "sloth" else "api.yaml")
    source.write_text(text, encoding="utf-8")
    args = ["import", tool, str(source), "--into", str(tmp_path / "ws"), "--split-groups"]
    return run([*args, "--prometheus-url", url, *more])


def slos(path: Path) -> dict[str, dict[str, Any]]:
    docs = [d for d in yaml.safe_load_all(path.read_text(encoding="utf-8")) if d]
    return {d["metadata"]["name"]: d for d in docs if d["kind"] == "SLO"}


def queries(document: dict[str, Any]) -> dict[str, str]:
    ratio = document["spec"]["indicator"]["spec"]["ratioMetric"]
    return {
        role: ratio[role]["metricSource"]["spec"]["query"]
        for role in ("good", "bad", "total")
        if role in ratio
    }


def test_pyrra_grouping_is_split_per_handler_and_each_slo_counts_its_handler_only(
    server: Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COVENANT_NOW", stamp(END))
    ws = tmp_path / "ws"
    done = import_split(tmp_path, "pyrra", PYRRA, server.url, "--format", "json")
    assert done.exit_code == 0, done.output
    written = slos(ws / "pyrra-api.yaml")
    assert queries(written["api-errors-api-v1-query"]) == {
        "bad": 'sum(http_requests_total{code=~"5..",handler="/api/v1/query"})',
        "total": 'sum(http_requests_total{handler="/api/v1/query"})',
    }
    assert queries(written["api-errors-api-v1-query-range"]) == {
        "bad": 'sum(http_requests_total{code=~"5..",handler="/api/v1/query_range"})',
        "total": 'sum(http_requests_total{handler="/api/v1/query_range"})',
    }
    assert queries(written["api-errors-we-ird-path"]) == {
        "bad": 'sum(http_requests_total{code=~"5..",handler="we\\"ird\\\\path"})',
        "total": 'sum(http_requests_total{handler="we\\"ird\\\\path"})',
    }
    assert queries(written["api-errors-none"]) == {  # series without the label
        "bad": 'sum(http_requests_total{code=~"5..",handler=""})',
        "total": 'sum(http_requests_total{handler=""})',
    }
    assert set(written) == {
        "api-errors-api-v1-query",
        "api-errors-api-v1-query-range",
        "api-errors-we-ird-path",
        "api-errors-none",
    }
    assert written["api-errors-we-ird-path"]["metadata"]["displayName"] == (
        f"api-errors (handler={WEIRD})"
    )
    report = json.loads(done.stdout)["files"][0]
    split = [n["reason"] for n in report["notes"] if n["field"] == "spec.indicator.ratio.grouping"]
    assert len(split) == 1
    assert split[0].startswith("split by (handler) into 4 SLO(s)")
    assert server.url in split[0]
    assert stamp(END) in split[0]
    assert "appears later is not covered" in split[0]
    assert "--force" in split[0]
    assert run(["validate", str(ws)]).exit_code == 0

    evaluated = run(["evaluate", "-w", str(ws), "--at", stamp(END), "--format", "json", "--read"])
    assert evaluated.exit_code == 0, evaluated.output
    results = {r["slo"]: (r["good"], r["total"]) for r in json.loads(evaluated.stdout)["results"]}
    weird = HANDLERS.index(WEIRD)
    bad, ok = sum(increments(weird, "500")), sum(increments(weird, "200"))
    assert results["api-errors-we-ird-path"] == (ok, ok + bad)
    absent = HANDLERS.index("")
    bad, ok = sum(increments(absent, "500")), sum(increments(absent, "200"))
    assert results["api-errors-none"] == (ok, ok + bad)


def test_sloth_by_host_is_split_per_host(
    server: Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COVENANT_NOW", stamp(END))
    ws = tmp_path / "ws"
    done = import_split(tmp_path, "sloth", SLOTH, server.url)
    assert done.exit_code == 0, done.output
    written = slos(ws / "sloth-queue.yaml")
    assert set(written) == {"jobs-a", "jobs-b"}
    assert queries(written["jobs-a"]) == {
        "bad": 'sum(increase(queue_jobs_total{status="failed",host="a"}[{{.window}}]))',
        "total": 'sum(increase(queue_jobs_total{host="a"}[{{.window}}]))',
    }
    assert queries(written["jobs-b"])["total"] == (
        'sum(increase(queue_jobs_total{host="b"}[{{.window}}]))'
    )
    assert written["jobs-b"]["metadata"]["displayName"] == "queue jobs (host=b)"
    assert "split by (host) into 2 SLO(s)" in done.output
    evaluated = run(["evaluate", "-w", str(ws), "--at", stamp(END), "--format", "json", "--read"])
    assert evaluated.exit_code == 0, evaluated.output
    results = {r["slo"]: (r["good"], r["total"]) for r in json.loads(evaluated.stdout)["results"]}
    failed = sum([0, 0, 1][m % 3] for m in range(MINUTES))  # host b's
    done_b = sum([5, 4, 3][m % 3] for m in range(MINUTES))
    assert results["jobs-b"] == (done_b, done_b + failed)


def test_no_series_on_the_server_keeps_the_one_slo_and_says_so(
    server: Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COVENANT_NOW", stamp(END))
    ws = tmp_path / "ws"
    done = import_split(
        tmp_path, "pyrra", PYRRA.replace("http_requests_total", "absent_total"), server.url
    )
    assert done.exit_code == 0, done.output
    written = slos(ws / "pyrra-api.yaml")
    assert list(written) == ["api-errors"]
    assert queries(written["api-errors"])["total"] == "sum(absent_total)"
    assert f"{server.url} had no series" in done.output
    assert "kept as one SLO over all groups" in done.output


def test_an_unreachable_server_writes_nothing(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    ws = tmp_path / "ws"
    done = import_split(tmp_path, "pyrra", PYRRA, url)
    assert done.exit_code == 1
    assert "[source-unreachable]" in done.output or "source-unreachable" in done.output
    assert "--split-groups" in done.output
    assert "nothing was written" in done.output
    assert not ws.exists()


def test_split_groups_needs_the_server_url(tmp_path: Path) -> None:
    source = tmp_path / "api.yaml"
    source.write_text(PYRRA, encoding="utf-8")
    done = run(["import", "pyrra", str(source), "--into", str(tmp_path / "ws"), "--split-groups"])
    assert done.exit_code == 2
    assert "--split-groups needs --prometheus-url" in done.output
    assert not (tmp_path / "ws").exists()


def test_a_query_that_cannot_be_rewritten_is_not_split_and_the_server_not_asked(
    tmp_path: Path,
) -> None:
    source = tmp_path / "queue.yaml"
    source.write_text(
        SLOTH.replace("by (host)", "without (instance)", 1).replace(
            "sum by (host)", "sum without (instance)"
        ),
        encoding="utf-8",
    )
    ws = tmp_path / "ws"
    url = f"http://127.0.0.1:{free_port()}"  # nothing listens: it must not be asked
    done = run(
        [
            "import",
            "sloth",
            str(source),
            "--into",
            str(ws),
            "--split-groups",
            "--prometheus-url",
            url,
        ]
    )
    assert done.exit_code == 0, done.output
    assert list(slos(ws / "sloth-queue.yaml")) == ["jobs"]
    assert "--split-groups: not split (error_query:" in done.output


@pytest.mark.parametrize(
    ("status", "body", "code", "said"),
    [
        (
            400,
            b'{"status":"error","errorType":"bad_data","error":"parse error"}',
            "source-refused",
            "parse error",
        ),
        (200, b"<html>login</html>", "source-bad-answer", "not JSON"),
        (
            200,
            b'{"status":"success","data":{"resultType":"matrix","result":[]}}',
            "source-bad-answer",
            "not a vector",
        ),
        (
            200,
            b'{"status":"success","data":{"resultType":"vector","result":[{"value":[1,"1"]}]}}',
            "source-bad-answer",
            "no labels",
        ),
        (
            200,
            b'{"status":"success","warnings":["store down"],'
            b'"data":{"resultType":"vector","result":[]}}',
            "source-bad-answer",
            "store down",
        ),
    ],
)
def test_an_error_answer_or_garbage_writes_nothing_and_keeps_what_was_there(
    tmp_path: Path, status: int, body: bytes, code: str, said: str
) -> None:
    source = tmp_path / "api.yaml"
    source.write_text(PYRRA, encoding="utf-8")
    ws = tmp_path / "ws"
    first = run(["import", "pyrra", str(source), "--into", str(ws)])
    assert first.exit_code == 0, first.output
    before = (ws / "pyrra-api.yaml").read_text(encoding="utf-8")
    args = ["import", "pyrra", str(source), "--into", str(ws), "--split-groups", "--force"]
    with fake_prometheus(lambda form, _: Answer(status=status, body=body)) as fake:
        done = run([*args, "--prometheus-url", fake.url])
        assert fake.requests[0][0]["query"].startswith("group by (handler) (last_over_time(")
    assert done.exit_code == 1
    assert code in done.output
    assert said in done.output
    assert "nothing was written" in done.output
    assert (ws / "pyrra-api.yaml").read_text(encoding="utf-8") == before
    assert sorted(p.name for p in ws.iterdir()) == ["pyrra-api.yaml"]


def test_a_workspace_datasource_with_an_invalid_name_is_refused_not_asked() -> None:
    """A DataSource whose only fault is its name is checked through (its other problems are
    said), but ``--split-groups`` does not ask its server: the name's error is raised."""
    text = (
        "apiVersion: openslo/v1\nkind: DataSource\nmetadata: {name: Prom_1}\n"
        "spec: {type: Prometheus, connectionDetails: {url: 'http://127.0.0.1:1'}}\n"
    )
    docs, _ = read_text(text, file="sources.yaml")
    with pytest.raises(DefinitionError) as raised:
        split_source(docs, options=Options(datasource="Prom_1"))
    assert [p.code for p in raised.value.problems] == ["invalid-name"]
