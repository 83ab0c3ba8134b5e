"""A PromQL ``#`` comment in an SLI query does not break the rules built around it.

PromQL allows a comment to the end of a line, and Sloth files carry them in block-scalar
queries (``error_query: |`` … ``sum(rate(x[{{.window}}]))  # 5xx only``). Sloth, and the
read path, use the query alone, where the comment ends the text. The generated rules embed
it in a larger expression (``total - (bad or on() 0 * total)``): a comment left in swallows
the rest of that line — before, the rule file failed ``promtool check rules`` with "unclosed
left parenthesis" while ``covenant rules prometheus`` exited 0, and a counter query with a
comment was not recognised as one (counted with ``increase`` instead of the exact minute
differences). A query with its comment is the same query without it: so are its rules.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from covenant.core.promql import SeriesQueries, raw_selector, without_comments
from covenant.render.prom_rule_file import rules_yaml
from covenant.render.prom_rules import RuleTarget, rule_groups
from tests.render.test_prom_rules import COUNTS, _objective

TOTAL = 'sum(increase(http_requests_total{job="api"}[{{.window}}]))'
BAD = 'sum(increase(http_requests_total{job="api", code=~"5.."}[{{.window}}]))'
SUBQUERY = 'sum(count_over_time((probe_success{job="bb"} == 0)[{{.window}}:1m]))'


def _target(*, total: str, bad: str) -> RuleTarget:
    counts = SeriesQueries(
        series="api", slos=("api-availability",), sli="api", source=COUNTS.source,
        total=total, bad=bad,
    )  # fmt: skip
    return RuleTarget(objective=_objective(), counts=counts)


def _text(target: RuleTarget) -> str:
    return rules_yaml(rule_groups([target]))


def test_comments_are_taken_out_and_strings_kept() -> None:
    query = 'sum(x{path="/a#b"}[{{.window}}])  # the "#" in the string is not one\n- 1 # two'
    assert without_comments(query) == 'sum(x{path="/a#b"}[{{.window}}])  \n- 1 '
    assert raw_selector(BAD + "  # 5xx only\n") == 'http_requests_total{job="api", code=~"5.."}'


def test_a_commented_query_gets_the_rules_of_the_same_query_without_comments() -> None:
    commented = _target(total=TOTAL + "  # every request\n", bad=BAD + "  # 5xx only")
    plain = _target(total=TOTAL, bad=BAD)
    assert _text(commented) == _text(plain)
    other = _target(total=TOTAL, bad=SUBQUERY + "  # probes that failed\n")
    assert _text(other) == _text(_target(total=TOTAL, bad=SUBQUERY))
    assert "#" not in _text(other).split("\n", 1)[1]  # the header is the only comment


def test_promtool_accepts_the_rules_of_commented_queries(promtool: str, tmp_path: Path) -> None:
    target = _target(total=TOTAL + "  # every request\n", bad=SUBQUERY + "  # failed probes")
    path = tmp_path / "rules.yml"
    path.write_text(_text(target), encoding="utf-8")
    done = subprocess.run(
        [promtool, "check", "rules", str(path)], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
