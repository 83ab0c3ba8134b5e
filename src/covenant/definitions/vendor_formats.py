"""SLOs written for vendors' platforms (Datadog, Dynatrace, Grafana…), named when a user gives
one to Covenant: a Terraform file, a Dynatrace SLO's JSON and the monaco config that deploys
it, the Datadog Operator's DatadogSLO. No importer reads them (Covenant does not query those
platforms), so the fix says how the SLO is written as OpenSLO, with its own numbers.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from covenant.errors import Problem

READS = "Covenant reads openslo/v1, openslo/v1alpha and covenant/v1"

TERRAFORM_SLOS = {
    "datadog_service_level_objective": "a Datadog SLO",
    "dynatrace_slo": "a Dynatrace SLO",
    "dynatrace_slo_v2": "a Dynatrace SLO",
    "grafana_slo": "a Grafana SLO",
    "grafana_slo_resource": "a Grafana SLO",
    "nobl9_slo": "a Nobl9 SLO",
    "google_monitoring_slo": "a Google Cloud Monitoring SLO",
    "newrelic_service_level": "a New Relic service level",
    "honeycombio_slo": "a Honeycomb SLO",
    "sumologic_slo": "a Sumo Logic SLO",
    "signalfx_slo": "a Splunk Observability SLO",
    "instana_slo_config": "an Instana SLO",
    "elasticstack_kibana_slo": "an Elastic SLO",
}
"""Terraform resource types that hold an SLO → whose SLO it is."""

_HCL_BLOCK = re.compile(
    r'(resource|data|terraform|provider|variable|module|locals|output)(\s+"[^"\n]*")*\s*\{\s*$'
)
_RESOURCE = re.compile(r'resource\s+"([^"\n]+)"\s+"([^"\n]*)"')
_NUMBER = r"(-?\d+(?:\.\d+)?)"

TERRAFORM_ELSEWHERE = (
    "Covenant reads YAML definitions, not Terraform: give it the openslo/v1 files; a "
    "workspace folder's .tf files are not read; " + READS
)
REWRITE = (
    "an SLI whose ratioMetric counts good and total events in PromQL from a "
    "Prometheus-compatible source (Covenant does not query {vendor}); " + READS
)


def _fraction(percent: object) -> str | None:
    """``99.9`` (a percentage) as a target: ``0.999``; ``None`` if it is not a number."""
    try:
        value = Decimal(str(percent).strip()) / 100
    except (InvalidOperation, ValueError):
        return None
    if not 0 < value < 1:
        return None
    return format(value.normalize(), "f")


def _window(timeframe: object) -> str | None:
    """Datadog's ``30d`` or Dynatrace's ``-1w`` as an OpenSLO rolling window."""
    text = str(timeframe).strip().lstrip("-")
    if not re.fullmatch(r"\d+[mhdw]", text):
        return None
    return (
        f"timeframe {str(timeframe).strip()} is timeWindow [{{duration: {text}, isRolling: true}}]"
    )


def terraform_file(text: str, file: str) -> Problem | None:
    """The one problem of a Terraform file given as a definition file, at its first SLO
    resource's line (else its first block's); ``None`` if ``text`` is not HCL."""
    lines = text.splitlines()
    first = next(
        (
            i
            for i, line in enumerate(lines)
            if line.strip() and not line.lstrip().startswith(("#", "//"))
        ),
        None,
    )
    if first is None or not _HCL_BLOCK.fullmatch(lines[first].strip()):
        return None
    for number, line in enumerate(lines, start=1):
        found = _RESOURCE.match(line.strip())
        if found and found.group(1) in TERRAFORM_SLOS:
            kind, name = found.groups()
            what = TERRAFORM_SLOS[kind]
            return Problem(
                code="other-tool-format",
                message=f'a Terraform file, not YAML: resource "{kind}" "{name}" is {what}',
                where=f"{file}:{number}",
                fix=_terraform_fix(kind, _block(lines[number:]), what),
            )
    return Problem(
        code="other-tool-format",
        message="a Terraform file, not YAML",
        where=f"{file}:{first + 1}",
        fix=TERRAFORM_ELSEWHERE,
    )


def _block(rest: list[str]) -> str:
    """The lines of a block up to the next top-level block (its numbers, not the next one's)."""
    end = next((i for i, line in enumerate(rest) if _HCL_BLOCK.fullmatch(line.rstrip())), None)
    return "\n".join(rest[:end])


def _terraform_fix(kind: str, rest: str, what: str) -> str:
    """How the resource (its text from the line after its name) is written as OpenSLO."""
    vendor = what.split(" ", 1)[1].rsplit(" ", 1)[0]
    said: list[str] = []
    if kind.startswith("grafana_slo"):  # objectives { value = 0.995  window = "30d" }
        value = re.search(r"\b(?:objective_)?value\s*=\s*" + _NUMBER, rest)
        if value:
            said.append(f"value = {value.group(1)} is target: {value.group(1)}")
        window = re.search(r'\b(?:objective_)?window\s*=\s*"([^"]+)"', rest)
        if window and (read := _window(window.group(1))):
            said.append(read.replace("timeframe", "window", 1))
    else:  # Datadog, Dynatrace and most others: target in percent, timeframe
        target = re.search(r"\btarget(?:_success|_threshold)?\s*=\s*" + _NUMBER, rest)
        if target and (ratio := _fraction(target.group(1))):
            said.append(
                f"{target.group(0).split('=')[0].strip()} = {target.group(1)} is target: {ratio}"
            )
        frame = re.search(r'\b(?:timeframe|evaluation_window)\s*=\s*"([^"]+)"', rest)
        if frame and (read := _window(frame.group(1))):
            said.append(read)
    numbers = f" ({', '.join(said)})" if said else ""
    return (
        "Covenant reads YAML definitions, not Terraform: to keep this SLO, write it as an "
        f"openslo/v1 SLO{numbers} with " + REWRITE.format(vendor=vendor)
    )


def vendor_slo(data: Mapping[str, Any]) -> tuple[str, str] | None:
    """``(what the document is, the fix)`` for a vendor's SLO document, else ``None``."""
    api, kind = data.get("apiVersion"), data.get("kind")
    if isinstance(api, str) and api.startswith("datadoghq.com/") and kind == "DatadogSLO":
        return _datadog_operator(api, data.get("spec"))
    if api is None and (terraform := _terraform_json(data)) is not None:
        return terraform
    if api is None and _dynatrace_slo(data):
        return _dynatrace(data)
    if api is None and _monaco(data):
        names = [next(iter(item.values())) for item in data["config"]]
        shown = ", ".join(names[:3]) + (", …" if len(names) > 3 else "")
        return (
            "a Dynatrace Monitoring as Code (monaco) config: it names the JSON templates it "
            f"deploys ({shown}) and their values",
            "keep it outside the workspace folder: it is not a definition, and the SLOs it "
            "deploys are Dynatrace's (their target and warning in percent over a timeframe); "
            "to keep one in Covenant, write it as an openslo/v1 SLO with "
            + REWRITE.format(vendor="Dynatrace"),
        )
    return None


def _terraform_json(data: Mapping[str, Any]) -> tuple[str, str] | None:
    """Terraform's JSON syntax: ``resource`` → type → name → attributes, an SLO's type."""
    resources = data.get("resource")
    if not isinstance(resources, Mapping):
        return None
    for kind, named in resources.items():
        if kind in TERRAFORM_SLOS and isinstance(named, Mapping) and named:
            what = TERRAFORM_SLOS[kind]
            name = next(iter(named))
            message = f'a Terraform JSON file: resource "{kind}" "{name}" is {what}'
            return message, _terraform_fix(kind, "", what)
    return None


def _datadog_operator(api: str, spec: object) -> tuple[str, str]:
    spec = spec if isinstance(spec, Mapping) else {}
    kind = spec.get("type", "metric")
    target, frame = spec.get("targetThreshold"), spec.get("timeframe")
    said = [f"{kind} SLO"]
    if target is not None:
        said.append(f"target {target} % over {frame}")
    what = f"a Datadog SLO (the Datadog Operator's DatadogSLO, {api}: {', '.join(said)})"
    parts = []
    if (ratio := _fraction(target)) is not None:
        parts.append(f"target: {ratio}")
    if (window := _window(frame)) is not None:
        parts.append(window.split(" is ", 1)[1])
    written = f" ({' over '.join(parts)})" if parts else ""
    slices = (
        ", budgetingMethod: Timeslices and timeSliceWindow its slice (a time_slice SLO "
        "counts good slices)"
        if kind == "time_slice"
        else ""
    )
    return what, (
        f"no importer reads it: to keep this SLO, write it as an openslo/v1 SLO{written}"
        f"{slices} with " + REWRITE.format(vendor="Datadog")
    )


def _dynatrace(data: Mapping[str, Any]) -> tuple[str, str]:
    target, warning, frame = data.get("target"), data.get("warning"), data.get("timeframe")
    warned = f", warning {warning}" if warning is not None else ""
    what = (
        f"a Dynatrace SLO (the JSON of Dynatrace's SLO API or a monaco template: target "
        f"{target}{warned} in percent over timeframe {frame}, its metricExpression in "
        "Dynatrace's metric selector language)"
    )
    ratio, window = _fraction(target), _window(frame)
    said = [f"target {target} is target: {ratio}"] if ratio else []
    said += [window] if window else []
    numbers = f" ({', '.join(said)})" if said else " (its target in percent: 95 is target: 0.95)"
    return what, (
        f"no importer reads it: to keep this SLO, write it as an openslo/v1 SLO{numbers} with "
        + REWRITE.format(vendor="Dynatrace")
    )


def _dynatrace_slo(data: Mapping[str, Any]) -> bool:
    """Dynatrace's SLO: an evaluationType, a target and a timeframe, and its metrics."""
    return {"evaluationType", "target", "timeframe"} <= data.keys() and bool(
        data.keys() & {"metricExpression", "metricNumerator", "metricRate"}
    )


def _monaco(data: Mapping[str, Any]) -> bool:
    """monaco v1's config: ``config`` listing one-key mappings of a name to its JSON file."""
    config = data.get("config")
    return (
        isinstance(config, list)
        and bool(config)
        and all(
            isinstance(item, Mapping)
            and len(item) == 1
            and str(next(iter(item.values()))).endswith(".json")
            for item in config
        )
    )


def fragment(data: Mapping[str, Any]) -> tuple[str, str] | None:
    """``(message, fix)`` for a mapping holding only ``spec``: a piece merged into a
    definition by another tool (an overlay), not one that lacks apiVersion and kind."""
    if set(data) != {"spec"}:
        return None
    spec = data["spec"]
    source = spec.get("indicator", {}) if isinstance(spec, Mapping) else {}
    source = source.get("metricSource", {}) if isinstance(source, Mapping) else {}
    nobl9 = (
        isinstance(source, Mapping)
        and source.get("kind") in ("Agent", "Direct")
        and "project" in source
    )
    whose = (
        " (its spec.indicator.metricSource names a Nobl9 "
        f"{source.get('kind')} of a project: a piece of a Nobl9 SLO)"
        if nobl9
        else ""
    )
    return (
        "a fragment holding only spec (no apiVersion, kind or metadata), merged into a "
        f"definition by another tool{whose}",
        "keep it outside the workspace folder: Covenant reads whole definitions, each "
        "starting with apiVersion: openslo/v1, a kind and metadata.name; " + READS,
    )
