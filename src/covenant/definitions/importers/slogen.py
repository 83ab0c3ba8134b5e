"""slo-generator ``sre.google.com/v2`` SLO configs → OpenSLO.

Meaning kept (docs/import.md): ``goal`` → ``target`` as written; the SLO window is the longest
step of its error-budget policy (``spec.error_budget_policy``, default ``default``, from the
shared ``config.yaml``); every step with ``alert: true`` is an alert tier with that step's
window as both windows (slo-generator looks at one window) and its ``burn_rate_threshold``.
The Prometheus backend's ``good_bad_ratio`` filters become counter selectors,
``distribution_cut`` a histogram (``le`` = ``threshold_bucket``, total ``le="+Inf"``), and a
``query_sli`` that is one count divided by another its two counts. Other backends import with
a DataSource of their type that Covenant does not query (feed the SLI with ``covenant ingest
events``), but a Cloud Monitoring ``distribution_cut`` is left out: its ``threshold_bucket`` is a
bucket index, the latency bound it stands for is not in the file. A latency bound the file does
give (a Service Monitoring ``range_max`` or basic ``latency.threshold``, a Dynatrace
``threshold``) becomes the SLI's ``covenant.dev/events`` rule (``slogen_bounds``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from pathlib import PurePath
from typing import Any

from covenant.definitions.diagnostics import yaml_value
from covenant.definitions.fields import dns_label
from covenant.definitions.importers.base import (
    INVALID,
    MISSING,
    UNRECOGNISED,
    ImportedFile,
    Options,
    Recorder,
    SLOParts,
    add_once,
    decimal,
    description,
    duration_text,
    label_values,
    mapping,
    name_for,
    prometheus_datasource,
    service_document,
    shown,
    slo_document,
    threshold_notes,
    tier,
)
from covenant.definitions.importers.bundles import unrecognised
from covenant.definitions.importers.slogen_backends import (
    BACKEND_TYPES,
    backend_datasource,
    other_backend,
)
from covenant.definitions.importers.slogen_bounds import NONE, latency_bound
from covenant.definitions.importers.slogen_prometheus import (
    prometheus_headers,
    prometheus_indicator,
    prometheus_url,
)
from covenant.definitions.importers.slogen_v1 import (
    LONE_EXPORTER,
    early_class_note,
    early_config_lists,
    early_crd_fix,
    inline_backend,
    is_v1,
    lone_exporter,
    step_words,
    top_slo_id,
    v2_from_v1,
    v2_lines,
)
from covenant.definitions.yamlsource import SourceDocument

DEFAULT_WINDOW = "28d"


def import_slo_generator(
    docs: list[SourceDocument], *, file: str, options: Options
) -> ImportedFile:
    result = ImportedFile(source=file, tool="slo-generator")
    for doc in docs:
        record = Recorder(result, doc)
        data = doc.data
        if (
            isinstance(data, Mapping)
            and data.get("apiVersion") == "sre.google.com/v2"
            and data.get("kind") == "ServiceLevelObjective"
        ):
            _slo(result, record, data, options)
        elif is_v1(data):
            record.note(
                (),
                "a slo-generator v1 config: read as the v2 config `slo-generator migrate` writes "
                "(name <service>-<feature>-<slo>, goal = slo_target, the backend's measurement "
                "as the SLI; fields below are named by their v2 place); the backend's own settings "
                "(url, project_id…) are its DataSource's",
            )
            if top_slo_id(data):
                record.note(
                    ("spec", "service_level_indicator"),
                    "slo_id, written at the top of the v1 config where the early Datadog "
                    "backend's query_slo read it, is the SLI's (v2: "
                    "spec.service_level_indicator.slo_id; slo-generator migrate makes it a label "
                    "instead, which v2 does not read)",
                )
            v2 = Recorder(result, v2_lines(doc))  # notes named by their v2 field
            if early := early_class_note(data):
                v2.note(("spec", "backend"), early)
            if lone_exporter(data, "exporter"):
                klass = data["exporter"]["class"]
                record.note(("exporter",), LONE_EXPORTER.format(klass=klass))
            mine = replace(options, inline_backend=inline_backend(data))
            _slo(result, v2, v2_from_v1(data), mine)
        elif isinstance(data, Mapping) and data.keys() & {
            "error_budget_burn_rate",
            "sli_measurement",
            "gap",
        }:
            result.reason = "a slo-generator report (its output), not a config: nothing to import"
        elif isinstance(data, Mapping) and "class" in data and "apiVersion" not in data:
            result.reason = "a slo-generator v1 exporter list holds no SLO: nothing to import"
        elif _configmap_of_config(data):
            result.reason = (
                "a Kubernetes ConfigMap holding slo-generator's shared config holds no SLO: "
                "nothing to import; save its data: as a config.yaml and give it with --config"
                + early_config_lists(data)
            )
        elif (
            isinstance(data, Mapping)
            and data.get("apiVersion") == "cloud.google.com/v1"
            and data.get("kind") == "ServiceLevelObjective"
        ):
            record.problem(
                ("apiVersion",),
                UNRECOGNISED,
                "apiVersion cloud.google.com/v1 is an early CRD form of slo-generator's config "
                "(camelCase fields), neither its v1 nor its sre.google.com/v2 format",
                early_crd_fix(data),
            )
        elif (
            isinstance(data, Mapping)
            and data.get("version") == "sre.google.com/v2"
            and "apiVersion" not in data
        ):
            record.problem(
                ("version",),
                UNRECOGNISED,
                "version: sre.google.com/v2 where slo-generator's v2 configs write apiVersion "
                "(a config without it is not read as v2)",
                "rename version to apiVersion",
            )
        elif isinstance(data, Mapping) and data.keys() & {
            "error_budget_policy_step_name",
            "measurement_window_seconds",
        }:
            result.reason = (
                "a slo-generator v1 error-budget policy (a list of steps) holds no SLO: nothing "
                "to import; it is the policy of the SLO configs in its folder and the folders "
                "below (named error_budget_policy.yaml, with no config.yaml there), or give it "
                "with --config"
            )
        elif isinstance(data, Mapping) and data.keys() & {
            "error_budget_policies",
            "backends",
            "exporters",
            "default_exporters",
        }:
            result.reason = (
                "slo-generator's shared config (backends, exporters, error-budget policies) holds "
                "no SLO: it is read when importing the SLO configs (next to them, or --config FILE)"
            )
        else:
            unrecognised(
                record,
                data,
                expected="a slo-generator SLO config",
                fix="give slo-generator SLO configs (sre.google.com/v2 ServiceLevelObjective, or "
                "v1); for other tools use covenant import sloth or covenant import pyrra",
            )
    if result.problems:
        result.documents.clear()
    return result


def _backend_kind(here: Recorder, backend: str, options: Options) -> tuple[str, str]:
    """``(class, key)`` of the SLO's backend: ``prometheus/thanos`` is slo-generator's
    prometheus backend with the settings of the shared config's key ``prometheus/thanos`` (a
    second backend of one type, as ``slo-generator migrate`` names one; slo-generator loads
    the class of the part before the slash). ``("", "")``: left out or refused, said here."""
    if "." in backend:
        here.note(
            ("backend",),
            f"backend {backend!r} is a custom Python class: its queries live in code, not in the "
            "file",
            skipped=True,
        )
        return "", ""
    base, slash, _ = backend.partition("/")
    if base != "prometheus" and base not in BACKEND_TYPES:
        _unknown_backend(here, backend, v1=options.inline_backend is not None)
        return "", ""
    backends = mapping((options.slo_generator_config or {}).get("backends"))
    if slash and options.inline_backend is None and backends and backend not in backends:
        named = ", ".join(sorted(str(name) for name in backends))
        here.problem(
            ("backend",),
            INVALID,
            f"backend {backend!r} is not in the shared config's backends "
            f"({options.slo_generator_config_file}): slo-generator would stop on it",
            f"name one of its backends ({named}), or add {backend} to its backends",
        )
        return "", ""
    return base, backend


def _unknown_backend(here: Recorder, backend: str, *, v1: bool) -> None:
    """A backend name without a dot is one of slo-generator's own: it loads the class
    ``<Name>Backend`` from ``slo_generator.backends.<name>`` (a v1 ``class: NewRelic`` too,
    read as ``new_relic``) and stops when there is none; a custom class is written as
    ``module.Class``."""
    base = backend.partition("/")[0]
    known = ", ".join(["prometheus", *sorted(BACKEND_TYPES)])
    name = "".join(part.capitalize() for part in base.split("_"))
    klass = name + "Backend"
    said = f"v1 backend class {name!r}" if v1 else f"backend {backend!r}"
    here.problem(
        ("backend",),
        INVALID,
        f"{said} is not a slo-generator backend: slo-generator would load "
        f"slo_generator.backends.{base}.{klass}, which it does not ship",
        f"name one of its backends ({known}; in a v1 config the class, e.g. Prometheus), or "
        "write your own backend class as its dotted path (module.Class): its queries live in "
        "code and it is left out",
    )


def _configmap_of_config(data: Any) -> bool:
    if not isinstance(data, Mapping) or data.get("kind") != "ConfigMap":
        return False
    inner = data.get("data")
    return isinstance(inner, Mapping) and bool(
        inner.keys() & {"error_budget_policies", "backends", "exporters"}
    )


def _no_policy(config: Mapping[str, Any], file: str, name: str) -> tuple[str, str]:
    """Why the shared config gives no policy ``name``, by what the config holds: slo-generator
    reads ``config["error_budget_policies"][name]["steps"]``."""
    name_in = PurePath(file).name
    if _configmap_of_config(config):
        return (
            f"{name_in} is a Kubernetes ConfigMap: slo-generator's shared config is its data:, "
            "not the resource",
            "save its data: as a config.yaml and give it with --config"
            + early_config_lists(config),
        )
    policies = config.get("error_budget_policies")
    if isinstance(policies, list):
        names = [str(p.get("name")) for p in policies if isinstance(p, Mapping) and "name" in p]
        return (
            f"{name_in}'s error_budget_policies is a list; slo-generator reads a mapping of "
            "policy name to its steps",
            f"write error_budget_policies: {{{names[0] if names else name}: {{steps: [...]}}}} "
            "(each policy's name as its key)",
        )
    if not isinstance(policies, Mapping) or not policies:
        return (
            f"{name_in} has no error_budget_policies, so no policy {name!r}",
            f"add error_budget_policies: {{{name}: {{steps: [...]}}}} to it, or give the "
            "config that has them with --config",
        )
    if name in policies:  # there, but not {steps: [...]}
        given = policies[name]
        shape = (
            "a list of steps"
            if isinstance(given, list)
            else "an empty list of steps"
            if isinstance(given, Mapping) and given.get("steps") == []
            else "without a list under steps:"
        )
        return (
            f"error-budget policy {name!r} in {name_in} is {shape}: slo-generator reads the "
            "policy's steps under steps: (policy['steps']) and stops on this one",
            f"write {name}: {{steps: [...]}} (the steps indented under steps:)",
        )
    there = ", ".join(str(k) for k in policies)
    return (
        f"error-budget policy {name!r} is not in {file} (its policies: {there})",
        "name a policy of the shared config (spec.error_budget_policy), or add it there",
    )


def _policy(
    record: Recorder, spec: Mapping[str, Any], options: Options
) -> tuple[str, list[dict[str, Any]] | None]:
    """The SLO window and alert tiers from the error-budget policy (None: Covenant's defaults)."""
    policy_name = str(spec.get("error_budget_policy") or "default")
    config = options.slo_generator_config
    if config is None:
        record.note(
            ("error_budget_policy",) if "error_budget_policy" in spec else (),
            (
                "no shared config.yaml found (next to the file, its parent, or --config)"
                if options.slo_generator_config_sought
                else "read without a shared config.yaml (the file came on its own)"
            )
            + f": window {DEFAULT_WINDOW} assumed and Covenant's default alert tiers used",
        )
        return DEFAULT_WINDOW, None
    policies = mapping(config.get("error_budget_policies"))
    policy = policies.get(policy_name)
    steps = policy.get("steps") if isinstance(policy, Mapping) else None
    if not isinstance(steps, list) or not steps:
        message, fix = _no_policy(config, options.slo_generator_config_file, policy_name)
        record.problem(("error_budget_policy",), MISSING, message, fix)
        return DEFAULT_WINDOW, []
    longest = 0
    tiers: list[dict[str, Any]] = []
    seen: set[str] = set()
    for index, step in enumerate(steps):
        if not isinstance(step, Mapping):
            continue
        seconds = step.get("window")
        threshold = decimal(step.get("burn_rate_threshold"))
        window = duration_text(seconds) if isinstance(seconds, int) else None
        if window is None or threshold is None or threshold <= 0:
            where, window_field, threshold_field = step_words(
                config, options.slo_generator_config_file, policy_name, index
            )
            record.problem(
                ("error_budget_policy",),
                INVALID,
                f"{where}: {window_field} {yaml_value(seconds)} s / {threshold_field} "
                f"{yaml_value(step.get('burn_rate_threshold'))} unusable",
                "windows are whole minutes in seconds, thresholds positive numbers",
            )
            return DEFAULT_WINDOW, []
        assert isinstance(seconds, int)
        longest = max(longest, seconds)
        # read as PyYAML reads it (services.import_sources): a plain yes is True, a quoted
        # 'yes' the text it is, which is no ``alert: true``
        alert = step.get("alert") if isinstance(step.get("alert"), bool) else None
        if alert is None and step.get("alert") is not None:
            record.note(
                ("error_budget_policy",) if "error_budget_policy" in spec else (),
                f"{step_words(config, options.slo_generator_config_file, policy_name, index)[0]}:"
                f" alert {shown(step.get('alert'))} is not a boolean: no page tier (write alert: "
                "true to page on it)",
            )
        if alert is True:
            name = dns_label(str(step.get("name") or window))
            while name in seen:
                name += "-x"
            seen.add(name)
            tiers.append(tier(name, "page", window, window, burn_rate=threshold))
    window_text = duration_text(longest) or DEFAULT_WINDOW
    record.note(
        ("error_budget_policy",) if "error_budget_policy" in spec else (),
        f"policy {policy_name!r} of {options.slo_generator_config_file}: window {window_text} "
        "(its longest step); steps with alert: true "
        "are page tiers with one window, firing strictly above the threshold as slo-generator "
        "does (but on the exact burn rate: slo-generator rounds it first); steps without alert "
        "and the steps' messages are not carried over",
    )
    return window_text, tiers


def _slo(result: ImportedFile, record: Recorder, data: Mapping[str, Any], options: Options) -> None:
    metadata = mapping(data.get("metadata"))
    spec = data.get("spec")
    name = metadata.get("name")
    if not isinstance(name, str) or not name:
        record.problem(("metadata", "name"), MISSING, "metadata.name is missing", "name the SLO")
        return
    if not isinstance(spec, Mapping):
        record.problem(
            ("spec",),
            MISSING,
            "spec is missing",
            "add spec.goal, spec.backend, spec.method, spec.service_level_indicator",
        )
        return
    here = record.child(("spec",))
    goal = decimal(spec.get("goal"))
    if spec.get("goal") is None and data.get("goal") is not None:  # beside spec, not in it
        line = record.doc.lines.get(("goal",), record.doc.line)
        here.problem(
            ("goal",),
            MISSING,
            f"goal is missing: goal: {data['goal']} is written at the top level (line {line}), "
            "beside spec, where slo-generator does not read it",
            f"indent goal: {data['goal']} under spec:, where slo-generator reads it",
        )
        return
    if spec.get("goal") is None:
        here.problem(("goal",), MISSING, "goal is missing", "write e.g. goal: 0.999")
        return
    if goal is None or not 0 < goal <= 1:
        said = shown(spec.get("goal"))
        here.problem(
            ("goal",),
            INVALID,
            f"goal {said} is not a ratio in (0, 1]",
            f"a percentage? write goal: {format(goal / 100, 'f')} ({said} %)"
            if goal is not None and 1 < goal < 100
            else "write e.g. goal: 0.999",
        )
        return
    backend, method = spec.get("backend"), spec.get("method")
    if not isinstance(backend, str) or not isinstance(method, str):
        here.problem(
            ("backend",),
            MISSING,
            "spec.backend and spec.method are needed",
            "e.g. backend: prometheus, method: good_bad_ratio",
        )
        return
    sli = spec.get("service_level_indicator")
    sli = sli if isinstance(sli, Mapping) else {}
    window, tiers = _policy(here, spec, options)
    if goal == 1:
        here.note(
            ("goal",),
            "a goal of 1 (100 %) leaves no error budget; Covenant refuses a target of 1",
            skipped=True,
        )
        return
    threshold_notes(here, ("error_budget_policy",), tiers, target=goal, window=window)
    bound = NONE
    kind, key = _backend_kind(here, backend, options)
    if not kind:
        return
    if kind == "prometheus":
        alias = key.partition("/")[2]
        source = dns_label(f"{options.datasource}-{alias}") if alias else options.datasource
        options = replace(options, datasource=source)
        indicator = prometheus_indicator(here, method, sli, options)
    else:
        bound = latency_bound(here, kind, method, sli)
        if bound.left_out:
            return
        source = dns_label(key)
        indicator = other_backend(here, method, sli, source=source, source_type=BACKEND_TYPES[kind])
    if indicator is None:
        return
    if kind == "prometheus":
        url = prometheus_url(here, options, key)
        headers = prometheus_headers(here, options, key)
        add_once(result, prometheus_datasource(source, url, headers))
    else:
        add_once(result, backend_datasource(here, kind, source, options, key))
    if spec.get("exporters"):
        here.note(
            ("exporters",),
            "exporters push slo-generator's reports; Covenant serves its results through its API "
            "and /metrics",
        )
    labels = label_values(metadata.get("labels"), record, ("metadata", "labels"))
    service = name_for(result, labels.get("service_name") or name)
    add_once(result, service_document(service))
    result.documents.append(
        slo_document(
            SLOParts(
                name=name_for(result, name),
                service=service,
                description=description(here, ("description",), spec.get("description")),
                labels=labels,
                indicator=indicator,
                sli_annotations=bound.annotations,
                target=goal,
                window=window,
                tiers=tiers,
            )
        )
    )
