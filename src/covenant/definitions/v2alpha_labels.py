"""``openslo.com/v2alpha`` labels, checked as the v2alpha specification checks them.

OpenSLO's Go SDK (``pkg/openslo/v2alpha/objects.go``) types a v2alpha object's labels as
``map[string]string`` — one text per key, where openslo/v1 also takes a list — and checks each
key against Kubernetes' qualified-name rule (an optional lowercase DNS-subdomain prefix and
``/``, then at most 63 lowercase letters, digits, ``-``, ``_``, ``.``, beginning and ending
with a letter or digit) and each value against ``^([a-z0-9]([-._a-z0-9]{0,61}[a-z0-9])?)?$``
(the same characters, at most 63; empty allowed). Annotation keys follow the key rule (their
values are free text). openslo/v1 has its own, looser rule (a text
or a list of texts: ``openslo.Metadata``), checked after the conversion.

A refused label is an error at its line and is left out of the ``openslo/v1`` form the
document is read as (not blocking: the rest of the document is still read and checked), so
v1's rule does not say the same thing again.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from covenant.definitions.alpha_rewrite import Rewrite
from covenant.definitions.yamlsource import PathKey

_NAME = r"[a-z0-9]([-._a-z0-9]{0,61}[a-z0-9])?"
_DNS = r"[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?"
KEY = re.compile(rf"({_DNS}(\.{_DNS})*/)?{_NAME}")
KEY_LENGTH = re.compile(r"(.{0,253}/)?.{0,63}")
VALUE = re.compile(rf"({_NAME})?")
CHARACTERS = "at most 63 lowercase letters, digits, '-', '_' or '.'"
V2 = "openslo.com/v2alpha"


def checked_labels(rw: Rewrite, holder: Any, path: PathKey) -> Any:
    """``holder`` (a ``metadata`` mapping at ``path``) without its refused labels, each
    refusal an error; ``holder`` itself when all its labels are valid (or it has none)."""
    if not isinstance(holder, Mapping):
        return holder
    labels, annotations = holder.get("labels"), holder.get("annotations")
    changed: dict[str, Any] = {}
    if isinstance(labels, Mapping):
        kept = {
            key: value
            for key, value in labels.items()
            if _valid(rw, (*path, "labels", str(key)), str(key), value)
        }
        if len(kept) != len(labels):
            changed["labels"] = kept
    if isinstance(annotations, Mapping):
        noted = {
            key: value
            for key, value in annotations.items()
            if _annotation_key(rw, (*path, "annotations", str(key)), str(key))
        }
        if len(noted) != len(annotations):
            changed["annotations"] = noted
    return {**holder, **changed} if changed else holder


def _annotation_key(rw: Rewrite, here: PathKey, key: str) -> bool:
    """An annotation's key, checked as a label's (the SDK's one rule for both)."""
    if KEY_LENGTH.fullmatch(key) and KEY.fullmatch(key):
        return True
    prefix, slash, name = key.rpartition("/")
    rw.error(
        here,
        "invalid-value",
        f"annotation key {key!r} is not an {V2} annotation key",
        "write the key as an optional lowercase DNS prefix and '/' then "
        f"{CHARACTERS}, e.g. {prefix.lower()}{slash}{_label_form(name) or 'note'}",
        blocking=False,
    )
    return False


def _valid(rw: Rewrite, here: PathKey, key: str, value: Any) -> bool:
    if not (KEY_LENGTH.fullmatch(key) and KEY.fullmatch(key)):
        prefix, slash, name = key.rpartition("/")
        example = f"{prefix.lower()}{slash}{_label_form(name) or 'team'}"
        value_too = isinstance(value, str) and not VALUE.fullmatch(value)
        if value_too:  # said at once: fixing the key would reveal it next
            example += f": {_label_form(value) or 'my-label'} (the value too: {CHARACTERS})"
        rw.error(
            here,
            "invalid-value",
            f"label key {key!r} is not an {V2} label key"
            + (f", nor {value!r} a label value" if value_too else ""),
            "write the key as an optional lowercase DNS prefix and '/' then "
            f"{CHARACTERS}, e.g. {example}",
            blocking=False,
        )
        return False
    if isinstance(value, list):
        first = value[0] if value and isinstance(value[0], str) else "<one value>"
        rw.error(
            here,
            "invalid-value",
            f"an {V2} label holds one value, not a list",
            f"write one value, e.g. {key}: {first}, or write the document as apiVersion: "
            "openslo/v1 (whose labels take a list)",
            blocking=False,
        )
        return False
    if not isinstance(value, str):
        shown = str(value).lower() if isinstance(value, bool) else str(value)
        rw.error(
            here,
            "invalid-value",
            f"label {key!r} holds {shown}, not text",
            f'quote it: {key}: "{shown}" (a label value is text)',
            blocking=False,
        )
        return False
    if not VALUE.fullmatch(value):
        rw.error(
            here,
            "invalid-value",
            f"label value {value!r} is not an {V2} label value",
            f"write {CHARACTERS}, beginning and ending with a letter or digit, e.g. "
            f"{key}: {_label_form(value) or 'my-label'}",
            blocking=False,
        )
        return False
    return True


def _label_form(text: str) -> str:
    """``text`` as a label value: lowercase, other characters as ``-``, at most 63."""
    lowered = re.sub(r"[^-._a-z0-9]+", "-", text.lower())
    return re.sub(r"^[^a-z0-9]+|[^a-z0-9]+$", "", lowered[:63])
