"""Workspace → OpenSLO v1 YAML. Covenant extensions travel as ``covenant.dev/*`` annotations.

Every ``openslo/v1`` document is written as read; a ``covenant/v1`` SLO or SLI becomes an
``openslo/v1`` one with its extension fields moved into annotations (JSON text), so loading the
export gives the same objectives and event rules (lossless). Kinds OpenSLO cannot represent
(``covenant/v1`` Customer, Agreement…) are left out.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.representer import RoundTripRepresenter

from covenant.definitions.covenant_v1 import (
    COVENANT_V1,
    OPENSLO_V1,
    SLI_EXTENSION_FIELDS,
    SLO_EXTENSION_FIELDS,
)
from covenant.definitions.documents import Definition


def openslo_documents(definitions: Iterable[Definition]) -> list[dict[str, Any]]:
    """The OpenSLO v1 form of every representable definition."""
    exported: list[dict[str, Any]] = []
    for definition in definitions:
        if definition.api_version == OPENSLO_V1:
            exported.append(dict(definition.raw))
        elif definition.api_version == COVENANT_V1 and definition.kind in {"SLO", "SLI"}:
            exported.append(_to_openslo(definition.raw))
    return exported


def _to_openslo(raw: Mapping[str, Any]) -> dict[str, Any]:
    document = dict(raw)
    document["apiVersion"] = OPENSLO_V1
    if raw.get("kind") == "SLO":
        spec = dict(raw["spec"])
        indicator = spec.get("indicator")
        if isinstance(indicator, Mapping):
            spec["indicator"] = _move_extensions(indicator, SLI_EXTENSION_FIELDS)
        document["spec"] = spec
        return _move_extensions(document, SLO_EXTENSION_FIELDS)
    return _move_extensions(document, SLI_EXTENSION_FIELDS)


def _move_extensions(obj: Mapping[str, Any], fields: Mapping[str, str]) -> dict[str, Any]:
    """Move ``spec.<field>`` of ``obj`` into ``metadata.annotations[<key>]`` as text."""
    result = dict(obj)
    spec = dict(result.get("spec") or {})
    metadata = dict(result.get("metadata") or {})
    annotations = dict(metadata.get("annotations") or {})
    for name, key in fields.items():
        if name in spec:
            value = spec.pop(name)
            annotations[key] = value if isinstance(value, str) else to_json(value)
    if annotations:
        metadata["annotations"] = annotations
    result["metadata"] = metadata
    result["spec"] = spec
    return result


def to_json(value: Any) -> str:
    """Compact JSON that keeps decimals exactly as written (``0.999`` stays ``0.999``)."""
    if isinstance(value, Mapping):
        items = ",".join(f"{json.dumps(str(k))}:{to_json(v)}" for k, v in value.items())
        return "{" + items + "}"
    if isinstance(value, list):
        return "[" + ",".join(to_json(v) for v in value) + "]"
    if isinstance(value, Decimal):
        return str(value)
    return json.dumps(value)


def _represent_decimal(representer: RoundTripRepresenter, value: Decimal) -> Any:
    text = str(value)
    if not any(ch in text for ch in ".eE"):
        text += ".0"
    return representer.represent_scalar("tag:yaml.org,2002:float", text)


def dump_yaml(documents: Iterable[Mapping[str, Any]]) -> str:
    """Documents as a multi-document YAML text (``---`` between them)."""
    yaml = YAML(typ="rt")
    yaml.default_flow_style = False
    yaml.width = 4096
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.representer.add_representer(Decimal, _represent_decimal)
    stream = io.StringIO()
    yaml.dump_all([_plain(doc) for doc in documents], stream)
    return stream.getvalue()


def _plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def export_openslo(definitions: Iterable[Definition]) -> str:
    return dump_yaml(openslo_documents(definitions))
