"""``promtool test rules`` unit tests for generated rules, from the engine's own replay.

The expected alerts and window counts are computed by Covenant's engine on the same per-minute
counts the test feeds to Prometheus (see ``services.prom_tests``); this module only writes them
in promtool's format.
"""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import IO, Any, TypeVar

from covenant.core.model import AlertTier
from covenant.render.prom_rule_file import dump_yaml
from covenant.render.prom_rules import (
    GOOD,
    TOTAL,
    RuleTarget,
    alert_annotations,
    alert_labels,
    no_data_annotations,
)
from covenant.render.prom_windows import prom_duration


@dataclass(frozen=True, slots=True, kw_only=True)
class WindowCheck:
    """The engine's counts of one window ending at ``at`` (epoch seconds)."""

    at: int
    window_s: int
    good: int
    total: int


@dataclass(frozen=True, slots=True, kw_only=True)
class AlertCheck:
    """The tiers the engine has firing at ``at`` (epoch seconds)."""

    at: int
    firing: tuple[AlertTier, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class TargetTest:
    target: RuleTarget
    good: Sequence[int]  # per minute from epoch 0
    total: Sequence[int]
    alerts: Sequence[AlertCheck]
    windows: Sequence[WindowCheck]
    minutes: int
    missing: Sequence[bool] = ()  # per minute: no sample at all (the SLI's series is absent)
    no_data: Sequence[AlertCheck] = ()  # the tiers whose no-data alert the engine has firing


def series_values(counts: Sequence[int | None]) -> str:
    """promtool's expanding notation: ``_`` at 0 s, then bucket ``j`` at ``60 (j + 1)``
    (``None``: no sample, ``_``; promtool writes ``n`` missing samples as ``_xn`` but ``n + 1``
    equal ones as ``vxn``)."""
    parts = ["_"]
    i = 0
    while i < len(counts):
        j = i
        while j + 1 < len(counts) and counts[j + 1] == counts[i]:
            j += 1
        run = j - i + 1
        if counts[i] is None:
            parts.append(f"_x{run}" if run > 1 else "_")
        else:
            parts.append(f"{counts[i]}x{run - 1}" if run > 1 else str(counts[i]))
        i = j + 1
    return " ".join(parts)


def _present(counts: Sequence[int], missing: Sequence[bool]) -> list[int | None]:
    return [None if missing and missing[j] else c for j, c in enumerate(counts)]


def _eval_time(seconds: int) -> str:
    return prom_duration(seconds) if seconds else "0s"


def _selector(labels: Mapping[str, str]) -> str:
    return "{" + ", ".join(f'{k}="{v}"' for k, v in labels.items()) + "}"


def _checks(t: TargetTest) -> dict[str, list[dict[str, Any]]]:
    """The input series, alert checks and expression checks of one objective."""
    target = t.target
    ids = {**target.labels, **target.ids}
    inputs = [
        {
            "series": f"{GOOD}1m{_selector({**ids, 'sloth_window': '1m'})}",
            "values": series_values(_present(t.good, t.missing)),
        },
        {
            "series": f"{TOTAL}1m{_selector({**ids, 'sloth_window': '1m'})}",
            "values": series_values(_present(t.total, t.missing)),
        },
    ]
    alerts = [
        {
            "eval_time": _eval_time(check.at),
            "alertname": target.alert_name,
            "exp_alerts": [
                {
                    "exp_labels": {**ids, **alert_labels(target, tier)},
                    "exp_annotations": alert_annotations(target, tier),
                }
                for tier in check.firing
            ],
        }
        for check in t.alerts
    ]
    alerts += [
        {
            "eval_time": _eval_time(check.at),
            "alertname": target.no_data_alert_name,
            "exp_alerts": [
                {
                    "exp_labels": {**ids, **alert_labels(target, tier)},
                    "exp_annotations": no_data_annotations(target, tier),
                }
                for tier in check.firing
            ],
        }
        for check in t.no_data
    ]
    exprs = []
    for w in t.windows:
        name = prom_duration(w.window_s)
        labels = {**ids, "sloth_window": name}
        for metric, value in ((GOOD, w.good), (TOTAL, w.total)):
            exprs.append(
                {
                    "expr": f"{metric}{name}{target.selector}",
                    "eval_time": _eval_time(w.at),
                    "exp_samples": [
                        {"labels": f"{metric}{name}{_selector(labels)}", "value": value}
                    ],
                }
            )
    return {"input_series": inputs, "alert_rule_test": alerts, "promql_expr_test": exprs}


def _keys(target: RuleTarget) -> set[str]:
    """What two objectives in one test group must not share: an alert name (promtool compares
    a check with every alert of its name in the group) or an input series."""
    ids = {**target.labels, **target.ids}
    return {target.alert_name, target.no_data_alert_name, "series " + _selector(ids)}


def packed(tests: Sequence[TargetTest]) -> list[list[TargetTest]]:
    """``tests`` in as few groups as keep their alert names and series apart (in order; the
    first group that has room). promtool evaluates every rule of the file at every minute of
    every group, so a group per objective cost time that grew with the square of their number
    (13 objectives: 320 s in 13 groups, 55 s in one)."""
    return _packed(tests, lambda t: _keys(t.target))


_T = TypeVar("_T")


def _packed(items: Sequence[_T], keys_of: Callable[[_T], set[str]]) -> list[list[_T]]:
    groups: list[tuple[set[str], list[_T]]] = []
    for t in items:
        keys = keys_of(t)
        for used, members in groups:
            if not used & keys:
                used.update(keys)
                members.append(t)
                break
        else:
            groups.append((keys, [t]))
    return [members for _, members in groups]


def _group_name(ids: Sequence[str]) -> str:
    named = ", ".join(ids) if len(ids) <= 3 else f"{len(ids)} objectives: {ids[0]} … {ids[-1]}"
    return f"{named}: alerts and window counts as the engine replays them"


def _group(tests: Sequence[TargetTest]) -> dict[str, Any]:
    group: dict[str, Any] = {
        "name": _group_name([t.target.sloth_id for t in tests]),
        "interval": "1m",
        "input_series": [],
        "alert_rule_test": [],
        "promql_expr_test": [],
    }
    for t in tests:
        for key, checks in _checks(t).items():
            group[key].extend(checks)
    return group


def tests_yaml(tests: Sequence[TargetTest], *, rule_file: str) -> str:
    """The unit-test file, loading ``rule_file``: the objectives' checks in as few test groups
    as keep their alerts apart (``packed``)."""
    doc = {
        "rule_files": [rule_file],
        "evaluation_interval": "1m",
        "tests": [_group(group) for group in packed(tests)],
    }
    return HEAD + dump_yaml(doc)


HEAD = (
    "# Generated by Covenant (covenant rules prometheus --tests). The expected alerts and\n"
    "# counts were computed by Covenant's engine replaying the same per-minute counts.\n"
    "# Run: promtool test rules <this file>\n"
)
SPOOL = 1 << 20  # checks held in memory up to this many characters a list, then on disk


def promtool_test_chunks(
    targets: Sequence[RuleTarget],
    test: Callable[[RuleTarget], TargetTest],
    *,
    rule_file: str,
) -> Iterator[str]:
    """The text of ``tests_yaml`` in pieces, ``test`` making one objective's replay when its
    turn comes: a writer holds one objective's per-minute counts, not every objective's.
    promtool wants a test group's input series, then its alert checks, then its expression
    checks, each list holding every objective of the group (one group holds them all unless
    names clash, ``packed``): the series are written as each objective is replayed, its
    checks kept as text (on disk past ``SPOOL`` characters) until the group's series end."""
    yield HEAD + dump_yaml({"rule_files": [rule_file], "evaluation_interval": "1m"})
    groups = _packed(targets, _keys)  # by the targets alone: before any replay
    if not groups:
        yield "tests: []\n"
        return
    yield "tests:\n"
    for members in groups:
        yield from _group_chunks(members, test)


def _group_chunks(
    members: Sequence[RuleTarget], test: Callable[[RuleTarget], TargetTest]
) -> Iterator[str]:
    """One item of ``tests:``, as the whole document's dump writes it."""
    yield dump_yaml([{"name": _group_name([t.sloth_id for t in members]), "interval": "1m"}])
    with contextlib.ExitStack() as stack:
        spool = {
            key: stack.enter_context(
                tempfile.SpooledTemporaryFile(SPOOL, mode="w+", encoding="utf-8")
            )
            for key in ("alert_rule_test", "promql_expr_test")
        }
        series = False
        for target in members:
            checks = _checks(test(target))
            if checks["input_series"]:
                if not series:
                    yield "  input_series:\n"
                    series = True
                yield _items(checks["input_series"])
            for key, out in spool.items():
                if checks[key]:
                    out.write(_items(checks[key]))
        if not series:
            yield "  input_series: []\n"
        for key, out in spool.items():
            yield from _spooled(key, out)


def _items(items: list[dict[str, Any]]) -> str:
    """Items of a list two spaces into a test group, as the whole dump writes them."""
    text = dump_yaml(items, width=98)
    return "".join("  " + line if line.strip() else line for line in text.splitlines(True))


def _spooled(key: str, out: IO[str]) -> Iterator[str]:
    if not out.tell():
        yield f"  {key}: []\n"
        return
    yield f"  {key}:\n"
    out.seek(0)
    while piece := out.read(SPOOL // 4):
        yield piece
