"""The rules' own warning that their zone tables end (docs/prometheus-rules.md, "Validity
horizon"): ``CovenantZoneTableEnding`` fires 90 days before the end of the horizon the tables
cover, and not before.

The instants are taken from the documentation, not from the generator: the tables cover
2025-01-01 to 2036-01-01 (UTC), so the alert fires from 2035-10-03 00:00 UTC on (90 days
earlier: 29 days of October after the 2nd, 30 of November, 31 of December). The alert sits in
the 5-minute group, so it fires at the first evaluation of that group at or after the instant.
promtool's clock starts at 1970: every ``time()`` of the rules reads ``time() + SHIFT``, as in
``tests/render/test_prom_dst.py``, with ``SHIFT`` a multiple of 5 minutes so that the group's
evaluations fall on whole 5 minutes of the real clock.
"""

from __future__ import annotations

import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import yaml

from covenant.core.model import CalendarUnit, CalendarWindow
from covenant.render.prom_rule_file import rules_yaml
from covenant.render.prom_rules import RuleTarget, rule_groups
from tests.render.test_prom_dst import _objective
from tests.render.test_prom_rules import COUNTS

END = datetime(2036, 1, 1, tzinfo=UTC)  # the documented end of the horizon
WARN = datetime(2035, 10, 3, tzinfo=UTC)  # 90 days before it
ZONE = "Europe/Berlin"
ALERT = "CovenantZoneTableEnding"


def _epoch(at: datetime) -> int:
    return int(at.timestamp())


def _target() -> RuleTarget:
    window = CalendarWindow(unit=CalendarUnit.MONTH, zone=ZONE)
    return RuleTarget(objective=_objective(window), counts=COUNTS, labels={"team": "api"})


def _expected(target: RuleTarget) -> list[dict[str, object]]:
    return [
        {
            "exp_labels": {
                **target.ids,
                "team": "api",
                "severity": "ticket",
                "sloth_severity": "ticket",
            },
            "exp_annotations": {
                "title": "api api-availability: regenerate the Covenant rules.",
                "summary": f"The UTC offsets of {ZONE} written into these rules cover "
                "2025-01-01 to 2036-01-01; calendar periods after that would be wrong. Run "
                "`covenant rules prometheus` again with a newer Covenant.",
            },
        }
    ]


def _case(tmp_path: Path, name: str, shift: datetime, checks: dict[int, bool]) -> str:
    """A rule file with the clock moved to ``shift`` and a test file checking the alert at
    ``checks`` (minutes after ``shift``: firing or not)."""
    target = _target()
    text = rules_yaml(rule_groups([target], sources=False))
    assert text.count(f"alert: {ALERT}") == 1
    rules = f"{name}.rules.yml"
    (tmp_path / rules).write_text(
        text.replace("time()", f"(time() + {_epoch(shift)})"), encoding="utf-8"
    )
    doc = {
        "rule_files": [rules],
        "evaluation_interval": "1m",
        "tests": [
            {
                "name": name,
                "interval": "1m",
                "input_series": [],
                "alert_rule_test": [
                    {
                        "eval_time": f"{minute}m",
                        "alertname": ALERT,
                        "exp_alerts": _expected(target) if firing else [],
                    }
                    for minute, firing in sorted(checks.items())
                ],
            }
        ],
    }
    path = f"{name}.yml"
    (tmp_path / path).write_text(yaml.safe_dump(doc), encoding="utf-8")
    return path


def _promtool(promtool: str, tmp_path: Path, *files: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [promtool, "test", "rules", *files],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
        timeout=600,
    )


def test_the_alert_fires_at_the_documented_lead_time_and_not_before(
    promtool: str, tmp_path: Path
) -> None:
    files = [
        # a year before the warning, and the hour before it: silent. The 5-minute group runs
        # at 23:00, 23:05 … 23:55 and 00:00 on 3 October: it fires from 00:00 on, so at
        # 23:59 it has not fired yet.
        _case(
            tmp_path,
            "a-year-before",
            WARN - timedelta(days=365),
            {0: False, 5: False, 60: False},
        ),
        _case(
            tmp_path,
            "at-the-lead-time",
            WARN - timedelta(hours=1),
            {0: False, 55: False, 59: False, 60: True, 61: True, 65: True, 120: True},
        ),
        # once fired it stays firing to the end and after it (the tables no longer hold)
        _case(
            tmp_path,
            "around-the-end",
            END - timedelta(minutes=30),
            {0: True, 30: True, 60: True},
        ),
    ]
    assert _epoch(WARN) == _epoch(END) - 90 * 86400
    done = _promtool(promtool, tmp_path, *files)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert done.stdout.count("SUCCESS") == len(files)


def test_a_wrong_instant_is_refused(promtool: str, tmp_path: Path) -> None:
    """The check can fail: expecting the alert 5 minutes before the lead time (a rule with
    89 days 23:55 of warning) is rejected, and so is expecting silence at the lead time."""
    early = _case(tmp_path, "early", WARN - timedelta(hours=1), {55: True})
    late = _case(tmp_path, "late", WARN - timedelta(hours=1), {60: False})
    for path in (early, late):
        done = _promtool(promtool, tmp_path, path)
        assert done.returncode != 0, path
        assert ALERT in done.stdout + done.stderr
