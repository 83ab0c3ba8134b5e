"""The registry of definition kinds: which model validates each ``(apiVersion, kind)``.

``documents`` looks a kind up here; the kind modules (``openslo``, ``covenant_v1``,
``agreements``, ``calendars``, ``corrections``, ``settings``) define their models and never
import this registry or ``documents`` back, so there is no import circle between them. A
kind's module is named, not imported: it is imported the first time a document of that kind
is validated, so evaluating a workspace of SLOs never loads the contract, calendar (holidays)
or correction (dateutil) code. tests/definitions/test_kinds.py checks every entry imports to a
document model of that kind.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from covenant.definitions.openslo import Document

OPENSLO_V1 = "openslo/v1"
COVENANT_V1 = "covenant/v1"
V1ALPHA = "openslo/v1alpha"
V2ALPHA = "openslo.com/v2alpha"
ALPHA_VERSIONS = (V1ALPHA, V2ALPHA)
"""Earlier OpenSLO versions, converted to v1 by ``alpha`` (loaded only to convert one)."""

_OPENSLO = "covenant.definitions.openslo"
_COVENANT = "covenant.definitions.covenant_v1"
_AGREEMENTS = "covenant.definitions.agreements"
_CALENDARS = "covenant.definitions.calendars"
_CORRECTIONS = "covenant.definitions.corrections"
_SETTINGS = "covenant.definitions.settings"

KINDS: dict[str, dict[str, tuple[str, str]]] = {
    OPENSLO_V1: {
        "Service": (_OPENSLO, "ServiceDocument"),
        "DataSource": (_OPENSLO, "DataSourceDocument"),
        "SLI": (_OPENSLO, "SLIDocument"),
        "SLO": (_OPENSLO, "SLODocument"),
        "AlertPolicy": (_OPENSLO, "AlertPolicyDocument"),
        "AlertCondition": (_OPENSLO, "AlertConditionDocument"),
        "AlertNotificationTarget": (_OPENSLO, "AlertNotificationTargetDocument"),
    },
    COVENANT_V1: {
        "SLI": (_COVENANT, "CovenantSLIDocument"),
        "SLO": (_COVENANT, "CovenantSLODocument"),
        "Customer": (_AGREEMENTS, "CustomerDocument"),
        "Calendar": (_CALENDARS, "CalendarDocument"),
        "Agreement": (_AGREEMENTS, "AgreementDocument"),
        "MaintenanceWindow": (_AGREEMENTS, "MaintenanceDocument"),
        "Correction": (_CORRECTIONS, "CorrectionDocument"),
        "Settings": (_SETTINGS, "SettingsDocument"),
    },
}
"""apiVersion → kind → (module, model class), in the order kinds are suggested."""

CONTRACT_KINDS = frozenset({"Customer", "Calendar", "Agreement", "MaintenanceWindow"})
"""covenant/v1 kinds that ``contracts.resolve_contracts`` resolves."""
CORRECTION_KINDS = frozenset({"Correction"})
SETTINGS_KINDS = frozenset({"Settings"})
FUTURE_KINDS: tuple[str, ...] = ()
"""covenant/v1 kinds announced but not read yet (a warning, the document is skipped)."""


def api_versions() -> list[str]:
    return list(KINDS)


def kind_names(api_version: str) -> list[str]:
    """The kinds ``api_version`` has (empty for an unknown version)."""
    return list(KINDS.get(api_version, {}))


def model_for(api_version: str, kind: str) -> type[Document] | None:
    """The model that validates ``kind`` of ``api_version`` (its module imported now), or None."""
    entry = KINDS.get(api_version, {}).get(kind)
    if entry is None:
        return None
    module, name = entry
    model: type[Document] = getattr(import_module(module), name)
    return model
