"""What a file given to an importer holds besides the tool's objects: a Kubernetes bundle's
other resources, a Kustomize list of files, and a document that is no object of the tool."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from covenant.definitions.importers.base import UNRECOGNISED, Recorder
from covenant.definitions.yamlsource import PathKey, SourceDocument


def kind_of(api: str, kind: str) -> Callable[[Any], bool]:
    """Whether a document is a Kubernetes object of ``api`` and ``kind``."""

    def test(data: Any) -> bool:
        return isinstance(data, Mapping) and (data.get("apiVersion"), data.get("kind")) == (
            api,
            kind,
        )

    return test


def skipped_in_bundle(
    record: Recorder,
    docs: Sequence[SourceDocument],
    is_tool: Callable[[Any], bool],
    tool: str,
    own: tuple[str, ...],
) -> bool:
    """A Kubernetes object of another API than ``tool``'s (``own``: its apiVersion prefixes),
    in a manifest bundle holding ``tool``'s objects too (what ``kubectl apply`` takes): noted
    as skipped, and True. An object of ``tool``'s API that is not one (a misspelt kind) is
    not skipped: the caller refuses it. A Kustomize ``kustomization.yaml`` (read with the
    objects of its folder) holds no SLO: nothing to import, also alone."""
    data = record.doc.data
    if isinstance(data, Mapping) and str(data.get("apiVersion")).startswith("kustomize.config."):
        record.result.reason = (
            f"a Kustomize {data.get('kind')} lists files and holds no SLO: nothing to import (the "
            f"{tool} objects it names are imported from their own files)"
        )
        return True
    if not (
        isinstance(data, Mapping)
        and isinstance(data.get("apiVersion"), str)
        and isinstance(data.get("kind"), str)
        and isinstance(data.get("metadata"), Mapping)
        and not data["apiVersion"].startswith(own)
        and not is_tool(data)
        and any(is_tool(doc.data) for doc in docs)
    ):
        return False
    record.note(
        ("kind",),
        f"a Kubernetes {data['kind']} ({data['apiVersion']}) in a bundle of {tool} objects: "
        "not one of them; skipped",
    )
    return True


def unrecognised(record: Recorder, data: Any, *, expected: str, fix: str) -> None:
    """A document that is not the importer's input: say what it is, when that can be told."""
    from covenant.definitions.foreign import HELM_VALUES, foreign_format  # noqa: PLC0415

    found = foreign_format(data) if isinstance(data, Mapping) else None
    if not isinstance(data, Mapping):
        what = f"{_value(data)}, not a mapping"
    elif found is not None and found[0].startswith(HELM_VALUES):  # the input of a spec
        what = f"{found[0]}: {found[1]}"
    elif found is not None and expected not in found[0]:  # else: the tool's, of another kind
        what = found[0]
    elif isinstance(data.get("apiVersion"), str) and data["apiVersion"].startswith("openslo"):
        what = f"OpenSLO ({data['apiVersion']}), which Covenant reads as it is, without import"
    elif data.get("apiVersion") and data.get("kind"):
        what = f"apiVersion {data.get('apiVersion')!r}, kind {data.get('kind')!r}"
    elif data.get("apiVersion") or data.get("kind"):  # one of them: no None in the message
        one, other = ("apiVersion", "kind") if data.get("apiVersion") else ("kind", "apiVersion")
        what = f"{one} {_shown(data[one])} and no {other} (its keys: {_keys(data)})"
    else:
        what = _keys_told(data)
    path: PathKey = ("apiVersion",) if isinstance(data, Mapping) and "apiVersion" in data else ()
    record.problem(path, UNRECOGNISED, f"not {expected}: {what}", fix)


def _keys_told(data: Mapping[Any, Any]) -> str:
    """A mapping of none of the importer's forms, told by its keys (and a ``version`` that is
    not Sloth's): "without apiVersion" alone misled, as Sloth's own specs and slo-generator's
    v1 configs have none."""
    keys = _keys(data)
    if "version" in data:
        version = _shown(data["version"])
        return f"a mapping with version {version}, no apiVersion or kind (its keys: {keys})"
    return f"a mapping with no apiVersion, kind or version (its keys: {keys})"


def _keys(data: Mapping[Any, Any]) -> str:
    return ", ".join(str(key) for key in list(data)[:6]) + (", …" if len(data) > 6 else "")


def _shown(value: Any) -> str:
    return repr(value) if isinstance(value, str) else str(value)


def _value(data: Any) -> str:
    """A document that is no mapping in YAML's words, not Python's (``a int``, ``a str``)."""
    if isinstance(data, Sequence) and not isinstance(data, str):
        return "a list"
    if data is None:
        return "an empty value"
    if isinstance(data, bool):
        return f"the value {str(data).lower()}"
    shown = repr(data) if isinstance(data, str) else str(data)
    return f"the value {shown if len(shown) <= 40 else shown[:37] + '...'}"
