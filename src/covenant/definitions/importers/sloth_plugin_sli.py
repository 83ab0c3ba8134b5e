"""An SLI plugin of a Sloth SLO (``sli.plugin: {id, options}``) as the query Sloth would build
from it: one of Sloth's common plugins (``sloth_plugins``) built from its options, anything
else left out — or refused where Sloth cannot load it (no ``id``, not a mapping)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from covenant.definitions.importers import promql, sloth_plugins
from covenant.definitions.importers.base import INVALID, MISSING, Recorder
from covenant.definitions.yamlsource import PathKey


def what(value: Any) -> str:
    """What a value that should be a mapping is, as a message names it."""
    if value is None:
        return "empty"
    if isinstance(value, list):
        return "a list"
    return "a text" if isinstance(value, str) else repr(value)


def plugin_query(record: Recorder, plugin: Any) -> str | None:
    """The query one of Sloth's common SLI plugins builds from its options (``{{.window}}``
    normalised, ``rate`` read as ``increase``), noted; any other plugin, or one Sloth cannot
    load or build, is left out (or refused) with the reason, and None returned."""
    field: PathKey = ("sli", "plugin")
    if not isinstance(plugin, Mapping):
        record.problem(
            field,
            INVALID,
            f"sli.plugin is {what(plugin)}, not a mapping",
            f"write plugin: {{id: {plugin if isinstance(plugin, str) else '<its id>'}, "
            "options: {…}}",
        )
        return None
    name = plugin.get("id")
    given = plugin.get("options")
    if name is None or (isinstance(name, str) and not name.strip()):
        record.problem(
            (*field, "id") if "id" in plugin else field,
            MISSING,
            "sli.plugin has no id: Sloth loads a plugin by its id and refuses the spec",
            "add id: <the plugin's id> (e.g. sloth-common/kubernetes/apiserver/availability), "
            "or write the SLI as sli.events",
        )
        return None
    if name in sloth_plugins.LEFT_OUT:
        record.note(
            field,
            f"SLI plugin {name!r} is left out: {sloth_plugins.LEFT_OUT[name]}",
            skipped=True,
        )
        return None
    if name not in sloth_plugins.PLUGINS:
        record.note(
            field,
            f"SLI plugin {name!r}: its queries are made by plugin code that is not in the file "
            "(Covenant builds those of Sloth's common plugins, sloth-common/…, only); write the "
            "SLI as sli.events (the queries the plugin generates) and import again",
            skipped=True,
        )
        return None
    if given is not None and not isinstance(given, Mapping):
        record.problem(
            (*field, "options"),
            INVALID,
            f"sli.plugin.options of {name!r} is not a mapping",
            "write options as a mapping of option names to values",
        )
        return None
    nested = [str(key) for key, value in (given or {}).items() if isinstance(value, Mapping | list)]
    if nested:
        record.note(
            (*field, "options", nested[0]),
            f"SLI plugin {name!r}: the option {nested[0]!r} is a list or mapping, and Sloth's "
            "plugin options are texts (it refuses the spec); write it as one value and import "
            "again",
            skipped=True,
        )
        return None
    options = {str(key): sloth_plugins.option_text(value) for key, value in (given or {}).items()}
    for unknown in sloth_plugins.unknown_options(name, options):
        record.note(
            (*field, "options", unknown),
            f"SLI plugin {name!r} does not read the option {unknown!r}: ignored, as Sloth "
            "ignores it",
        )
    try:
        built = sloth_plugins.build(name, options)
    except sloth_plugins.OptionError as exc:
        where = (*field, "options", *([exc.option] if exc.option in options else []))
        where = where if given else field
        record.note(
            where,
            f"SLI plugin {name!r}: {exc.problem}, so Sloth refuses to build its query; "
            f"{exc.fix} and import again",
            skipped=True,
        )
        return None
    for option, caveat in sloth_plugins.option_caveats(name, options).items():
        record.note((*field, "options", option), f"SLI plugin {name!r}: {caveat}")
    query, _kept = promql.rate_to_increase(promql.normalise_window(built.strip()))
    record.note(
        field,
        f"SLI plugin {name!r} built as Sloth's plugin builds it: {' '.join(built.split())}",
    )
    return query
