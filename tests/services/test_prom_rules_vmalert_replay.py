"""The generated recording rules evaluated by vmalert against a real VictoriaMetrics record the
counts computed by hand from the same data (what Prometheus records: tests/services/
test_prom_rules_server.py compares it with the engine).

Six hours of counters with known per-minute counts (a reset in the middle) are imported into
VictoriaMetrics; vmalert's replay mode evaluates the example's rules over that past range (one
query_range per rule, step the group's interval), writing each recording back before the next
rule reads it; every recorded sample is then read back (``/api/v1/export``) and compared with
sums of the per-minute counts over the window ending at its instant.
"""

from __future__ import annotations

import json
import subprocess
import urllib.parse
import urllib.request
from collections.abc import Callable
from datetime import UTC, datetime
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

from covenant.definitions.workspace import load_workspace
from covenant.render.prom_rule_file import dump_yaml
from covenant.render.prom_rules import rule_groups
from covenant.services.prom_rules import plan_rules
from tests.promserver import Server

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "prometheus"
T0 = int(datetime(2025, 1, 1, tzinfo=UTC).timestamp())
MINUTES = 360
RESET = 200  # the 200 counter restarts from 0 just before this minute's scrape
#: The recordings replayed (the rest of the group reads only these or the raw counters).
WINDOWS = {"1m": 1, "5m": 5, "1h": 60}
RECORDED = [
    *(f"covenant:sli_{kind}:count{w}" for w in WINDOWS for kind in ("good", "total")),
    "slo:sli_error:ratio_rate5m",
    "slo:sli_error:ratio_rate1h",
]
PERIOD = ["covenant:sli_good:count30d", "covenant:sli_total:count30d"]


def _total(m: int) -> int:
    """Requests in the minute ending at scrape ``m`` (1 … MINUTES)."""
    return 50 + (7 * m) % 31


def _bad(m: int) -> int:
    return _total(m) // 2 if m % 17 == 0 else (m * m) % 11


def _import_lines() -> str:
    lines = []
    good = bad = 0
    for m in range(MINUTES + 1):
        if m:
            good = (0 if m == RESET else good) + _total(m) - _bad(m)
            bad += _bad(m)
        ms = (T0 + 60 * m) * 1000
        lines.append(f'http_requests_total{{job="api",code="200"}} {good} {ms}')
        lines.append(f'http_requests_total{{job="api",code="500"}} {bad} {ms}')
    return "\n".join(lines) + "\n"


def _post(url: str, data: bytes | None = None) -> bytes:
    request = urllib.request.Request(url, data=data, method="POST" if data else "GET")
    with urllib.request.urlopen(request, timeout=60) as response:
        body: bytes = response.read()
    return body


def _exported(server: Server, name: str) -> dict[int, float]:
    """Every stored sample of the recording ``name`` (of the one SLO), by epoch second."""
    query = urllib.parse.urlencode({"match[]": name, "start": T0 - 3600, "end": T0 + 86400})
    rows = [json.loads(line) for line in _post(f"{server.url}/api/v1/export?{query}").splitlines()]
    assert len(rows) <= 1, rows
    if not rows:
        return {}
    (row,) = rows
    assert row["metric"]["sloth_slo"] == "api-availability"
    return {t // 1000: float(v) for t, v in zip(row["timestamps"], row["values"], strict=True)}


def _window(k: int, minutes: int) -> tuple[int, int]:
    """(good, total) of the minutes ending at scrapes k − minutes + 1 … k (from 1)."""
    ms = range(max(1, k - minutes + 1), k + 1)
    total = sum(_total(m) for m in ms)
    return total - sum(_bad(m) for m in ms), total


def _groups(names: set[str]) -> list[dict[str, Any]]:
    """The example SLO's rule groups, only the recordings named (in the generated order)."""
    plan = plan_rules(load_workspace(EXAMPLE), slos=["api-availability"])
    groups = []
    for group in rule_groups(plan.targets):
        chosen = [r for r in group["rules"] if r.get("record") in names]
        if chosen:
            groups.append({**group, "rules": chosen})
    assert sorted(r["record"] for g in groups for r in g["rules"]) == sorted(names)
    return groups


def _replay(
    vmalert: str, server: Server, groups: list[dict[str, Any]], workdir: Path, *flags: str
) -> str:
    """Load the counters into ``server`` and replay ``groups`` over them (vmalert's output).

    Each rule is replayed alone, in the groups' order, and its recordings flushed before the
    next one reads them: vmalert's ``-replay.rulesDelay`` only waits, and on a loaded machine
    a rule read its input before it was searchable (a 5m window of nothing)."""
    _post(f"{server.url}/api/v1/import/prometheus", _import_lines().encode())
    _post(f"{server.url}/internal/force_flush")
    stamp = "%Y-%m-%dT%H:%M:%SZ"
    said = []
    for n, (group, rule) in enumerate((g, r) for g in groups for r in g["rules"]):
        rule_file = workdir / f"rules-{n}.yml"
        rule_file.write_text(dump_yaml({"groups": [{**group, "rules": [rule]}]}), "utf-8")
        done = subprocess.run(
            [
                vmalert,
                f"-rule={rule_file}",
                f"-datasource.url={server.url}",
                f"-remoteWrite.url={server.url}",
                f"-replay.timeFrom={datetime.fromtimestamp(T0, UTC).strftime(stamp)}",
                f"-replay.timeTo={datetime.fromtimestamp(T0 + MINUTES * 60, UTC).strftime(stamp)}",
                "-replay.disableProgressBar",
                "-remoteWrite.flushInterval=500ms",
                *flags,
            ],
            capture_output=True,
            text=True,
            check=False,
            timeout=300,
            cwd=workdir,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        _post(f"{server.url}/internal/force_flush")
        said.append(done.stdout + done.stderr)
    return "".join(said)


@pytest.fixture(scope="module")
def replayed(tmp_path_factory: pytest.TempPathFactory) -> Any:
    from tests.promserver import binary, start_victoria_metrics  # noqa: PLC0415

    vmalert = binary("vmalert")
    workdir = tmp_path_factory.mktemp("vmalert")
    server = start_victoria_metrics(workdir)
    try:
        groups = _groups({*RECORDED, *PERIOD})
        # vmalert 1.79 steps a replay by -datasource.queryStep (5m unless set), not by the
        # group's interval; 0 steps by the interval (test_the_default_replay_step_is_5m)
        output = _replay(vmalert, server, groups, workdir, "-datasource.queryStep=0")
        yield server, output
    finally:
        server.stop()


def test_the_replay_records_every_minute_of_the_range(replayed: Any) -> None:
    server, output = replayed
    instants = _exported(server, "covenant:sli_total:count1m")
    assert sorted(instants) == [T0 + 60 * k for k in range(1, MINUTES + 1)], output


@pytest.mark.parametrize("window", sorted(WINDOWS))
def test_window_counts_are_the_minutes_summed_by_hand(replayed: Any, window: str) -> None:
    server, _ = replayed
    good = _exported(server, f"covenant:sli_good:count{window}")
    total = _exported(server, f"covenant:sli_total:count{window}")
    expected = {T0 + 60 * k: _window(k, WINDOWS[window]) for k in range(1, MINUTES + 1)}
    assert {t: (good[t], total[t]) for t in total} == expected


@pytest.mark.parametrize("window", ["5m", "1h"])
def test_error_ratios_are_the_bad_share_computed_by_hand(replayed: Any, window: str) -> None:
    server, _ = replayed
    found = _exported(server, f"slo:sli_error:ratio_rate{window}")
    assert sorted(found) == [T0 + 60 * k for k in range(1, MINUTES + 1)]
    for t, value in found.items():
        good, total = _window((t - T0) // 60, WINDOWS[window])
        assert Fraction(value).limit_denominator(10**6) == Fraction(total - good, total), t


def test_the_period_counts_sum_every_minute_so_far(replayed: Any) -> None:
    """The SLO window's counts (30 days, the 5-minute meta group): every minute up to then."""
    server, _ = replayed
    good = _exported(server, "covenant:sli_good:count30d")
    total = _exported(server, "covenant:sli_total:count30d")
    assert total, "no period count recorded"
    assert all((t - T0) % 60 == 0 for t in total)
    expected = {t: _window((t - T0) // 60, 30 * 1440) for t in total}
    assert {t: (good[t], total[t]) for t in total} == expected


def test_the_default_replay_step_is_5m(
    vmalert: str, victoria_metrics: Callable[..., Server], tmp_path: Path
) -> None:
    """What docs/prometheus-rules.md warns of: without ``-datasource.queryStep``, vmalert 1.79's
    replay evaluates a 1-minute group every 5 minutes (its default query step overrides the
    interval), so the 1-minute counts of four minutes in five are never recorded and every
    window sum over them undercounts (the 5-minute count is one minute's count). vmalert
    evaluating live runs each group at its interval; only the replay is affected."""
    server = victoria_metrics()
    names = {"covenant:sli_total:count1m", "covenant:sli_total:count5m"}
    _replay(vmalert, server, _groups(names), tmp_path)
    minutes = _exported(server, "covenant:sli_total:count1m")
    assert sorted(minutes) == [T0 + 300 * k for k in range(1, MINUTES // 5 + 1)]
    assert minutes == {t: _total((t - T0) // 60) for t in minutes}
    assert _exported(server, "covenant:sli_total:count5m") == minutes


def test_after_the_series_stop_the_minute_count_is_zero_for_four_minutes(replayed: Any) -> None:
    """The lookback, as vmalert evaluating live asks (an instant query, step 5m): once the
    counters' series stop, the generated minute count reads 0 at the next four minutes and is
    absent from the fifth, as on Prometheus 3 (left-open range); Prometheus 2.42 (closed at both
    ends) still reads 0 at the fifth. The window sums only add zeros; ``absent(…)`` in a no-data
    alert starts one minute earlier than on Prometheus 2.42."""
    server, _ = replayed
    plan = plan_rules(load_workspace(EXAMPLE), slos=["api-availability"])
    (minute,) = [
        r["expr"]
        for g in rule_groups(plan.targets)
        for r in g["rules"]
        if r.get("record") == "covenant:sli_total:count1m"
    ]
    end = T0 + MINUTES * 60
    found = {
        k: [float(s["value"][1]) for s in server.query(minute, end + 60 * k)] for k in range(7)
    }
    assert found == {0: [_total(MINUTES)], 1: [0], 2: [0], 3: [0], 4: [0], 5: [], 6: []}
