"""Sloth → OpenSLO: ``prometheus/v1`` specs, ``PrometheusServiceLevel`` resources, and the
``openslo/v1alpha`` SLOs Sloth reads.

Meaning kept (docs/import.md): one SLO per Sloth SLO, named like Sloth's ``sloth_id``
(``<service>-<slo>``); ``objective: 99.9`` → ``target: 0.999``; the SLO period (30 days unless
``--sloth-period`` or an ``--alert-windows`` catalog says otherwise) as a rolling window; the
SLI as a ratio of two counts per window (``sloth_sli``: ``events``, or a ``raw`` error ratio
split into its two counts; ``rate(x[{{.window}}])`` read as ``increase``); page and ticket
alerts as ``covenant/v1`` alert tiers with the catalog's budget shares and windows (Sloth's
defaults: 2 % in 1 h / 5 m and 5 % in 6 h / 30 m page, 10 % in 1 d / 2 h and 10 % in
3 d / 6 h ticket).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from typing import Any

from covenant.definitions.covenant_v1 import SLOTH_SERVICE_KEY, SLOTH_SLO_KEY
from covenant.definitions.diagnostics import did_you_mean
from covenant.definitions.importers import groups, sloth_sli
from covenant.definitions.importers.base import (
    INVALID,
    MISSING,
    ImportedFile,
    Options,
    Recorder,
    SLOParts,
    add_once,
    below_one_percent,
    decimal,
    description,
    label_values,
    mapping,
    name_for,
    percent_to_target,
    prometheus_datasource,
    quoted_number,
    service_document,
    shown,
    slo_document,
    threshold_notes,
    tier,
)
from covenant.definitions.importers.bundles import kind_of, skipped_in_bundle, unrecognised
from covenant.definitions.importers.flags import quoted_flag_fix, yaml11_bool
from covenant.definitions.importers.sloth_k8s import (
    camel_case_fields,
    in_resource_spelling,
    missing_objective,
    other_kind,
    other_version,
    snake_case_fields,
)
from covenant.definitions.importers.sloth_openslo import SLOTH_PERIODS, alert_windows, openslo_alpha
from covenant.definitions.importers.sloth_sli import SPELLINGS, spelled
from covenant.definitions.yamlsource import SourceDocument
from covenant.errors import Problem

SLO_KEYS = {"name", "objective", "description", "labels", "sli", "alerting", "plugins"}
INTERVAL_NOTE = (  # an SLO field of earlier Sloth releases
    "interval sets how often Sloth evaluates the rule groups it generates (a field of earlier "
    "Sloth releases; now the plugin sloth.dev/contrib/rule_intervals/v1): not carried over, "
    "Covenant's own rules (covenant rules prometheus) keep their interval"
)
SPEC_KEYS = {"version", "service", "labels", "slos", "slo_plugins", "sloPlugins"}


SLOTH_K8S = kind_of("sloth.slok.dev/v1", "PrometheusServiceLevel")
SLOTH_FIX = (
    "Sloth specs start with version: prometheus/v1, or are sloth.slok.dev/v1 "
    "PrometheusServiceLevel resources; for other tools use covenant import pyrra or "
    "covenant import slo-generator; leave generated rules out"
)


def import_sloth(docs: list[SourceDocument], *, file: str, options: Options) -> ImportedFile:
    result = ImportedFile(source=file, tool="sloth")
    for doc in docs:
        data = doc.data
        record = Recorder(result, doc)
        if not isinstance(data, Mapping):
            unrecognised(record, data, expected="a Sloth spec", fix=SLOTH_FIX)
            continue
        api, kind = data.get("apiVersion"), data.get("kind")
        if data.get("version") == "prometheus/v1":
            camel_case_fields(record, data, SPELLINGS)
            _service_level(result, record, data, options)
        elif SLOTH_K8S(data):
            spec = data.get("spec")
            if not isinstance(spec, Mapping):
                record.problem(
                    ("spec",), MISSING, "the resource has no spec", "add spec.service and spec.slos"
                )
                continue
            metadata = mapping(data.get("metadata"))
            if "namespace" in metadata:
                record.note(("metadata", "namespace"), "Kubernetes placement; not carried over")
            if metadata.get("labels"):
                record.note(
                    ("metadata", "labels"),
                    "labels of the Kubernetes resource (selecting it for an operator); not carried "
                    "over — spec.labels are the SLOs' labels",
                )
            snake_case_fields(record.child(("spec",)), spec, SPELLINGS)
            here = record.child(("spec",))
            read = partial(_service_level, result, here, spec, options)
            in_resource_spelling(result, SPELLINGS, read)
        elif api == "sloth.slok.dev/v1" and kind == "AlertWindows":
            result.reason = (
                "a Sloth AlertWindows catalog holds no SLO: give it to the import of the specs "
                "it applies to (covenant import sloth SPEC... --alert-windows FILE)"
            )
        elif api == "openslo/v1alpha" and kind == "SLO":
            openslo_alpha(result, record, data, options)
        elif api is None and kind is None and {"service", "slos"} <= data.keys():
            version = data.get("version")
            record.problem(
                ("version",) if "version" in data else (),
                MISSING if version is None else INVALID,
                "a Sloth spec (service, slos) without version: prometheus/v1"
                if version is None
                else f"version {version!r} is not Sloth's prometheus/v1",
                'write version: "prometheus/v1" at the top, as Sloth requires',
            )
            _service_level(result, record, data, options)  # its other problems, said at once
        elif api is None and kind is None and _slos_alone(data):
            record.problem(
                (),
                MISSING,
                "a Sloth slos: list without the spec's version and service (Sloth reads a "
                "prometheus/v1 spec: version, service, slos)",
                'write version: "prometheus/v1" and service: NAME at the top',
            )
            _service_level(result, record, {**data, "service": "NAME"}, options)  # all at once
        elif api is None and kind is None and {"name", "objective", "sli"} <= data.keys():
            record.problem(
                (),
                MISSING,
                "an SLO of a Sloth spec (name, objective, sli) without the spec around it",
                'put it under slos: in a spec with version: "prometheus/v1" and service: '
                "NAME at the top, as Sloth reads it",
            )
        elif api == "sloth.slok.dev/v1" and isinstance(kind, str):  # a kind Covenant does not read
            other_kind(record, kind)
        elif isinstance(api, str) and api.startswith("sloth.slok.dev/"):  # not Sloth's version
            other_version(record, api, data)
        elif not skipped_in_bundle(record, docs, SLOTH_K8S, "Sloth", ("sloth.slok.dev/",)):
            unrecognised(record, data, expected="a Sloth spec", fix=SLOTH_FIX)
    if result.problems:
        result.documents.clear()
    return result


def _slos_alone(data: Mapping[str, Any]) -> bool:
    """A ``slos:`` list of Sloth SLOs (name, objective, sli) with no ``service`` beside it."""
    slos = data.get("slos")
    return (
        "service" not in data
        and "version" not in data
        and isinstance(slos, list)
        and bool(slos)
        and all(isinstance(s, Mapping) and {"name", "sli"} <= s.keys() for s in slos)
    )


def _service_level(
    result: ImportedFile, record: Recorder, spec: Mapping[str, Any], options: Options
) -> None:
    service = spec.get("service")
    if not isinstance(service, str) or not service.strip():
        record.problem(
            ("service",),
            MISSING,
            "service is missing or empty",
            'name the service, e.g. service: "checkout"',
        )
        return
    slos = spec.get("slos")
    if not isinstance(slos, list) or not slos:
        record.problem(
            ("slos",), MISSING, "slos is missing or empty", "list at least one SLO under slos"
        )
        return
    _unknown(record, (), spec, (*sorted(SPEC_KEYS), "apiVersion", "kind"), what="spec")
    plugins_key, plugins = spelled(spec, "slo_plugins")
    if plugins:
        record.note(
            (plugins_key,),
            "SLO plugins change the Prometheus rules Sloth generates; Covenant generates its own "
            "(covenant rules prometheus), which keep exact counts",
        )
    service_name = name_for(result, service)
    add_once(result, service_document(service_name))
    add_once(result, prometheus_datasource(options.datasource, options.prometheus_url))
    common = label_values(spec.get("labels"), record, ("labels",))
    period, catalog = alert_windows(options)
    if options.alert_windows is None and period not in SLOTH_PERIODS:
        record.note(
            (),
            f"Sloth ships alert windows for 28d and 30d only; the {period} period uses the same "
            "budget shares",
        )
    for index, slo in enumerate(slos):
        here = record.child(("slos", index))
        if not isinstance(slo, Mapping):
            here.problem((), INVALID, "an SLO must be a mapping", "give name, objective, sli")
            continue
        if isinstance(slo.get("name"), str) and _duplicate(here, f"{service}-{slo['name']}"):
            continue
        parts = _slo(
            result,
            here,
            slo,
            service=service,
            service_name=service_name,
            common=common,
            period=period,
            catalog=catalog,
            options=options,
        )
        if parts is not None:
            result.documents.append(slo_document(parts))
            groups.attach(result, result.documents[-1])
        else:
            result.groups = [g for g in result.groups if g.document is not None]


DUPLICATE_FIX = (
    "remove the copy, or give one of them another name (Sloth refuses duplicated SLO ids "
    "unless --ignore-slo-duplicates, and then both write the same rules)"
)


def _duplicate(record: Recorder, sloth_id: str) -> bool:
    """Whether Sloth's id ``<service>-<slo>`` was given before in this file (then refused, as
    ``sloth validate`` refuses it: "SLO duplicated"); else it is recorded."""
    first = record.result.ids.get(sloth_id)
    if first is not None:
        record.problem(
            ("name",),
            INVALID,
            f"SLO id {sloth_id!r} (<service>-<name>) is defined at {first[0]} already: sloth "
            "validate refuses a duplicated SLO id",
            DUPLICATE_FIX,
        )
        return True
    record.result.ids[sloth_id] = record.at(("name",))
    return False


def refuse_duplicate_ids(files: list[ImportedFile]) -> None:
    """A Sloth id one file of the import defines that an earlier file defined already: a
    problem of the later file (Sloth validates every file of a folder together)."""
    seen: dict[str, str] = {}
    for result in files:
        for sloth_id, (where, name) in result.ids.items():
            first = seen.setdefault(sloth_id, where)
            if first != where:
                result.problems.append(
                    Problem(
                        code=INVALID,
                        message=f"SLO id {sloth_id!r} (<service>-<name>) is defined at {first} "
                        "already: sloth validate refuses a duplicated SLO id",
                        where=where,
                        field=name,
                        fix=DUPLICATE_FIX,
                    )
                )
                result.documents.clear()


def _slo(
    result: ImportedFile,
    record: Recorder,
    slo: Mapping[str, Any],
    *,
    service: str,
    service_name: str,
    common: Mapping[str, str],
    period: str,
    catalog: Mapping[str, Any],
    options: Options,
) -> SLOParts | None:
    name = slo.get("name")
    if not isinstance(name, str) or not name.strip():
        record.problem(("name",), MISSING, "the SLO has no name", "add name: requests-availability")
        return None
    if quoted_number(record, "objective", slo) or missing_objective(record, slo):
        sloth_sli.indicator(record, slo.get("sli"), options, slo=slo)  # its problems too, at once
        return None
    objective = decimal(slo.get("objective"))
    if objective is None or not 0 < objective <= 100:
        record.problem(
            ("objective",),
            INVALID,
            f"objective {shown(slo.get('objective'))} is not a percentage above 0 and at most 100",
            "write the objective in percent, e.g. objective: 99.9",
        )
        sloth_sli.indicator(record, slo.get("sli"), options, slo=slo)
        return None
    below_one_percent(record, ("objective",), objective, "Sloth")
    _unknown(record, (), slo, tuple(sorted(SLO_KEYS | {"interval"})), what="SLO")
    if "interval" in slo:
        record.note(("interval",), INTERVAL_NOTE)
    indicator = sloth_sli.indicator(record, slo.get("sli"), options, slo=slo)
    tiers = _tiers(record, slo.get("alerting"), catalog)
    if indicator is None or tiers is None:
        return None
    if objective == 100:
        record.note(
            ("objective",),
            "an objective of 100 % leaves no error budget; Covenant refuses a target of 1",
            skipped=True,
        )
        return None
    if slo.get("plugins"):
        record.note(
            ("plugins",), "SLO plugins change the generated rules; Covenant generates its own"
        )
    annotations = {}
    alerting = slo.get("alerting")
    if (
        isinstance(alerting, Mapping)
        and any(alerting.get(k) for k in ("name", "labels", "annotations"))
    ) or _routing(alerting):
        from covenant.definitions.export import to_json  # noqa: PLC0415 - only when there is one

        annotations["sloth.slok.dev/alerting"] = to_json(_valid_name(record, alerting))
        record.note(
            ("alerting",),
            "alert name, labels and annotations kept in the annotation sloth.slok.dev/alerting: "
            "Covenant's alerts (the worker's and the generated rules') carry them, so "
            "Alertmanager routes on them keep matching",
        )
    threshold_notes(
        record, ("alerting",), tiers, target=percent_to_target(objective), window=period
    )
    labels = {**common, **label_values(slo.get("labels"), record, ("labels",))}
    named = name_for(result, name)
    if named != name:  # Sloth's ids keep Sloth's names (DNS labels here)
        annotations[SLOTH_SLO_KEY] = name
    if service_name != service:
        annotations[SLOTH_SERVICE_KEY] = service
    return SLOParts(
        name=named,
        display_name=f"{service} {name}",
        service=service_name,
        description=description(record, ("description",), slo.get("description")),
        labels=labels,
        annotations=annotations,
        indicator=indicator,
        target=percent_to_target(objective),
        window=period,
        tiers=tiers,
    )


def _routing(alerting: Any) -> bool:
    if not isinstance(alerting, Mapping):
        return False
    for key in ("page_alert", "ticket_alert"):
        _, block = spelled(alerting, key)
        if isinstance(block, Mapping) and (block.get("labels") or block.get("annotations")):
            return True
    return False


ALERTING_KEYS = ("name", "labels", "annotations", "page_alert", "ticket_alert")
ALERT_KEYS = ("disable", "labels", "annotations", "for")
ALERT_FOR_NOTE = (
    "for ({}) is the alert's pending time, read by the plugin sloth.dev/contrib/alert_for/v1 "
    "(Sloth's core plugins ignore it): not carried over, Covenant's alert tiers have none "
    "(their short window confirms the burn)"
)


def _unknown(
    record: Recorder,
    where: tuple[str, ...],
    data: Mapping[str, Any],
    known: tuple[str, ...],
    *,
    what: str,
) -> list[str]:
    """A note per key of ``data`` (the ``what`` at ``where``) that Sloth does not know, with
    the key it may have meant; what each says, for a problem's fix."""
    spellings = [*known, *(SPELLINGS[k] for k in known if k in SPELLINGS)]
    said = []
    for key in data:
        if str(key) in spellings:
            continue
        guess = did_you_mean(str(key), spellings)
        text = f"{key!r} is not a field of Sloth's {what}; ignored (as Sloth ignores it)"
        if guess:
            text += f": did you mean {guess!r}?"
        record.note((*where, str(key)), text)
        said.append(f"{key!r}: did you mean {guess!r}?" if guess else f"{key!r} is ignored")
    return said


def _disabled(record: Recorder, block: Mapping[str, Any]) -> bool | None:
    """A page or ticket alert's ``disable`` as Sloth's YAML reader (yaml.v2, YAML 1.1) takes
    it — ``yes``, ``on``, ``y`` are true — or None (refused) for a value that is no boolean."""
    value = block.get("disable")
    quoted = record.quoted(("disable",))
    flag = False if value is None else yaml11_bool(value, go=True, quoted=quoted)
    if flag is None and quoted:
        record.problem(
            ("disable",),
            INVALID,
            f"disable {value!r} is quoted: text, not a boolean (Sloth refuses the spec)",
            quoted_flag_fix(value),
        )
    elif flag is None:
        record.problem(
            ("disable",),
            INVALID,
            f"disable {shown(value)} is not a boolean (Sloth refuses the spec)",
            "write disable: true, or leave it out to keep the alert",
        )
    elif isinstance(value, str):
        record.note(
            ("disable",),
            f"{value!r} read as {str(flag).lower()}, as Sloth's YAML 1.1 reader reads it",
        )
    return flag


def _tiers(
    record: Recorder, alerting: Any, catalog: Mapping[str, Any]
) -> list[dict[str, Any]] | None:
    alerting = alerting if isinstance(alerting, Mapping) else {}
    tiers: list[dict[str, Any]] = []
    enabled = []
    unknown = _unknown(record, ("alerting",), alerting, ALERTING_KEYS, what="alerting")
    for severity, key in (("page", "page_alert"), ("ticket", "ticket_alert")):
        written, block = spelled(alerting, key)
        if isinstance(block, Mapping):
            unknown += _unknown(record, ("alerting", written), block, ALERT_KEYS, what=written)
            if "for" in block:
                record.note(("alerting", written, "for"), ALERT_FOR_NOTE.format(block["for"]))
            disabled = _disabled(record.child(("alerting", written)), block)
            if disabled is None:
                return None
            if disabled:
                continue
        enabled.append(key)
        windows = catalog.get(severity, {})
        for speed in ("quick", "slow"):
            window = windows.get(speed) if isinstance(windows, Mapping) else None
            if not isinstance(window, Mapping):
                continue
            tiers.append(
                tier(
                    f"{severity}-{speed}",
                    severity,
                    str(window.get("longWindow")),
                    str(window.get("shortWindow")),
                    budget_percent=decimal(window.get("errorBudgetPercent")),
                )
            )
    name = alerting.get("name")
    if enabled and (not isinstance(name, str) or not name.strip()):
        record.problem(
            ("alerting", "name"),
            MISSING,
            f"alerting.name is missing or empty while {' and '.join(enabled)} "
            f"{'are' if len(enabled) > 1 else 'is'} enabled (Sloth requires it)",
            "name the alert (e.g. name: MyServiceHighErrorRate), or disable both alerts "
            "(page_alert: {disable: true})"
            + (f"; in this file {', '.join(unknown)}" if unknown else ""),
        )
        return None
    return tiers


def _valid_name(record: Recorder, alerting: Any) -> Any:
    """``alerting`` without a ``name`` Prometheus refuses as an alert name, noted."""
    from covenant.definitions.alert_routing import ALERT_NAME  # noqa: PLC0415

    name = alerting.get("name") if isinstance(alerting, Mapping) else None
    if not isinstance(name, str) or not name or ALERT_NAME.match(name):
        return alerting
    record.note(
        ("alerting", "name"),
        f"{name!r} is not a Prometheus alert name (letters, digits, _ and :, not starting with "
        "a digit; Prometheus refuses the rules Sloth generates with it): not carried over, the "
        "alerts keep Covenant's name — rename it (e.g. ShopHighErrorRate) to keep routes on it",
    )
    return {k: v for k, v in alerting.items() if k != "name"}
