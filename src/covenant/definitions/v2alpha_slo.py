"""Fields of an ``openslo.com/v2alpha`` SLO with no ``openslo/v1`` place of the same form, read
as the v2alpha Go SDK types them (OpenSLO/OpenSLO ``pkg/openslo/v2alpha/slo.go``):

- ``spec.alertPolicies`` is ``[]string``: the names of AlertPolicy documents (the SDK: "We
  will make it a ref for now", OpenSLO issue 133). Each name is read as v1's
  ``alertPolicyRef``; an item written as v1's mapping is read as it is.
- an objective's ``labels`` (``Objective.Labels``) have no v1 place: checked as v2alpha labels
  (``v2alpha_labels``) and dropped, noted — they do not change what is measured.
"""

from __future__ import annotations

from typing import Any

from covenant.definitions.alpha_rewrite import Rewrite
from covenant.definitions.v2alpha_labels import checked_labels
from covenant.definitions.yamlsource import PathKey


def named_policies(rw: Rewrite, spec: dict[str, Any]) -> None:
    """Each AlertPolicy name in ``spec.alertPolicies`` as ``{alertPolicyRef: name}``."""
    policies = spec.get("alertPolicies")
    if not isinstance(policies, list) or not any(isinstance(p, str) for p in policies):
        return
    converted: list[Any] = []
    for i, item in enumerate(policies):
        if not isinstance(item, str):
            converted.append(item)
            continue
        here: PathKey = ("spec", "alertPolicies", i)
        rw.place((*here, "alertPolicyRef"), here)
        rw.note(here, f"AlertPolicy name {item!r} read as alertPolicyRef: {item}")
        converted.append({"alertPolicyRef": item})
    spec["alertPolicies"] = converted


def objective_labels(rw: Rewrite, objective: dict[str, Any], here: PathKey) -> None:
    """An objective's ``labels`` checked, then dropped from ``objective`` with a note."""
    if "labels" not in objective:
        return
    labels = objective.pop("labels")
    if labels is not None and not isinstance(labels, dict):
        rw.error(
            (*here, "labels"),
            "invalid-type",
            "an objective's labels are a mapping of names to values",
            "write labels: {tier: gold}, one 'name: value' per label",
            blocking=False,
        )
        return
    checked_labels(rw, {"labels": labels}, here)
    rw.note(
        (*here, "labels"),
        "an objective's labels dropped: an openslo/v1 objective has none (they do not change "
        "what is measured; the SLO's metadata.labels keep labels)",
    )
