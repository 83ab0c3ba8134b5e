"""Covenant extensions of an SLO or SLI, read from spec fields or ``covenant.dev/*`` annotations."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from covenant.core.model import NoDataPolicy
from covenant.definitions.covenant_v1 import (
    ALERTING_KEY,
    EVENTS_KEY,
    MINIMUM_EVENTS_KEY,
    NO_DATA_KEY,
    SLOTH_SERVICE_KEY,
    SLOTH_SLO_KEY,
    AlertingSpec,
    CovenantSLISpec,
    CovenantSLOSpec,
    EventsSpec,
)
from covenant.definitions.diagnostics import at, problems_from
from covenant.definitions.openslo import Metadata, SLISpec, SLOSpec
from covenant.definitions.yamlsource import PathKey, SourceDocument, read_text
from covenant.errors import Problem

ModelT = TypeVar("ModelT", bound=BaseModel)


@dataclass(frozen=True, slots=True, kw_only=True)
class SLOExtensions:
    no_data: NoDataPolicy = NoDataPolicy.SKIP
    minimum_events: int = 0
    alerting: AlertingSpec | None = None
    alerting_path: PathKey = ()
    sloth_slo: str = ""  # covenant.dev/sloth-slo
    sloth_service: str = ""  # covenant.dev/sloth-service


@dataclass(frozen=True, slots=True, kw_only=True)
class SLIExtensions:
    events: EventsSpec | None = None
    events_path: PathKey = ()


def slo_extensions(
    doc: SourceDocument, metadata: Metadata, spec: SLOSpec, path: PathKey = ()
) -> tuple[SLOExtensions, list[Problem]]:
    """``path`` is where ``metadata`` and ``spec`` sit in the document (empty at top level)."""
    annotations = metadata.annotations or {}
    meta = (*path, "metadata", "annotations")
    problems: list[Problem] = []
    fields = spec if isinstance(spec, CovenantSLOSpec) else None
    no_data = fields.no_data_policy if fields else None
    minimum = fields.minimum_events if fields else None
    alerting = fields.alerting if fields else None
    alerting_path: PathKey = (*path, "spec", "alerting")
    for key, given in (
        (NO_DATA_KEY, no_data),
        (MINIMUM_EVENTS_KEY, minimum),
        (ALERTING_KEY, alerting),
    ):
        if key in annotations and given is not None:
            problems.append(_both(doc, (*meta, key)))
    if NO_DATA_KEY in annotations and no_data is None:
        text = annotations[NO_DATA_KEY].strip()
        if text in {"good", "bad", "skip"}:
            no_data = text  # type: ignore[assignment]
        else:
            problems.append(
                at(
                    doc,
                    (*meta, NO_DATA_KEY),
                    code="invalid-annotation",
                    message=f"{NO_DATA_KEY} must be good, bad or skip, not {text!r}",
                    fix="write good, bad or skip",
                )
            )
    if MINIMUM_EVENTS_KEY in annotations and minimum is None:
        text = annotations[MINIMUM_EVENTS_KEY].strip()
        if text.isdigit():
            minimum = int(text)
        else:
            problems.append(
                at(
                    doc,
                    (*meta, MINIMUM_EVENTS_KEY),
                    code="invalid-annotation",
                    message=f"{MINIMUM_EVENTS_KEY} must be a whole number >= 0, not {text!r}",
                    fix='write a whole number such as "100"',
                )
            )
    if ALERTING_KEY in annotations and alerting is None:
        alerting_path = (*meta, ALERTING_KEY)
        alerting, found = _annotation_model(doc, annotations, alerting_path, AlertingSpec)
        problems.extend(found)
    sloth_slo, sloth_service = (
        _sloth_name(doc, annotations, (*meta, key), problems)
        for key in (SLOTH_SLO_KEY, SLOTH_SERVICE_KEY)
    )
    extensions = SLOExtensions(
        no_data=NoDataPolicy(no_data) if no_data else NoDataPolicy.SKIP,
        minimum_events=minimum or 0,
        alerting=alerting,
        alerting_path=alerting_path,
        sloth_slo=sloth_slo,
        sloth_service=sloth_service,
    )
    return extensions, problems


SLOTH_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,252}$")


def _sloth_name(
    doc: SourceDocument, annotations: Mapping[str, str], path: PathKey, problems: list[Problem]
) -> str:
    """A ``covenant.dev/sloth-*`` annotation: a name as Sloth writes one ("" when absent)."""
    key = str(path[-1])
    if key not in annotations:
        return ""
    text = annotations[key].strip()
    if SLOTH_NAME.match(text):
        return text
    problems.append(
        at(
            doc,
            path,
            code="invalid-annotation",
            message=f"{key} must be a name (letters, digits, '_', '.', ':' and '-'), not {text!r}",
            fix="write the name in Sloth, e.g. requests_availability",
        )
    )
    return ""


def sli_extensions(
    doc: SourceDocument, metadata: Metadata, spec: SLISpec, path: PathKey = ()
) -> tuple[SLIExtensions, list[Problem]]:
    annotations = metadata.annotations or {}
    events = spec.events if isinstance(spec, CovenantSLISpec) else None
    events_path: PathKey = (*path, "spec", "events")
    key_path = (*path, "metadata", "annotations", EVENTS_KEY)
    if EVENTS_KEY in annotations:
        if events is not None:
            return SLIExtensions(events=events, events_path=events_path), [_both(doc, key_path)]
        events, problems = _annotation_model(doc, annotations, key_path, EventsSpec)
        return SLIExtensions(events=events, events_path=key_path), problems
    return SLIExtensions(events=events, events_path=events_path), []


def _annotation_model(
    doc: SourceDocument,
    annotations: Mapping[str, str],
    path: PathKey,
    model: type[ModelT],
) -> tuple[ModelT | None, list[Problem]]:
    key = str(path[-1])
    parsed, syntax = read_text(annotations[key], file=doc.file)
    if syntax or len(parsed) != 1 or not isinstance(parsed[0].data, dict):
        return None, [
            at(
                doc,
                path,
                code="invalid-annotation",
                message=f"{key} must hold a JSON or YAML mapping",
                fix=f"write it as a JSON object, e.g. {_example(key)}",
            )
        ]
    data: Any = parsed[0].data
    try:
        return model.model_validate(data), []
    except ValidationError as exc:
        return None, problems_from(exc, doc, model, prefix=path)


def _example(key: str) -> str:
    if key == EVENTS_KEY:
        return '{"status": {"op": "lt", "value": 500}}'
    return '{"tiers": [{"name": "page-fast", "burnRate": 14.4}]}'


def _both(doc: SourceDocument, path: PathKey) -> Problem:
    return at(
        doc,
        path,
        code="conflicting-fields",
        message=f"{path[-1]} is given both as a spec field and as an annotation",
        fix="keep the spec field (covenant/v1) or the annotation (openslo/v1), not both",
    )
