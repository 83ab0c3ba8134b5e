"""What every importer shares: the result of one file, notes, names and OpenSLO documents.

An importer reads one file of another tool (already parsed, with lines) and returns an
:class:`ImportedFile`: the OpenSLO v1 / ``covenant/v1`` documents it became, a :class:`Note`
for every field that could not be carried over (field path, line, reason), the names it had to
change to fit OpenSLO's DNS-label rule, and coded problems when the file is not a valid input
of its tool at all (then nothing of it is imported).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from covenant.core.timeutil import shorthand
from covenant.definitions.covenant_v1 import SLOTH_SLO_KEY
from covenant.definitions.diagnostics import not_a_query, number_text, query_expected, query_fix
from covenant.definitions.fields import dns_label
from covenant.definitions.yamlsource import PathKey, SourceDocument, field_path
from covenant.errors import Problem

PROMETHEUS = "Prometheus"
NAME_LIMIT = 63

# problem codes of the importers (docs/errors.md)
UNRECOGNISED = "import-unrecognised"
MISSING = "import-missing-field"
INVALID = "import-invalid-value"
NOT_CARRIED = "import-not-carried"


@dataclass(frozen=True, slots=True, kw_only=True)
class Note:
    """A field of the source that was not carried over (or changed), and why."""

    where: str  # file:line
    field: str  # path in the source document (``slos[1].sli.raw``)
    reason: str
    skipped: bool = False  # True: a whole SLO of the source was left out

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": NOT_CARRIED,
            "where": self.where,
            "field": self.field,
            "reason": self.reason,
            "skipped": self.skipped,
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class Options:
    """Choices the user makes on the command line (``covenant import --help``)."""

    datasource: str = "prometheus"
    prometheus_url: str = "http://localhost:9090"
    prometheus_url_given: bool = False  # --prometheus-url given: it wins over a config's URL
    sloth_period: str = "30d"
    alert_windows: Mapping[str, Any] | None = None  # a Sloth AlertWindows spec
    slo_generator_config: Mapping[str, Any] | None = None  # slo-generator's shared config
    slo_generator_config_file: str = ""
    slo_generator_config_sought: bool = True  # False: a file on its own (POST /imports)
    inline_backend: Mapping[str, Any] | None = None  # a v1 config's backend settings: they win
    split_groups: bool = False  # --split-groups: one SLO per group value the server has
    split_asks_workspace_only: bool = False  # over HTTP: never a server a request names


@dataclass(slots=True, kw_only=True)
class Grouping:
    """A grouped SLI imported as one SLO over every group (``importers.groups`` splits it)."""

    labels: tuple[str, ...]  # the labels the source groups by
    bases: dict[str, str]  # role (good, bad, total) → its query over all groups, ungrouped
    notes: list[Note]  # the notes saying it was imported over all groups
    refusal: str = ""  # why it cannot be split ("": it can)
    document: dict[str, Any] | None = None  # its SLO document, once made


@dataclass(slots=True, kw_only=True)
class ImportedFile:
    """One source file after import."""

    source: str
    tool: str
    documents: list[dict[str, Any]] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    renamed: dict[str, str] = field(default_factory=dict)  # name in the source → OpenSLO name
    problems: list[Problem] = field(default_factory=list)  # errors: the file is not imported
    reason: str = ""  # why nothing of a readable file was imported (not an SLO file…)
    said: set[str] = field(default_factory=set)  # notes given once per file
    gathered: dict[str, tuple[Note, list[str]]] = field(default_factory=dict)  # pyrra_routing
    groups: list[Grouping] = field(default_factory=list)  # grouped SLIs (--split-groups)
    ids: dict[str, tuple[str, str]] = field(default_factory=dict)  # Sloth id → (where, field)

    @property
    def slos(self) -> list[str]:
        return [d["metadata"]["name"] for d in self.documents if d.get("kind") == "SLO"]


class Recorder:
    """Collects notes and problems about one source document, positioned by field path."""

    def __init__(self, result: ImportedFile, doc: SourceDocument, prefix: PathKey = ()) -> None:
        self.result = result
        self.doc = doc
        self.prefix = prefix

    def at(self, path: PathKey) -> tuple[str, str]:
        full = (*self.prefix, *path)
        return self.doc.where(full), field_path(full)

    def note(self, path: PathKey, reason: str, *, skipped: bool = False) -> None:
        where, name = self.at(path)
        self.result.notes.append(Note(where=where, field=name, reason=reason, skipped=skipped))

    def note_once(self, path: PathKey, reason: str) -> None:
        """A note that holds for the whole file: given at its first place only."""
        if reason not in self.result.said:
            self.result.said.add(reason)
            self.note(path, reason)

    def problem(self, path: PathKey, code: str, message: str, fix: str) -> None:
        where, name = self.at(path)
        self.result.problems.append(
            Problem(code=code, message=message, where=where, field=name, fix=fix)
        )

    def quoted(self, path: PathKey) -> bool:
        """Whether the value at ``path`` is a YAML 1.1 boolean word written quoted (or as a
        block scalar): text to every YAML reader (``SourceDocument.quoted_words``)."""
        return (*self.prefix, *path) in self.doc.quoted_words

    def child(self, path: PathKey) -> Recorder:
        return Recorder(self.result, self.doc, (*self.prefix, *path))

    def no_query_text(
        self, path: PathKey, value: Any, *, example: str, what: str = "PromQL query"
    ) -> bool:
        """Whether ``value`` (at ``path``, a query's field) is a number, boolean, list or
        mapping: then recorded as such (not as missing), with the query to write instead."""
        if not_a_query(value) is None:
            return False
        name = field_path((*self.prefix, *path))
        key = str(path[-1])
        self.problem(
            path,
            INVALID,
            query_expected(name, value, what=what),
            query_fix(key, example, what=what),
        )
        return True


DESCRIPTION_LIMIT = 1050  # OpenSLO's maximum


def description(record: Recorder, path: PathKey, value: Any) -> str:
    """A description as OpenSLO takes it (cut to its limit, noted)."""
    text = str(value or "").strip()
    if len(text) > DESCRIPTION_LIMIT:
        record.note(path, f"description cut to OpenSLO's {DESCRIPTION_LIMIT} characters")
        text = text[:DESCRIPTION_LIMIT]
    return text


def name_for(result: ImportedFile, original: str) -> str:
    """The OpenSLO name of ``original``; a changed name is recorded in ``result.renamed``."""
    name = dns_label(original)
    if name != original:
        result.renamed[original] = name
    return name


def label_values(labels: Any, record: Recorder | None = None, path: PathKey = ()) -> dict[str, str]:
    """Labels as OpenSLO writes them: text values (``tier: 2`` → ``"2"``, ``true`` → ``"true"``,
    a list of texts joined with ``,``); a mapping or a nested list is noted on ``record`` (at
    ``path``, the labels' place) as not carried over."""
    if not isinstance(labels, Mapping):
        return {}
    out: dict[str, str] = {}
    for key, value in labels.items():
        if isinstance(value, bool):
            out[str(key)] = "true" if value else "false"
        elif isinstance(value, list) and all(_scalar(v) for v in value):
            out[str(key)] = ",".join(label_values({"v": v})["v"] for v in value)
        elif isinstance(value, (Mapping, list)):
            if record is not None:
                record.note(
                    (*path, key),
                    f"a {'mapping' if isinstance(value, Mapping) else 'nested list'}, where a "
                    "label holds one text: not carried over (write its parts as labels of "
                    "their own to keep them)",
                )
        elif value is not None:
            out[str(key)] = str(value)
    return out


def _scalar(value: Any) -> bool:
    return value is not None and not isinstance(value, (Mapping, list))


def mapping(value: Any) -> Mapping[str, Any]:
    """``value`` when it is a mapping, else an empty one (a missing or mistyped block)."""
    return value if isinstance(value, Mapping) else {}


def shown(value: Any) -> str:
    """A value of the file as a message shows it: a number as written (``99.5``, never
    ``Decimal('99.5')``), anything else quoted."""
    if isinstance(value, Decimal) and value.is_finite():
        return number_text(value)
    return repr(value)


def decimal(value: Any) -> Decimal | None:
    """A number as written (``99.9``, ``"99.9"``, ``95``) as a Decimal; None when it is not one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, Decimal)):
        return Decimal(value)
    if isinstance(value, str):
        try:
            number = Decimal(value.strip())
        except InvalidOperation:
            return None
        return number if number.is_finite() else None
    return None


def quoted_number(record: Recorder, key: str, block: Any, tool: str = "Sloth") -> bool:
    """Whether ``block[key]`` is a number written quoted (``objective: "99.9"``), recorded as
    refused: ``tool`` reads it as a float with Go's yaml.v2 or encoding/json, which set no
    string into a float."""
    written = block.get(key) if isinstance(block, Mapping) else None
    if not isinstance(written, str) or decimal(written) is None:
        return False
    record.problem(
        (key,),
        INVALID,
        f"{key} {written!r} is quoted: text, not a number ({tool} reads {key} as a float and "
        "refuses the spec)",
        f"write {key}: {written.strip()} without quotes",
    )
    return True


def percent_to_target(percent: Decimal) -> Decimal:
    """``99.9`` → ``0.999`` exactly (a decimal shift, never a float division)."""
    return percent.scaleb(-2)


def below_one_percent(
    record: Recorder, path: PathKey, percent: Decimal, tool: str, *, warns: bool = False
) -> None:
    """Note a percentage under 1 (``0.999``: likely a fraction meant as 99.9 %). ``warns``: the
    tool warns of it too, and takes the percentage as a quoted text (Pyrra's ``target``), so
    the fix is written quoted."""
    if percent < 1:
        meant = number_text(percent.scaleb(2).normalize())
        also = f", and {tool} warns it is from 0-100, not 0-1" if warns else ""
        fix = f'{path[-1]}: "{meant}"' if warns else meant
        record.note(
            path,
            f"{number_text(percent)} is read as a percentage, as {tool} reads it: "
            f"{number_text(percent)} % (target {number_text(percent_to_target(percent))}){also}; "
            f"for {meant} % write {fix}",
        )


def metric(query: str, *, datasource: str, source_type: str = PROMETHEUS) -> dict[str, Any]:
    return {
        "metricSource": {
            "metricSourceRef": datasource,
            "type": source_type,
            "spec": {"query": query},
        }
    }


def metric_spec(spec: Mapping[str, Any], *, datasource: str, source_type: str) -> dict[str, Any]:
    return {
        "metricSource": {"metricSourceRef": datasource, "type": source_type, "spec": dict(spec)}
    }


def service_document(name: str, description: str = "") -> dict[str, Any]:
    document: dict[str, Any] = {
        "apiVersion": "openslo/v1",
        "kind": "Service",
        "metadata": {"name": name},
    }
    document["spec"] = {"description": description[:1050]} if description else {}
    return document


def prometheus_datasource(
    name: str, url: str, details: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """A Prometheus DataSource at ``url``, with further ``connectionDetails`` (headers…)."""
    return {
        "apiVersion": "openslo/v1",
        "kind": "DataSource",
        "metadata": {"name": name},
        "spec": {"type": PROMETHEUS, "connectionDetails": {"url": url, **(details or {})}},
    }


def tier(
    name: str,
    severity: str,
    long_window: str,
    short_window: str,
    *,
    budget_percent: Decimal | None = None,
    burn_rate: Decimal | None = None,
) -> dict[str, Any]:
    """A ``covenant/v1`` alert tier that fires strictly above its threshold (``op: gt``), as
    Sloth, Pyrra and slo-generator all compare."""
    out: dict[str, Any] = {
        "name": name,
        "severity": severity,
        "longWindow": long_window,
        "shortWindow": short_window,
        "op": "gt",
    }
    if budget_percent is not None:
        out["budgetPercent"] = budget_percent
    if burn_rate is not None:
        out["burnRate"] = burn_rate
    return out


@dataclass(frozen=True, slots=True, kw_only=True)
class SLOParts:
    """What an importer knows about one SLO; :func:`slo_document` writes it."""

    name: str
    service: str
    indicator: Mapping[str, Any]  # the SLI spec: {"ratioMetric": {...}}
    target: Decimal
    window: str  # a rolling duration (``30d``)
    display_name: str = ""
    description: str = ""
    labels: Mapping[str, str] = field(default_factory=dict)
    annotations: Mapping[str, str] = field(default_factory=dict)
    sli_annotations: Mapping[str, str] = field(default_factory=dict)  # covenant.dev/events…
    tiers: Sequence[Mapping[str, Any]] | None = None  # None: Covenant's default tiers


def slo_document(parts: SLOParts) -> dict[str, Any]:
    """An SLO with its SLI inline; ``covenant/v1`` when it states its alert tiers."""
    metadata: dict[str, Any] = {"name": parts.name}
    if parts.display_name:
        metadata["displayName"] = parts.display_name
    if parts.labels:
        metadata["labels"] = dict(parts.labels)
    if parts.annotations:
        metadata["annotations"] = dict(parts.annotations)
    spec: dict[str, Any] = {}
    if parts.description:
        spec["description"] = parts.description[:1050]
    spec["service"] = parts.service
    sli_metadata: dict[str, Any] = {"name": parts.name}
    if parts.sli_annotations:
        sli_metadata["annotations"] = dict(parts.sli_annotations)
    spec["indicator"] = {"metadata": sli_metadata, "spec": dict(parts.indicator)}
    spec["timeWindow"] = [{"duration": parts.window, "isRolling": True}]
    spec["budgetingMethod"] = "Occurrences"
    # 0.990 (from "99.0" or a goal so written) as 0.99: the same number, written plainly
    spec["objectives"] = [{"target": parts.target.normalize()}]
    api = "openslo/v1"
    if parts.tiers is not None:
        api = "covenant/v1"
        spec["alerting"] = {"defaults": False, "tiers": [dict(t) for t in parts.tiers]}
    return {"apiVersion": api, "kind": "SLO", "metadata": metadata, "spec": spec}


def duration_text(seconds: int) -> str | None:
    """Whole seconds as an OpenSLO duration (``3600`` → ``1h``); None below a whole minute."""
    if seconds <= 0 or seconds % 60:
        return None
    return shorthand(seconds)


def prometheus_duration_seconds(text: str) -> int | None:
    """A Prometheus duration (``4w``, ``1h30m``, ``90s``, ``1y`` = 365d) in seconds."""
    units = {"ms": 0, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800, "y": 31536000}
    text = text.strip()
    if not re.fullmatch(r"(\d+(ms|s|m|h|d|w|y))+", text):
        return None
    total = 0
    for count, unit in re.findall(r"(\d+)(ms|s|m|h|d|w|y)", text):
        if unit == "ms":
            if int(count) % 1000:
                return None
            total += int(count) // 1000
        else:
            total += int(count) * units[unit]
    return total


def add_once(result: ImportedFile, document: dict[str, Any]) -> None:
    """Add a Service or DataSource unless the file already has one of that name."""
    key = (document["kind"], document["metadata"]["name"])
    if all((d["kind"], d["metadata"]["name"]) != key for d in result.documents):
        result.documents.append(document)


def disambiguate(files: Sequence[ImportedFile], taken: set[str]) -> None:
    """SLOs of one import whose names collide (with each other, or with an SLO of the
    workspace) are named ``<service>-<name>`` instead (Sloth's ``sloth_id``), noted."""
    slos = [d for f in files for d in f.documents if d.get("kind") == "SLO"]
    names = [d["metadata"]["name"] for d in slos]
    pairs = [(d["spec"]["service"], d["metadata"]["name"]) for d in slos]
    clashing = {n for n in names if names.count(n) > 1 or n in taken}
    used = set(taken) | {n for n in names if n not in clashing}
    for result in files:
        for document in result.documents:
            name = document["metadata"]["name"]
            if document.get("kind") != "SLO" or name not in clashing:
                continue
            base = dns_label(f"{document['spec']['service']}-{name}")
            candidate, counter = base, 2
            while candidate in used:
                candidate = f"{base[: NAME_LIMIT - 1 - len(str(counter))]}-{counter}"
                counter += 1
            used.add(candidate)
            document["metadata"]["name"] = candidate
            document["spec"]["indicator"]["metadata"]["name"] = candidate
            where = "another SLO of this import" if name not in taken else "an SLO of the workspace"
            annotations = document["metadata"].setdefault("annotations", {})
            if name in taken or pairs.count((document["spec"]["service"], name)) > 1:
                annotations.pop(SLOTH_SLO_KEY, None)  # the new name is its label: apart
            if name in taken:
                labels = "its rules' sloth_slo is the new name: the workspace's SLO has the old"
            elif pairs.count((document["spec"]["service"], name)) > 1:
                labels = "its rules' sloth_slo is the new name: its service has two SLOs so named"
            else:  # the name stays its sloth_slo label: Sloth's ids, dashboards and routes
                annotations.setdefault(SLOTH_SLO_KEY, name)  # (Sloth's, when renamed before)
                labels = (
                    f"its rules keep Sloth's sloth_slo {annotations[SLOTH_SLO_KEY]!r} "
                    f"({SLOTH_SLO_KEY})"
                )
            result.notes.append(
                Note(
                    where=result.source,
                    field="",
                    reason=f"SLO {name!r} is also the name of {where}: named {candidate!r} "
                    f"(service and name); {labels}",
                )
            )


def threshold_notes(
    record: Recorder,
    path: PathKey,
    tiers: Sequence[Mapping[str, Any]] | None,
    *,
    target: Decimal,
    window: str,
) -> None:
    """Note tiers whose burn-rate threshold Covenant's engine keeps within [1, 1 / (1 − T)]
    (docs/semantics.md): below 1 it compares with 1, above the highest burn with that burn."""
    from fractions import Fraction  # noqa: PLC0415

    from covenant.definitions.durations import parse_duration  # noqa: PLC0415

    window_s = parse_duration(window).seconds
    highest = 1 / (1 - Fraction(target))
    for one in tiers or ():
        long_s = parse_duration(str(one["longWindow"])).seconds
        if one.get("burnRate") is not None:
            factor = Fraction(one["burnRate"])
        else:
            factor = Fraction(one["budgetPercent"]) / 100 * window_s / long_s
        if factor < 1:
            record.note(
                path,
                f"tier {one['name']}: the source's threshold is {float(factor):.4g}; Covenant "
                "compares with 1 at least (below 1 a burn cannot exhaust the budget in the window)",
            )
        elif factor > highest:
            record.note(
                path,
                f"tier {one['name']}: threshold {float(factor):.4g} is above {float(highest):.4g}, "
                f"the highest burn rate a target of {target} allows: it never fires, here as in "
                "the source",
            )
