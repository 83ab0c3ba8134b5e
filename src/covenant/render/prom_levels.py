"""The recording rules split by dependency, for back-filling them one level at a time.

``promtool tsdb create-blocks-from rules`` evaluates each recording rule over the past by
asking a running Prometheus (``--url``): a rule that reads another recording finds nothing
until that recording's blocks are loaded there. So the rules are back-filled level by level:
level 1 reads only the SLIs' own metrics (and ``time()``), level k reads recordings of levels
below k. A level keeps each group's name and interval: written to the path Prometheus loads
the rules from, its groups evaluate at the offsets the live groups have (a hash of the file
and the group's name), so back-filled and live samples lie on the same instants. Alerting
rules are left out (promtool back-fills recordings only).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from covenant.core.promql import blanked

_NAME = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*")


def rule_levels(groups: Sequence[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """The recording rules of ``groups`` by level: ``[level 1's groups, level 2's, …]``,
    each group with its own name and interval and only that level's rules, in their order."""
    levels = RuleLevels(groups)
    return [list(level_groups(groups, levels, k)) for k in range(1, levels.count + 1)]


def level_groups(
    groups: Iterable[dict[str, Any]], levels: RuleLevels, level: int
) -> Iterator[dict[str, Any]]:
    """The groups of ``level`` (``levels`` read from the same groups), one at a time as
    ``groups`` yields them: each with its name and interval and that level's rules only, a
    group with none of them left out."""
    for group in groups:
        chosen = [r for r in group["rules"] if "record" in r and levels.of(r) == level]
        if chosen:
            yield {**group, "rules": chosen}


def _reads(rule: dict[str, Any]) -> frozenset[str]:
    """The names a recording rule's expression reads (metric and function names alike), but
    its own."""
    return frozenset(_NAME.findall(blanked(rule["expr"]))) - {rule["record"]}


class RuleLevels:
    """The dependency level of every recording rule of ``groups``, read in one pass over them
    (a generator of groups is fine): a rule reading no other recording is at level 1; one
    reading recordings at level 1 + the highest level any rule recording one of those names
    has (a name several rules record, one per objective, is read after all of them).

    It keeps what a rule's level depends on (its name and the names it reads, each distinct
    pair once, with how many rules have it), not the rules: many objectives' rules share the
    pair, so the groups can be written afterwards one at a time (``level_groups``)."""

    def __init__(self, groups: Iterable[dict[str, Any]]) -> None:
        kinds: Counter[tuple[str, frozenset[str]]] = Counter()
        for group in groups:
            for rule in group["rules"]:
                if "record" in rule:
                    kinds[(rule["record"], _reads(rule))] += 1
        self._writers = frozenset(name for name, _ in kinds)
        deps: dict[str, set[str]] = {}
        for name, reads in kinds:
            deps.setdefault(name, set()).update(reads & self._writers)
        self._name: dict[str, int] = {}  # a recorded name: the highest level of its rules
        pending = deps
        while pending:
            later = {}
            for name, needs in pending.items():
                if needs <= self._name.keys():
                    self._name[name] = 1 + max((self._name[d] for d in needs), default=0)
                else:
                    later[name] = needs
            if len(later) == len(pending):  # the generated rules never read in a circle
                raise ValueError(
                    f"recording rules that read each other: {', '.join(sorted(later))}"
                )
            pending = later
        self.count = max(self._name.values(), default=0)
        """How many levels there are."""
        self._sizes: Counter[int] = Counter()
        self._records: set[tuple[str, int]] = set()
        for (name, reads), n in kinds.items():
            k = self._level(reads)
            self._sizes[k] += n
            self._records.add((name, k))

    def _level(self, reads: frozenset[str]) -> int:
        return 1 + max((self._name[d] for d in reads & self._writers), default=0)

    def of(self, rule: dict[str, Any]) -> int:
        """The level of a recording rule of the groups read."""
        return self._level(_reads(rule))

    def size(self, level: int) -> int:
        """How many recording rules ``level`` has."""
        return self._sizes[level]

    def records(self, name: str, level: int) -> bool:
        """Some rule of ``level`` records ``name``."""
        return (name, level) in self._records
