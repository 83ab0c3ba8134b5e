"""Flags as each source tool's YAML reader takes them (YAML 1.1 boolean words).

Covenant reads YAML 1.2, where ``yes`` is text; Sloth (gopkg.in/yaml.v2, sigs.k8s.io/yaml),
Pyrra (sigs.k8s.io/yaml, Kubernetes) and slo-generator (PyYAML) read a *plain* ``yes`` as a
boolean. A quoted ``"yes"`` is text to all of them, as to ``covenant validate``
(``SourceDocument.quoted_words``, :meth:`Recorder.quoted`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from covenant.definitions.yamlsource import PathKey

YAML11_WORDS = {  # PyYAML's booleans beside true/false (https://yaml.org/type/bool.html)
    **dict.fromkeys(("yes", "Yes", "YES", "on", "On", "ON"), True),
    **dict.fromkeys(("no", "No", "NO", "off", "Off", "OFF"), False),
}
GO_WORDS = {**YAML11_WORDS, "y": True, "Y": True, "n": False, "N": False}


def yaml11_bool(value: Any, *, go: bool = False, quoted: bool = False) -> bool | None:
    """A flag as the tool's YAML 1.1 reader resolves it: ``true`` / ``false``, and the plain
    words yes/no/on/off (PyYAML, slo-generator's) — also y/n with ``go`` (Go's yaml.v2, which
    Sloth reads with, and Kubernetes' reader of Pyrra's objects) — which Covenant's YAML 1.2
    reader leaves as text; None for anything else, and for a word written ``quoted`` (``"yes"``
    is text in YAML 1.1 too, as ``covenant validate`` reads it: :meth:`Recorder.quoted`)."""
    if isinstance(value, bool):
        return value
    if quoted or not isinstance(value, str):
        return None
    return (GO_WORDS if go else YAML11_WORDS).get(value)


def quoted_flag_fix(value: Any) -> str:
    """The fix of a flag written as a quoted YAML 1.1 word (``"yes"``): the plain boolean."""
    return f"write {str(GO_WORDS.get(value, True)).lower()} without quotes"


def pyyaml_values(data: Any, quoted: frozenset[PathKey], path: PathKey = ()) -> Any:
    """``data`` (a file read as YAML 1.2) with each plain YAML 1.1 boolean word PyYAML
    resolves (yes/no/on/off, :data:`YAML11_WORDS`) among its values read as that boolean, as
    slo-generator's PyYAML reads the file; a word at a path in ``quoted`` stays the text it is.
    Keys are left as written."""
    if isinstance(data, list):
        return [pyyaml_values(item, quoted, (*path, i)) for i, item in enumerate(data)]
    if isinstance(data, Mapping):
        return {k: pyyaml_values(v, quoted, (*path, k)) for k, v in data.items()}
    if isinstance(data, str) and data in YAML11_WORDS and path not in quoted:
        return YAML11_WORDS[data]
    return data
