"""``covenant rules prometheus --tests``: promtool unit tests whose expectations come from the
engine replaying the same data (``core.replay``), so passing them shows the rules equal the engine.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np

from covenant.core.alert_scenario import alert_scenario
from covenant.core.model import AlertTier, Objective
from covenant.core.replay import after_pending, replay_alerts, window_counts
from covenant.core.series import BucketMatrix
from covenant.core.timeutil import from_epoch, to_epoch
from covenant.errors import InputError
from covenant.render.prom_rule_file import rules_chunks
from covenant.render.prom_rules import RuleTarget, target_groups
from covenant.render.prom_tests import AlertCheck, TargetTest, WindowCheck, promtool_test_chunks
from covenant.render.prom_windows import LENGTH
from covenant.services.generated_files import write_replacing
from covenant.services.prom_rules import RulePlan

STEP = 60


def with_silence(data: BucketMatrix, o: Objective) -> tuple[BucketMatrix, list[bool]]:
    """``data`` followed by no traffic (zero counts) for the longest short window and a
    quarter of an hour, half an hour of clean traffic, no series at all (absent minute
    counts; counted as zero by the engine) for the shortest short window and a quarter of an
    hour, and half an hour of clean traffic: the no-data alerts fire and resolve."""
    shorts = [t.short_window_s for t in o.alert_tiers]
    zero = (max(shorts) + QUARTER) // STEP
    absent = (min(shorts) + QUARTER) // STEP
    clean = int(data.total[0, -1])
    total = [0] * zero + [clean] * HALF + [0] * absent + [clean] * HALF
    extra = np.array([total], dtype=np.int64)
    matrix = replace(
        data,
        good=np.concatenate((data.good, extra), axis=1),
        total=np.concatenate((data.total, extra), axis=1),
    )
    n = data.total.shape[1]
    missing = [False] * (n + zero + HALF) + [True] * absent + [False] * HALF
    return matrix, missing


QUARTER, HALF = 15 * 60, 30


def no_data_checks(o: Objective, tiers: list[AlertTier], data: BucketMatrix) -> list[AlertCheck]:
    """The engine's no-data alert of each of ``tiers`` (no burn rate in either window, after
    the tier's ``alertAfter``) checked a minute before and at each firing and resolution."""
    ends = np.arange(STEP, data.total.shape[1] * STEP + 1, STEP, dtype=np.int64)
    firing: dict[str, set[int]] = {}
    checks: set[int] = set()
    for tier in tiers:
        rated = np.ones(len(ends), dtype=bool)
        for window_s in (tier.long_window_s, tier.short_window_s):
            rated &= window_counts(o, data, ends=ends, window_s=window_s).has_rate
        fires = after_pending(~rated, ends, tier.for_s)
        at = set(ends[fires].tolist())
        firing[tier.name] = at
        for k in np.flatnonzero(np.diff(fires.astype(np.int8))).tolist():
            checks |= {int(ends[k]), int(ends[k + 1])}
    return [
        AlertCheck(at=at, firing=tuple(t for t in tiers if at in firing[t.name]))
        for at in sorted(checks)
    ]


def target_test(target: RuleTarget) -> TargetTest:
    """The scenario for one objective and what the engine says about it."""
    o = target.objective
    scenario = alert_scenario(o)
    silent = [t for t in o.alert_tiers if target.switch(t).no_data]
    data = scenario.data
    missing: list[bool] = []
    if silent:
        data, missing = with_silence(data, o)
    end = data.total.shape[1] * STEP
    replay = replay_alerts(o, data, start=from_epoch(STEP), end=from_epoch(end), step_s=STEP)
    instants = np.arange(STEP, end + 1, STEP, dtype=np.int64)
    firing: dict[str, set[int]] = {tier.name: set() for tier in o.alert_tiers}
    checks: set[int] = set()
    windows: list[WindowCheck] = []
    for tier_replay, tier in zip(replay.tiers, o.alert_tiers, strict=True):
        for episode in tier_replay.episodes:
            start, stop = _epoch(episode.start), _epoch(episode.end)
            firing[tier.name] |= set(range(start, stop, STEP))
            checks |= {start, stop - STEP} | ({stop} if not episode.ongoing else set())
            if start > STEP:
                checks.add(start - STEP)
            for window_s in (tier.long_window_s, tier.short_window_s):
                counts = window_counts(
                    o, data, ends=np.array([start], dtype=np.int64), window_s=window_s
                )
                events, bad = int(counts.events[0]), int(counts.bad[0])
                windows.append(
                    WindowCheck(at=start, window_s=window_s, good=events - bad, total=events)
                )
    # a tier whose policies say alertWhenBreaching: false has no burn-rate alert: checked
    # absent where the engine fires it
    wanted = [t for t in o.alert_tiers if target.switch(t).breaching]
    alerts = [
        AlertCheck(at=at, firing=tuple(t for t in wanted if at in firing[t.name]))
        for at in sorted(checks)
        if STEP <= at <= int(instants[-1])
    ]
    return TargetTest(
        target=target,
        good=data.good[0].tolist(),
        total=data.total[0].tolist(),
        alerts=alerts,
        windows=windows,
        minutes=int(data.total.shape[1]),
        missing=missing,
        no_data=no_data_checks(o, silent, data) if silent else (),
    )


def _epoch(instant: datetime) -> int:
    return to_epoch(instant)


def tests_rules_path(path: Path) -> Path:
    """Where ``--tests FILE`` writes the rules its tests load: FILE's name with .rules.yml."""
    return path.with_name(path.name.removesuffix(".yml").removesuffix(".yaml") + ".rules.yml")


@dataclass(frozen=True, slots=True, kw_only=True)
class RuleTestChunks:
    """The promtool unit tests of a plan in pieces, made as they are taken: ``tests``, the
    tests file's text, replays one objective at a time (adding its line saying what is
    checked to ``checks``, complete once ``tests`` is exhausted); ``rules``, the text of the
    rules it loads by the name ``rules_file``, makes one objective's groups at a time."""

    rules_file: str
    rules: Iterator[str]
    tests: Iterator[str]
    checks: list[str]


def rule_test_chunks(plan: RulePlan, *, name: str) -> RuleTestChunks:
    """The unit tests of ``plan``'s objectives with alert tiers, to be saved as ``name``
    beside the rules they load (``tests_rules_path``); none to test is refused here, before
    any piece is made."""
    targets = [t for t in plan.targets if t.objective.alert_tiers]
    if not targets:
        raise InputError(
            "no objective with alert tiers gets rules, so there is nothing to test",
            hint="check the reasons listed for the skipped objectives",
        )
    rules_file = tests_rules_path(Path(name)).name
    checks: list[str] = []

    def test(target: RuleTarget) -> TargetTest:
        made = target_test(target)
        checks.append(_check_line(made))
        return made

    return RuleTestChunks(
        rules_file=rules_file,
        rules=_rule_chunks(targets),
        tests=promtool_test_chunks(targets, test, rule_file=rules_file),
        checks=checks,
    )


def _rule_chunks(targets: list[RuleTarget]) -> Iterator[str]:
    """The rules the tests load (``rules_yaml`` of the per-minute groups), one objective's
    groups made at a time; the header's DST note from a first pass over them."""

    def groups() -> Iterator[dict[str, Any]]:
        for target in targets:
            yield from target_groups(target, sources=False, meta=False)

    zones = any(r.get("record") == LENGTH for g in groups() for r in g["rules"])
    yield from rules_chunks(groups(), zones=zones)


def _check_line(test: TargetTest) -> str:
    fired = sorted({tier.name for check in test.alerts for tier in check.firing})
    tiers = test.target.objective.alert_tiers
    off = [t.name for t in tiers if not test.target.switch(t).breaching]
    quiet = [t.name for t in tiers if t.name not in fired and t.name not in off]
    note = f"; never fired: {', '.join(quiet)}" if quiet else ""
    if off:
        note += f"; no burn-rate alert (alertWhenBreaching: false): {', '.join(off)}"
    silent = sorted({tier.name for check in test.no_data for tier in check.firing})
    if test.no_data:
        note += f"; no-data alerts fired: {', '.join(silent) or 'none'}"
    return (
        f"{test.target.sloth_id}: {len(test.alerts) + len(test.no_data)} alert checks over "
        f"{test.minutes:,} minutes, tiers fired: {', '.join(fired) or 'none'}{note}"
    )


def write_rule_tests(plan: RulePlan, path: Path) -> list[str]:
    """Write the unit tests to ``path`` and the rules they load beside it, as they are made;
    what was written. Each file is replaced whole or not at all (``write_replacing``), the
    rules (written once the tests are) before the tests are renamed into place: a failure
    halfway through either leaves both files as they were."""
    made = rule_test_chunks(plan, name=path.name)
    rules_path = tests_rules_path(path)

    def tests_then_rules() -> Iterator[str]:
        yield from made.tests
        try:
            write_replacing(rules_path, made.rules)
        except OSError as exc:  # named by the rules file, not by the tests file's writer
            raise _RulesUnwrittenError(exc) from exc

    try:
        write_replacing(path, tests_then_rules())
    except _RulesUnwrittenError as failed:
        raise failed.error from None
    return [
        f"wrote {rules_path} (the per-minute groups: counts, windows and alerts, without the "
        "two rules per objective that read the SLI's metrics)",
        *made.checks,
        f"wrote {path}; run: promtool test rules {path}",
    ]


class _RulesUnwrittenError(Exception):
    def __init__(self, error: OSError) -> None:
        super().__init__(str(error))
        self.error = error
