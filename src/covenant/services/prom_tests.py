"""``covenant rules prometheus --tests``: promtool unit tests whose expectations come from the
engine replaying the same data (``core.replay``), so passing them shows the rules equal the engine.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import numpy as np

from covenant.core.alert_scenario import alert_scenario
from covenant.core.replay import replay_alerts, window_counts
from covenant.core.timeutil import from_epoch, to_epoch
from covenant.errors import InputError
from covenant.render.prom_rules import RuleTarget, rule_groups, rules_yaml
from covenant.render.prom_tests import AlertCheck, TargetTest, WindowCheck, tests_yaml
from covenant.services.prom_rules import RulePlan

STEP = 60


def target_test(target: RuleTarget) -> TargetTest:
    """The scenario for one objective and what the engine says about it."""
    o = target.objective
    scenario = alert_scenario(o)
    end = scenario.minutes * STEP
    replay = replay_alerts(
        o, scenario.data, start=from_epoch(STEP), end=from_epoch(end), step_s=STEP
    )
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
                    o, scenario.data, ends=np.array([start], dtype=np.int64), window_s=window_s
                )
                events, bad = int(counts.events[0]), int(counts.bad[0])
                windows.append(
                    WindowCheck(at=start, window_s=window_s, good=events - bad, total=events)
                )
    alerts = [
        AlertCheck(at=at, firing=tuple(t for t in o.alert_tiers if at in firing[t.name]))
        for at in sorted(checks)
        if STEP <= at <= int(instants[-1])
    ]
    return TargetTest(
        target=target,
        good=scenario.data.good[0].tolist(),
        total=scenario.data.total[0].tolist(),
        alerts=alerts,
        windows=windows,
        minutes=scenario.minutes,
    )


def _epoch(instant: datetime) -> int:
    return to_epoch(instant)


def write_rule_tests(plan: RulePlan, path: Path) -> list[str]:
    """Write the unit tests to ``path`` and the rules they load beside it; what was written."""
    targets = [t for t in plan.targets if t.objective.alert_tiers]
    if not targets:
        raise InputError(
            "no objective with alert tiers gets rules, so there is nothing to test",
            hint="check the reasons listed for the skipped objectives",
        )
    rules_path = path.with_name(path.name.removesuffix(".yml").removesuffix(".yaml") + ".rules.yml")
    rules_path.write_text(
        rules_yaml(rule_groups(targets, sources=False, meta=False)), encoding="utf-8"
    )
    tests = [target_test(t) for t in targets]
    path.write_text(tests_yaml(tests, rule_file=rules_path.name), encoding="utf-8")
    lines = [
        f"wrote {rules_path} (the per-minute groups: counts, windows and alerts, without the "
        "two rules per objective that read the SLI's metrics)"
    ]
    for test in tests:
        fired = sorted({tier.name for check in test.alerts for tier in check.firing})
        quiet = [t.name for t in test.target.objective.alert_tiers if t.name not in fired]
        note = f"; never fired: {', '.join(quiet)}" if quiet else ""
        lines.append(
            f"{test.target.sloth_id}: {len(test.alerts)} alert checks over "
            f"{test.minutes} minutes, tiers fired: {', '.join(fired) or 'none'}{note}"
        )
    lines.append(f"wrote {path}; run: promtool test rules {path}")
    return lines
