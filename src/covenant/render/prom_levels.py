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
from collections.abc import Sequence
from typing import Any

from covenant.core.promql import blanked

_NAME = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*")


def rule_levels(groups: Sequence[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """The recording rules of ``groups`` by level: ``[level 1's groups, level 2's, …]``,
    each group with its own name and interval and only that level's rules, in their order."""
    rules = [r for g in groups for r in g["rules"] if "record" in r]
    writers: dict[str, int] = {}
    for r in rules:
        writers[r["record"]] = writers.get(r["record"], 0) + 1
    reads = {
        id(r): (set(_NAME.findall(blanked(r["expr"]))) & writers.keys()) - {r["record"]}
        for r in rules
    }
    level: dict[int, int] = {}  # a rule's level
    ready: dict[str, int] = {}  # a name every rule of which has a level: the highest of them
    done: dict[str, list[int]] = {}
    pending = rules
    while pending:
        later = []
        for rule in pending:
            deps = reads[id(rule)]
            if deps <= ready.keys():
                # a name several rules record (one per objective) is read after all of them
                level[id(rule)] = k = 1 + max((ready[d] for d in deps), default=0)
                found = done.setdefault(rule["record"], [])
                found.append(k)
                if len(found) == writers[rule["record"]]:
                    ready[rule["record"]] = max(found)
            else:
                later.append(rule)
        if len(later) == len(pending):  # the generated rules never read in a circle
            names = sorted({r["record"] for r in later})
            raise ValueError(f"recording rules that read each other: {', '.join(names)}")
        pending = later
    out: list[list[dict[str, Any]]] = [[] for _ in range(max(level.values(), default=0))]
    for group in groups:
        for k, found_groups in enumerate(out, start=1):
            chosen = [r for r in group["rules"] if "record" in r and level[id(r)] == k]
            if chosen:
                found_groups.append({**group, "rules": chosen})
    return out
