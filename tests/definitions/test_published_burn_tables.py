"""`covenant rules prometheus` on imported Sloth and Pyrra SLOs against the tools' published
burn-rate tables: each alert's windows, severity and the error ratio it compares with.

Sources (the expectations are typed from them, not computed by the code under test):
- Sloth's alert window catalogs, slok/sloth ``internal/alert/windows/google-30d.yaml`` and
  ``google-28d.yaml`` ("Numbers obtained from sre.google/workbook/alerting-on-slos"): page
  quick 2 % over 1h/5m, page slow 5 % over 6h/30m, ticket quick 10 % over 1d/2h, ticket slow
  10 % over 3d/6h; the factor is ``percent × period / long window``: 14.4, 6, 3, 1 for 30d
  (what ``../shared/corpus/sloth/_gen/getting-started.yml`` holds) and 13.44, 5.6, 2.8,
  0.9333… for 28d.
- Pyrra, pyrra-dev/pyrra ``slo/rules.go`` ``Windows()``: for a 28-day window critical
  1h/5m × 14 and 6h/30m × 7, warning 1d/2h × 2 and 4d/6h × 1; other windows scale the
  durations by window / 28d (Go ``Duration.Round(time.Minute)``) and keep the factors; its
  alert is ``burnrate{short} > (factor * (1-target)) and burnrate{long} > …``. For 30 days
  Pyrra's own generated rules read ``burnrate5m``/``burnrate1h4m``, ``32m``/``6h26m``,
  ``2h9m``/``1d1h43m``, ``6h26m``/``4d6h51m``.

One documented difference: Covenant never compares with a burn rate below 1
(docs/semantics.md, "Burn rate and alerts"); Sloth's 28-day ticket-slow 0.9333… is compared as
1, and the import says so in a note (docs/import.md).
"""

from __future__ import annotations

import re
from fractions import Fraction
from pathlib import Path

import pytest

from covenant.definitions.importers.base import Options
from covenant.render.prom_rules import rule_groups
from covenant.services.importing import plan_import, write_import
from covenant.services.prom_rules import plan_rules
from covenant.services.workspace import load_workspace

# (A * (total - good) > B * total) over one window: the error ratio compared with is B / A
_TERM = re.compile(
    r"\((?P<a>\d+) \* \(covenant:sli_total:count(?P<window>\w+)\{[^}]*\} - "
    r"covenant:sli_good:count\w+\{[^}]*\}\) (?P<op>>=?) (?P<b>\d+) \* "
    r"covenant:sli_total:count\w+\{"
)
_UNITS = {"m": 60, "h": 3600, "d": 86400}

Alert = tuple[str, int, int, Fraction, str]  # severity label, short s, long s, ratio, op


def seconds(text: str) -> int:
    """``1d1h43m`` → seconds."""
    return sum(int(n) * _UNITS[u] for n, u in re.findall(r"(\d+)([mhd])", text))


def alerts(workspace: Path) -> list[Alert]:
    """(severity, short window, long window, error ratio, operator) of each tier's alert."""
    found = []
    for group in rule_groups(plan_rules(load_workspace(workspace)).targets):
        for rule in group["rules"]:
            if "alert" not in rule or "covenant_tier" not in rule["labels"]:
                continue
            terms = list(_TERM.finditer(rule["expr"]))
            assert len(terms) == 2, rule["expr"]
            (long, short) = sorted(terms, key=lambda t: -seconds(t["window"]))
            ratio = Fraction(int(long["b"]), int(long["a"]))
            assert ratio == Fraction(int(short["b"]), int(short["a"]))
            assert long["op"] == short["op"]
            found.append(
                (
                    rule["labels"]["severity"],
                    seconds(short["window"]),
                    seconds(long["window"]),
                    ratio,
                    long["op"],
                )
            )
    return sorted(found, key=lambda a: a[2])


def imported(tool: str, source: Path, into: Path, options: Options | None = None) -> list[str]:
    plan = plan_import(tool, [source], into=into, options=options)
    assert plan.problems == []
    write_import(plan)
    return [n.reason for f in plan.files for n in f.imported.notes]


BUDGET = Fraction(1, 1000)  # getting-started.yml: objective 99.9
M, H, D = 60, 3600, 86400


def test_sloth_30d_rules_compare_with_the_published_factors(corpus: Path, tmp_path: Path) -> None:
    imported("sloth", corpus / "sloth/getting-started.yml", tmp_path)
    # getting-started.yml's page alerts carry severity: pageteam, its tickets severity: slack
    assert alerts(tmp_path) == [
        ("pageteam", 5 * M, H, Fraction(144, 10) * BUDGET, ">"),
        ("pageteam", 30 * M, 6 * H, 6 * BUDGET, ">"),
        ("slack", 2 * H, D, 3 * BUDGET, ">"),
        ("slack", 6 * H, 3 * D, 1 * BUDGET, ">"),
    ]
    # and _gen/getting-started.yml, what Sloth generated, says the same factors and windows
    generated = (corpus / "sloth/_gen/getting-started.yml").read_text(encoding="utf-8")
    for short, long, factor in (("5m", "1h", "14.4"), ("30m", "6h", "6"), ("2h", "1d", "3")):
        assert f"ratio_rate{short}{{" in generated
        assert f"ratio_rate{long}{{" in generated
        assert f"> ({factor} * 0.000999" in generated


def test_sloth_28d_rules_compare_with_the_published_factors(corpus: Path, tmp_path: Path) -> None:
    notes = imported(
        "sloth",
        corpus / "sloth/getting-started.yml",
        tmp_path,
        Options(sloth_period="28d"),
    )
    assert alerts(tmp_path) == [
        ("pageteam", 5 * M, H, Fraction(1344, 100) * BUDGET, ">"),  # 2 % × 672 h / 1 h
        ("pageteam", 30 * M, 6 * H, Fraction(56, 10) * BUDGET, ">"),  # 5 % × 672 h / 6 h
        ("slack", 2 * H, D, Fraction(28, 10) * BUDGET, ">"),  # 10 % × 28 d / 1 d
        # 10 % × 28 d / 3 d = 0.9333…: compared as 1 (the documented difference), and noted
        ("slack", 6 * H, 3 * D, 1 * BUDGET, ">"),
    ]
    assert any("0.9333" in n and "compares with 1" in n for n in notes), notes


PYRRA = """\
apiVersion: pyrra.dev/v1alpha1
kind: ServiceLevelObjective
metadata:
  name: api-errors
spec:
  target: "99.5"
  window: {window}
  indicator:
    ratio:
      errors:
        metric: http_requests_total{{job="api", code=~"5.."}}
      total:
        metric: http_requests_total{{job="api"}}
"""


def pyrra_alerts(tmp_path: Path, window: str) -> list[Alert]:
    source = tmp_path / "source" / "api.yaml"
    source.parent.mkdir()
    source.write_text(PYRRA.format(window=window), encoding="utf-8")
    imported("pyrra", source, tmp_path / "ws")
    return alerts(tmp_path / "ws")


PYRRA_BUDGET = Fraction(5, 1000)  # target 99.5


def test_pyrra_4w_rules_are_pyrras_published_table(tmp_path: Path) -> None:
    assert pyrra_alerts(tmp_path, "4w") == [
        ("critical", 5 * M, H, 14 * PYRRA_BUDGET, ">"),
        ("critical", 30 * M, 6 * H, 7 * PYRRA_BUDGET, ">"),
        ("warning", 2 * H, D, 2 * PYRRA_BUDGET, ">"),
        ("warning", 6 * H, 4 * D, 1 * PYRRA_BUDGET, ">"),
    ]


@pytest.mark.parametrize(
    ("window", "pairs"),
    [
        # Pyrra's own 30-day rules: burnrate5m/1h4m, 32m/6h26m, 2h9m/1d1h43m, 6h26m/4d6h51m
        ("30d", [("5m", "1h4m"), ("32m", "6h26m"), ("2h9m", "1d1h43m"), ("6h26m", "4d6h51m")]),
        # 14 days: 1h/5m × ½ = 30m/2m30s → 3m (Go rounds half away from zero), 6h/30m → 3h/15m,
        # 1d/2h → 12h/1h, 4d/6h → 2d/3h (docs/import.md's example)
        ("2w", [("3m", "30m"), ("15m", "3h"), ("1h", "12h"), ("3h", "2d")]),
    ],
)
def test_pyrra_rules_scale_the_windows_as_pyrra_does(
    tmp_path: Path, window: str, pairs: list[tuple[str, str]]
) -> None:
    factors = (14, 7, 2, 1)
    severities = ("critical", "critical", "warning", "warning")
    assert pyrra_alerts(tmp_path, window) == [
        (severity, seconds(short), seconds(long), factor * PYRRA_BUDGET, ">")
        for severity, (short, long), factor in zip(severities, pairs, factors, strict=True)
    ]
