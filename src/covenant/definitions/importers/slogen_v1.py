"""slo-generator v1 SLO configs, read as the v2 config ``slo-generator migrate`` writes.

A v1 config names the SLO by ``service_name``, ``feature_name`` and ``slo_name``, gives
``slo_target``, and puts the backend (``class``, ``method``, ``measurement`` and its settings)
inline. Its v2 form: ``metadata.name: <service>-<feature>-<slo>`` with those three as labels,
``goal: slo_target``, ``backend`` the class's v2 name, ``service_level_indicator`` the
measurement; the backend's other settings (``url``, ``project_id``…) are its DataSource's, as
a v2 shared config's ``backends`` are.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import PurePath
from typing import Any

from covenant.definitions.importers.base import mapping
from covenant.definitions.yamlsource import PathKey, SourceDocument

RENAMED = {  # v1 backend classes renamed in v2 (slo-generator's PROVIDERS_COMPAT)
    "Stackdriver": "CloudMonitoring",
    "StackdriverServiceMonitoring": "CloudServiceMonitoring",
    # the first name of Service Monitoring's backend (slo_generator/backends/ssm.py, SsmBackend,
    # in GoogleCloudPlatform/professional-services' early slo-generator), before it became
    # StackdriverServiceMonitoring
    "Ssm": "CloudServiceMonitoring",
}
EARLY_CLASSES = {"Ssm"}  # v1 classes of the early slo-generator only: told when read


def early_class_note(data: Mapping[str, Any]) -> str:
    """What a v1 ``class`` of the early slo-generator is read as ("" for any other class)."""
    klass = str(mapping(data.get("backend")).get("class") or "")
    if klass not in EARLY_CLASSES:
        return ""
    return (
        f"class {klass}: the Service Monitoring backend of the early slo-generator "
        f"(slo_generator/backends/ssm.py, later StackdriverServiceMonitoring): read as "
        f"{v2_backend(klass)}, its v2 name"
    )


def v2_backend(klass: str) -> str:
    """The v2 backend name of a v1 ``class``, as ``slo-generator migrate`` writes it: a core
    class (no dot) renamed and in snake_case (``CloudMonitoringMql`` → ``cloud_monitoring_mql``),
    a custom class's dotted path (``module.Class``) kept as written."""
    if "." in klass:
        return klass
    return re.sub(r"(?<!^)(?=[A-Z])", "_", RENAMED.get(klass, klass)).lower()


def is_v1(data: Any) -> bool:
    return isinstance(data, Mapping) and "slo_target" in data and "slo_name" in data


def inline_backend(data: Mapping[str, Any]) -> dict[str, Any]:
    """The settings a v1 config writes inline in its backend (``url``, ``project_id``,
    ``headers``…): what a v2 shared config holds under ``backends.<name>``."""
    backend = mapping(data.get("backend"))
    return {k: v for k, v in backend.items() if k not in ("class", "method", "measurement")}


V1_FIELDS = (  # a v1 config's own fields; migrate makes any other top-level field a label
    "service_name",
    "feature_name",
    "slo_name",
    "slo_description",
    "slo_target",
    "backend",
    "exporters",
)


def v2_from_v1(data: Mapping[str, Any]) -> dict[str, Any]:
    """The v2 config of a v1 one, as ``slo-generator migrate`` writes it: its other top-level
    fields (``team: sre``, ``metadata: {env: test}``) are labels."""
    backend = mapping(data.get("backend"))
    names = [str(data.get(key) or "") for key in ("service_name", "feature_name", "slo_name")]
    labels: dict[str, Any] = dict(
        zip(("service_name", "feature_name", "slo_name"), names, strict=True)
    )
    sli = dict(mapping(backend.get("measurement")))
    top_id = top_slo_id(data)
    if top_id:
        sli["slo_id"] = data["slo_id"]
    labels.update(
        {
            str(k): v
            for k, v in data.items()
            if k not in V1_FIELDS and not (top_id and k == "slo_id") and not lone_exporter(data, k)
        }
    )
    klass = str(backend.get("class") or "")
    exporters = data.get("exporters")
    return {
        "apiVersion": "sre.google.com/v2",
        "kind": "ServiceLevelObjective",
        "metadata": {
            "name": "-".join(n for n in names if n),
            "labels": labels,
        },
        "spec": {
            "description": data.get("slo_description") or "",
            "backend": v2_backend(klass),
            "method": backend.get("method"),
            "exporters": [mapping(e).get("class") for e in exporters]
            if isinstance(exporters, list)
            else [],
            "service_level_indicator": sli,
            "goal": data.get("slo_target"),
        },
    }


def lone_exporter(data: Mapping[str, Any], key: Any) -> bool:
    """``exporter: {class: Datadog}``: one exporter under a name slo-generator does not read
    (it reads ``exporters``), not a label."""
    return key == "exporter" and isinstance(data.get(key), Mapping) and "class" in data[key]


LONE_EXPORTER = (
    "exporter: slo-generator reads exporters, a list ('- class: {klass}'); this one it does "
    "not read (exporter, singular), so it exported nothing; not carried over — Covenant serves "
    "its results through its API and /metrics"
)


def v2_lines(doc: SourceDocument) -> SourceDocument:
    """``doc`` with each field's line under its place in ``v2_from_v1``'s config, so a note
    or problem named by its v2 field (``spec.service_level_indicator.threshold_bucket``)
    points at the line the v1 file writes it on (``backend.measurement.threshold_bucket``);
    a v2 field of no v1 line (``spec``) points at the config's first line."""
    top = top_slo_id(doc.data) if isinstance(doc.data, Mapping) else False
    lines: dict[PathKey, int] = {
        ("spec",): doc.line,
        ("metadata",): doc.line,
        ("metadata", "labels"): doc.line,
    }
    for path, line in doc.lines.items():
        v2 = _v2_path(path, top_id=top)
        if v2 is not None:
            lines.setdefault(v2, line)
    return replace(doc, lines=lines)


def _v2_path(path: PathKey, *, top_id: bool) -> PathKey | None:
    head, rest = path[0], path[1:]
    if head == "backend":
        if rest[:1] == ("measurement",):
            return ("spec", "service_level_indicator", *rest[1:])
        own: dict[PathKey, PathKey] = {
            ("class",): ("spec", "backend"),
            ("method",): ("spec", "method"),
        }
        return own.get(rest)
    if top_id and head == "slo_id":
        return ("spec", "service_level_indicator", "slo_id", *rest)
    moved = {"slo_target": "goal", "slo_description": "description", "exporters": "exporters"}
    if isinstance(head, str) and head in moved:
        return ("spec", moved[head], *rest)
    return ("metadata", "labels", *path)  # service_name…, and what migrate makes a label


def top_slo_id(data: Mapping[str, Any]) -> bool:
    """Whether a v1 config's ``query_slo`` names its SLO by a top-level ``slo_id``, where the
    early Datadog backend read it (``slo_config['slo_id']``), and not in its measurement."""
    backend = mapping(data.get("backend"))
    return (
        backend.get("method") == "query_slo"
        and data.get("slo_id") is not None
        and "slo_id" not in mapping(backend.get("measurement"))
    )


V1_STEP_FIELDS = {  # a v1 error-budget policy step's field → its v2 name (slo-generator migrate)
    "error_budget_policy_step_name": "name",
    "measurement_window_seconds": "window",
    "alerting_burn_rate_threshold": "burn_rate_threshold",
    "urgent_notification": "alert",
    "overburned_consequence_message": "message_alert",
    "achieved_consequence_message": "message_ok",
}


def is_v1_policy(steps: Sequence[Any]) -> bool:
    """Whether ``steps`` (a file's documents) are a v1 error-budget policy: a list of steps."""
    return bool(steps) and all(
        isinstance(step, Mapping) and "error_budget_policy_step_name" in step for step in steps
    )


def v2_config_from_v1_policy(steps: Sequence[Mapping[str, Any]], file: str) -> dict[str, Any]:
    """The shared config ``slo-generator migrate -b FILE`` writes for a v1 policy: its steps
    renamed, under the key ``default`` (the policy v1 SLO configs use) and, as migrate names
    it, the file's stem without ``error_budget_policy_``."""
    policy = {"steps": [{V1_STEP_FIELDS.get(k, k): v for k, v in step.items()} for step in steps]}
    stem = PurePath(file).stem.removeprefix("error_budget_policy_")
    keys = {"default", "default" if stem == "error_budget_policy" else stem}
    return {"error_budget_policies": dict.fromkeys(sorted(keys), policy), V1_POLICY: True}


V1_POLICY = "covenant_v1_policy"
"""The key marking a config made of a v1 policy: its steps are named in the v1 file's words."""


def step_words(config: Mapping[str, Any], file: str, policy: str, index: int) -> tuple[str, ...]:
    """Where step ``index`` of ``policy`` is written, and its window's and threshold's field
    names, as the file the config was read from writes them (a v1 list, or a v2 config)."""
    if config.get(V1_POLICY) is True:
        steps = mapping(mapping(config.get("error_budget_policies")).get(policy)).get("steps")
        step = mapping(steps[index]) if isinstance(steps, list) else {}
        name = step.get("name")
        named = f" ({str(name)!r})" if name is not None else ""
        return (
            f"{file} step {index + 1}{named}",
            "measurement_window_seconds",
            "alerting_burn_rate_threshold",
        )
    return (
        f"{file} error_budget_policies.{policy}.steps[{index}]",
        "window",
        "burn_rate_threshold",
    )


def snake_cases(spec: Any) -> str:
    """``serviceLevelIndicator → service_level_indicator, …``: the camelCase keys of ``spec``
    (the first six, outer keys first) as slo-generator's v2 writes them."""
    found: list[str] = []
    stack = [spec]
    while stack and len(found) < 6:
        item = stack.pop(0)
        if isinstance(item, Mapping):
            for key, value in item.items():
                if isinstance(key, str) and key != key.lower() and key not in found:
                    found.append(key)
                stack.append(value)
    pairs = [f"{k} → {re.sub(r'(?<!^)(?=[A-Z])', '_', k).lower()}" for k in found[:6]]
    return ", ".join(pairs) or "serviceLevelIndicator → service_level_indicator"


EARLY_BACKENDS = {
    "cm": "cloud_monitoring",
    "csm": "cloud_service_monitoring",
    "elk": "elasticsearch",
    "stackdriver": "cloud_monitoring",
    "stackdriver_service_monitoring": "cloud_service_monitoring",
}
"""Short names the early CRD configs gave their backends (their ConfigMap's ``backends:``,
each a ``name`` and a ``class``: cm CloudMonitoring, csm CloudServiceMonitoring, elk
Elasticsearch), and v1's class names, → the v2 backend."""


def early_crd_fix(data: Mapping[str, Any]) -> str:
    """The fix of an early ``cloud.google.com/v1`` CRD form: the v2 form to write (the file's
    own renames), and what Covenant does with the file's backend once it is written so."""
    from covenant.definitions.importers.slogen_backends import BACKEND_TYPES  # noqa: PLC0415

    spec = mapping(data.get("spec"))
    backend = spec.get("backend")
    name = str(backend).partition("/")[0] if backend else ""
    bucket = _threshold_bucket(spec)
    if bucket is not None and (name in BACKEND_TYPES or name == "prometheus"):
        reads = _BUCKET.format(bucket=bucket)
    elif name == "prometheus":
        reads = (
            "backend prometheus: Covenant queries it for the SLI's counts (its url from "
            "--prometheus-url or the shared config's backends.prometheus)"
        )
    elif name in BACKEND_TYPES:
        reads = (
            f"backend {name}: Covenant does not query it; the SLO is imported with a DataSource "
            "of that type and its SLI's good and total counts come from covenant ingest events "
            "(docs/ingest.md); for counts Covenant reads itself, give it a prometheus backend"
        )
    else:
        known = ", ".join(["prometheus", *sorted(BACKEND_TYPES)])
        meant = EARLY_BACKENDS.get(name.lower())
        also = (
            f" (the early configs named their backends; write backend: {meant} if {name} is its "
            f"{meant} backend)"
            if meant
            else ""
        )
        reads = (
            f"backend {name or '(none)'} is not one slo-generator v2 ships{also}: name one of "
            f"{known} (Covenant queries prometheus; the others are fed with covenant ingest "
            "events)"
        )
        if bucket is not None:
            reads += "; " + _BUCKET.format(bucket=bucket)
    return (
        "rewrite it as slo-generator's v2 config: apiVersion: sre.google.com/v2, kind: "
        "ServiceLevelObjective, the same metadata, and spec with snake_case keys "
        f"({snake_cases(data.get('spec'))}), then covenant import slo-generator FILE again; "
        f"{reads}"
    )


_BUCKET = (
    "threshold bucket {bucket} is a bucket index of the backend's latency distribution, not "
    "a latency: written so, the SLO is still left out (the bound in ms is only in the metric's "
    "bucket layout) — to keep it, write it as OpenSLO with the bound in its SLI's "
    'covenant.dev/events annotation, \'{{"latencyMs": {{"op": "lt", "value": <ms>}}}}\' '
    "(<ms>: the upper bound of bucket {bucket}), and feed it with covenant ingest events"
)


def _threshold_bucket(spec: Mapping[str, Any]) -> Any:
    """The bucket index of an early CRD's distribution_cut SLI (either spelling), or None."""
    for key in ("serviceLevelIndicator", "service_level_indicator"):
        sli = mapping(spec.get(key))
        for field in ("thresholdBucket", "threshold_bucket"):
            if sli.get(field) is not None:
                return sli[field]
    return None


CONFIG_LISTS = ("backends", "exporters", "error_budget_policies")


def early_config_lists(config: Any) -> str:
    """What else to rewrite when a ConfigMap's ``data:`` holds the early CRD form of the shared
    config, its backends, exporters or policies as lists of named entries (``- name: cm``,
    ``class: CloudMonitoring``), which slo-generator v2 reads as mappings keyed by name; ""
    when none is a list."""
    inner = mapping(mapping(config).get("data"))
    listed = [key for key in CONFIG_LISTS if isinstance(inner.get(key), list)]
    if not listed:
        return ""
    names = " and ".join([", ".join(listed[:-1]), listed[-1]] if len(listed) > 1 else listed)
    examples = []
    backends = inner.get("backends")
    if isinstance(backends, list) and backends:
        klass = str(mapping(backends[0]).get("class") or "")
        if klass:
            examples.append(
                f"backends: {{{v2_backend(klass)}: {{project_id: …}}}} for class {klass}"
            )
    policies = inner.get("error_budget_policies")
    if isinstance(policies, list) and policies:
        name = str(mapping(policies[0]).get("name") or "<name>")
        examples.append(f"error_budget_policies: {{{name}: {{steps: [...]}}}}")
    return (
        f"; its data: writes {names} as lists of named entries (the early CRD form), which "
        "slo-generator v2 reads as mappings keyed by name (camelCase keys in snake_case)"
        + (f": write {'; '.join(examples)}" if examples else "")
    )
