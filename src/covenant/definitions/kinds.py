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


def kind_names(api_version: str) -> list[str]:
    """The kinds ``api_version`` has (empty for an unknown version)."""
    return list(KINDS.get(api_version, {}))


READ_VERSIONS = (OPENSLO_V1, COVENANT_V1, *ALPHA_VERSIONS)
"""Every apiVersion Covenant reads, in the order one is preferred when two are as near."""


def nearest_api_version(written: str) -> str:
    """The version of :data:`READ_VERSIONS` an unknown ``written`` most likely means, or ''.

    The group is kept (``openslo`` and ``openslo.com`` are one, OpenSLO's; a misspelt group is
    the nearest within two letters); of its versions, the nearest by edit distance (in any
    case), and of two as near the one the written version starts with (``v1beta1`` →
    ``v1``, not the as distant ``v1alpha``): ``v1alpha1`` → ``v1alpha``, ``v1.0`` → ``v1``,
    ``v1alpa`` → ``v1alpha``. A version of no known group (``apps/v1``) gets no guess."""
    _, slash, version = written.rpartition("/")
    if not slash:
        return ""
    families = {_family(known) for known in READ_VERSIONS}
    distance, family = min((_distance(_family(written), f), f) for f in families)
    if distance > min(2, len(family) // 3):
        return ""
    wanted = version.casefold()

    def nearness(known: str) -> tuple[int, bool]:
        ours = known.rpartition("/")[2].casefold()
        return _distance(wanted, ours), not wanted.startswith(ours)

    return min((k for k in READ_VERSIONS if _family(k) == family), key=nearness)


def _family(api_version: str) -> str:
    """``openslo`` for ``openslo/v1`` and ``openslo.com/v2alpha``; ``covenant`` for
    ``covenant/v1``."""
    return api_version.rpartition("/")[0].casefold().removesuffix(".com")


def _distance(a: str, b: str) -> int:
    """The Levenshtein distance of ``a`` and ``b`` (insertions, deletions, substitutions)."""
    row = list(range(len(b) + 1))
    for i, x in enumerate(a, start=1):
        previous, row[0] = row[0], i
        for j, y in enumerate(b, start=1):
            previous, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, previous + (x != y))
    return row[-1]


def model_for(api_version: str, kind: str) -> type[Document] | None:
    """The model that validates ``kind`` of ``api_version`` (its module imported now), or None."""
    entry = KINDS.get(api_version, {}).get(kind)
    if entry is None:
        return None
    module, name = entry
    model: type[Document] = getattr(import_module(module), name)
    return model
