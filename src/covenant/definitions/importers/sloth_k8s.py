"""Field spellings in a Sloth ``PrometheusServiceLevel`` resource.

Sloth's ``prometheus/v1`` spec writes its fields in snake_case (``error_query``); its
Kubernetes resource, ``sloth.slok.dev/v1 PrometheusServiceLevel``, in camelCase
(``errorQuery``: the CRD's Go types and schema). Kubernetes drops a field the CRD's schema does
not hold, so a resource written with ``error_query`` reaches Sloth without its error query.
Covenant reads either spelling; in a resource the snake_case one is said, with its name.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from covenant.definitions.importers.base import INVALID, Recorder
from covenant.definitions.yamlsource import PathKey


def snake_case_fields(record: Recorder, spec: Any, spellings: Mapping[str, str]) -> None:
    """Note each prometheus/v1 spelling under a resource's ``spec`` (``record`` is at spec),
    and refuse a field written both ways."""
    todo: list[tuple[PathKey, Any]] = [((), spec)]
    while todo:
        path, item = todo.pop(0)
        if isinstance(item, list):
            todo.extend(((*path, i), value) for i, value in enumerate(item))
            continue
        if not isinstance(item, Mapping):
            continue
        for key, value in item.items():
            camel = spellings.get(key) if isinstance(key, str) else None
            if camel is None:
                if key not in ("labels", "annotations"):  # their keys are anyone's names
                    todo.append(((*path, str(key)), value))
                continue
            if camel in item:
                record.problem(
                    (*path, key),
                    INVALID,
                    f"{key} and {camel} are both written: one field in two spellings",
                    f"keep {camel} (the PrometheusServiceLevel resource's name) and remove {key}",
                )
            else:
                record.note(
                    (*path, key),
                    f"{key} is Sloth's prometheus/v1 spelling; its PrometheusServiceLevel "
                    f"resource names it {camel}, and Kubernetes drops a field the resource's "
                    f"schema does not hold (Sloth would not see it): read here as {camel} — "
                    f"write {camel}",
                )
            todo.append(((*path, key), value))
