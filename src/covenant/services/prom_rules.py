"""``covenant rules prometheus``: the workspace's objectives as Prometheus rules.

Every objective either gets rules or is reported with the reason it has none (its data is not
in Prometheus, its query has no count form, its budgeting method or window has no PromQL form).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from covenant.core.model import CalendarWindow, Window
from covenant.core.timeutil import shorthand
from covenant.core.windows import window_bounds
from covenant.definitions.alert_switches import alert_switches
from covenant.definitions.workspace import Workspace, load_workspace
from covenant.errors import CovenantError, InputError, NotFoundError, OptionValueError
from covenant.render.prom_levels import RuleLevels, level_groups
from covenant.render.prom_rule_file import rules_chunks
from covenant.render.prom_rules import RuleTarget, target_groups
from covenant.render.prom_windows import LENGTH, period_of, seasonal_zones, unsupported
from covenant.render.prom_zones import HORIZON, horizon_text


@dataclass(frozen=True, slots=True, kw_only=True)
class Unsupported:
    """Why an objective gets no Prometheus rules."""

    objective: str  # the objective's key
    reason: str


@dataclass(frozen=True, slots=True, kw_only=True)
class RulePlan:
    """The objectives that get rules and those that do not (with why)."""

    targets: tuple[RuleTarget, ...]
    skipped: tuple[Unsupported, ...]


def none_with_rules(
    plan: RulePlan, *, listed: str, check: str = "", error: type[CovenantError] = InputError
) -> CovenantError:
    """The error when no objective of ``plan`` gets rules: ``listed`` says where each
    objective left out is shown with its reason; ``check`` is what to check first when the
    workspace defines no SLO at all."""
    if plan.skipped:
        return error("no objective gets Prometheus rules", hint=listed)
    return error(
        "no objective gets Prometheus rules: the workspace defines no SLO",
        hint=f"{check}add an SLO with a Prometheus DataSource (docs/prometheus.md)",
    )


def plan_rules(workspace: Workspace, *, slos: Sequence[str] = ()) -> RulePlan:
    """Which objectives of ``workspace`` (or of the SLOs named) get rules, and why not."""
    wanted = set(slos)
    known = {o.slo for o in workspace.objectives} | {c.objective.slo for c in workspace.composites}
    missing = sorted(wanted - known)
    if missing:
        raise NotFoundError(
            f"no SLO named {', '.join(map(repr, missing))} in the workspace",
            hint="run covenant evaluate to list the SLOs",
        )
    reads = workspace.prometheus
    by_series = {q.series: q for q in (*reads.reads, *reads.inline)} if reads is not None else {}
    unreadable = reads.unreadable if reads is not None else {}
    targets: list[RuleTarget] = []
    skipped: list[Unsupported] = []
    switches = alert_switches(workspace.documents)
    for o in workspace.objectives:
        if wanted and o.slo not in wanted:
            continue
        found = by_series.get(o.series)
        if found is None:
            why = unreadable.get(o.slo) or (
                f"SLI {o.sli!r}: its metricSources name no Prometheus DataSource (metricSourceRef)"
            )
            skipped.append(Unsupported(objective=o.key, reason=why))
            continue
        reason = unsupported(o)
        if reason is not None:
            skipped.append(Unsupported(objective=o.key, reason=reason))
            continue
        tiers = {t.name: switches.of(o.slo, t.name) for t in o.alert_tiers}
        targets.append(RuleTarget(objective=o, counts=found, switches=tiers))
    skipped.extend(
        Unsupported(
            objective=c.objective.key,
            reason="a composite SLO: its objectives get rules one by one; the weighted "
            "composite is computed by Covenant only",
        )
        for c in workspace.composites
        if not wanted or c.objective.slo in wanted
    )
    return RulePlan(targets=tuple(targets), skipped=tuple(skipped))


def prometheus_rules(
    workspace_path: Path,
    *,
    slos: Sequence[str] = (),
    operator: bool = False,
    metadata: Mapping[str, Any] | None = None,
) -> tuple[str, RulePlan]:
    """The rule file text (or a ``PrometheusRule``, ``metadata`` its ``rules_yaml`` name,
    namespace and labels) and the plan it was written from."""
    plan = workspace_plan(workspace_path, slos=slos)
    return rules_text(plan, operator=operator, metadata=metadata), plan


def workspace_plan(workspace_path: Path, *, slos: Sequence[str] = ()) -> RulePlan:
    """``plan_rules`` of the workspace in ``workspace_path``."""
    return plan_rules(load_workspace(workspace_path), slos=slos)


def _groups(plan: RulePlan) -> Iterator[dict[str, Any]]:
    """``plan``'s rule groups, made one objective at a time as they are read."""
    for target in plan.targets:
        yield from target_groups(target)


def rules_text(
    plan: RulePlan, *, operator: bool = False, metadata: Mapping[str, Any] | None = None
) -> str:
    """The rule file of ``plan``'s objectives (a ``PrometheusRule`` with ``operator``)."""
    return "".join(rule_file_chunks(plan, operator=operator, metadata=metadata))


def rule_file_chunks(
    plan: RulePlan, *, operator: bool = False, metadata: Mapping[str, Any] | None = None
) -> Iterator[str]:
    """``rules_text`` in pieces, each group's made when the piece before it is taken: written
    as they come, the rules of one objective are in memory at a time, not every objective's.
    An objective whose rules cannot be made raises when its turn comes."""
    zones = bool(seasonal_zones([t.objective for t in plan.targets]))  # the header says them
    return rules_chunks(_groups(plan), zones=zones, operator=operator, **(metadata or {}))


def level_count(plan: RulePlan) -> int:
    """How many dependency levels ``plan``'s recording rules have (``level_text``)."""
    return RuleLevels(_groups(plan)).count


def check_level(
    level: int | None, *, operator: bool, tests: bool = False, flag: str = "--"
) -> None:
    """A level (``--level``, the API's ``level``) goes with neither a ``PrometheusRule`` nor
    the promtool tests (OptionValueError naming both, ``flag`` as in ``operator_metadata``)."""
    if level is None or not (operator or tests):
        return
    wanted = f"{flag}format prometheusrule" if flag else "format=prometheusrule"
    other = wanted if operator else f"{flag}tests"
    raise OptionValueError(
        f"{flag}level writes a rule file to back-fill with promtool, not with {other}",
        hint=f"leave out {other}, or {flag}level",
    )


def level_text(plan: RulePlan, *, level: int, flag: str = "--") -> tuple[str, str]:
    """The rule file of ``plan``'s recording rules of dependency ``level`` and what to do with
    it next (``level_chunks``, joined)."""
    chunks, note = level_chunks(plan, level=level, flag=flag)
    return "".join(chunks), note


def level_chunks(plan: RulePlan, *, level: int, flag: str = "--") -> tuple[Iterator[str], str]:
    """The rule file of ``plan``'s recording rules of dependency ``level`` (1: those reading
    the SLIs' metrics), for a back-fill one level at a time, in pieces as
    ``rule_file_chunks`` gives them, and what to do with it next. The levels are read first
    (one pass over the groups, each made and let go): a level past the last is an
    OptionValueError naming ``{flag}level`` (``--level`` on the command line, ``level`` in a
    query) before any piece is made."""
    levels = RuleLevels(_groups(plan))
    if not 1 <= level <= levels.count:
        raise OptionValueError(
            f"{flag}level {level}: the rules have {levels.count} levels",
            hint=f"give a level from 1 to {levels.count}, one after the other",
        )
    reads = (
        "no other recording (the SLIs' metrics)"
        if level == 1
        else "level 1"
        if level == 2
        else f"levels 1 to {level - 1}"
    )
    then = (
        f"then write level {level + 1} to the same path"
        if level < levels.count
        else "then write the whole rule file (without --level) to the same path"
    )
    note = (
        f"level {level} of {levels.count}: {levels.size(level)} recording rules reading "
        f"{reads}; back-fill them with promtool tsdb create-blocks-from rules (the rule file "
        f"by the path Prometheus loads it from), load the blocks into Prometheus, {then} "
        '(docs/prometheus-rules.md, "Back-filling history")'
    )
    groups = level_groups(_groups(plan), levels, level)
    return rules_chunks(groups, zones=levels.records(LENGTH, level)), note


@dataclass(frozen=True, slots=True, kw_only=True)
class RuleNote:
    """What a reader of the generated rules must know: an objective left out (``skipped``),
    something to set up beside them (``note``), or to act on soon (``warning``)."""

    level: Literal["skipped", "note", "warning"]
    objective: str | None  # the objective's key; None: the whole output
    text: str

    def line(self) -> str:
        """As ``covenant rules prometheus`` prints it on standard error."""
        where = f" {self.objective}" if self.objective else ""
        return f"{self.level}{where}: {self.text}"

    def as_json(self) -> dict[str, str | None]:
        return {"level": self.level, "objective": self.objective, "text": self.text}


RETENTION_S = 15 * 86400
"""Prometheus's default ``--storage.tsdb.retention.time``."""


def rule_notes(plan: RulePlan, *, at: datetime) -> list[RuleNote]:
    """Every objective without rules (with why), then what the rules need of the server and
    of Alertmanager, as of ``at`` (the zones' offset tables run out; a month's length)."""
    notes = [RuleNote(level="skipped", objective=s.objective, text=s.reason) for s in plan.skipped]
    notes.extend(_horizon_notes(plan, at=at))
    notes.extend(_retention_note(plan, at=at))
    for target in plan.targets:
        quiet = [t.name for t in target.objective.alert_tiers if not target.switch(t).resolved]
        if quiet:
            notes.append(
                RuleNote(
                    level="note",
                    objective=target.objective.key,
                    text=f"alertWhenResolved: false ({', '.join(quiet)}) has no Prometheus "
                    "form (Prometheus always sends the resolution); its alerts carry the "
                    'annotation covenant_send_resolved: "false": route them to an '
                    "Alertmanager receiver with send_resolved: false (docs/prometheus-rules.md)",
                )
            )
    return notes


def _retention_note(plan: RulePlan, *, at: datetime) -> list[RuleNote]:
    """Windows longer than Prometheus's default retention sum recordings the server must keep
    that long (a 30-day SLI on a default server covers 15 days; a calendar window its longest
    period: 31 days for a month, 92 for a quarter, 366 for a year)."""
    stamp = int(at.timestamp())
    longest = max((_span(t.objective.window, at=stamp) for t in plan.targets), default=0)
    if longest <= RETENTION_S:
        return []
    text = (
        f"the longest window ({shorthand(longest)}) sums recordings over that span: the "
        "server must keep them that long (Prometheus keeps 15d unless "
        f"--storage.tsdb.retention.time={shorthand(longest)} or more is set)"
    )
    return [RuleNote(level="note", objective=None, text=text)]


def _span(window: Window, *, at: int) -> int:
    """How far back the rules of ``window`` sum its recordings: the rolling window, or the
    longest period of a calendar window (its range selector)."""
    if isinstance(window, CalendarWindow):
        found = period_of(window)
        if not isinstance(found, str):
            return found.max_seconds
    return window_bounds(window, at=at).length


def _horizon_notes(plan: RulePlan, *, at: datetime) -> list[RuleNote]:
    """Calendar windows in a zone with daylight saving time hold an offset table: say until
    when, and warn when less than a year of it is left."""
    zones = seasonal_zones([t.objective for t in plan.targets])
    if not zones:
        return []
    soon = HORIZON[1] - int(at.timestamp()) < 365 * 86400
    text = (
        f"the calendar windows in {', '.join(zones)} (daylight saving time) use the zones' "
        f"UTC offsets from {horizon_text()}"
        + (": less than a year left, regenerate with a newer Covenant" if soon else "")
    )
    return [RuleNote(level="warning" if soon else "note", objective=None, text=text)]


_DNS_LABEL = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"
_DNS_SUBDOMAIN = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$"
_LABEL_KEY = r"^([a-z0-9]([-a-z0-9.]*[a-z0-9])?/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$"
_LABEL_VALUE = r"^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$"


def operator_metadata(
    name: str | None,
    namespace: str | None,
    labels: Sequence[str],
    *,
    operator: bool,
    flag: str = "--",
) -> dict[str, Any]:
    """The PrometheusRule's name, namespace and ``KEY=VALUE`` labels, checked as Kubernetes
    checks them (OptionValueError naming the option, ``flag`` its prefix: ``--name`` on the
    command line, ``name`` in a query), as ``rules_yaml``'s metadata."""
    wanted = f"{flag}format prometheusrule" if flag else "format=prometheusrule"
    given = {f"{flag}name": name, f"{flag}namespace": namespace, f"{flag}label": labels or None}
    if not operator:
        used = [option for option, value in given.items() if value]
        if used:
            raise OptionValueError(
                f"{used[0]} is for {wanted}",
                hint=f"add {wanted}, or leave it out",
            )
        return {}
    found: dict[str, Any] = {}
    for key, value, most in (("name", name, 253), ("namespace", namespace, 63)):
        if value is None:
            continue
        option = f"{flag}{key}"
        label = key == "namespace"  # a namespace is a DNS label: no dots
        allowed = (
            "lowercase letters, digits and '-'"
            if label
            else "lowercase letters, digits, '-' and '.'"
        )
        if len(value) > most or not re.fullmatch(_DNS_LABEL if label else _DNS_SUBDOMAIN, value):
            raise OptionValueError(
                f"{option} {value!r} is not a Kubernetes name",
                hint=f"{allowed}, at most {most} characters, e.g. checkout-slos",
            )
        found[key] = value
    pairs: dict[str, str] = {}
    for item in labels:
        key, eq, value = item.partition("=")
        prefix, _, short = key.rpartition("/")
        sizes = len(prefix) <= 253 and len(short) <= 63 and len(value) <= 63
        if (
            not eq
            or not sizes
            or not re.fullmatch(_LABEL_KEY, key)
            or not re.fullmatch(_LABEL_VALUE, value)
        ):
            raise OptionValueError(
                f"{flag}label {item!r} is not a Kubernetes label KEY=VALUE",
                hint=f"e.g. {flag}label release=prometheus" if flag else "e.g. release=prometheus",
            )
        pairs[key] = value
    if pairs:
        found["labels"] = pairs
    return found
