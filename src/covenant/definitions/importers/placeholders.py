"""Placeholders left in a definition that was saved before it was rendered: a shell or
envsubst variable (``${svc}``), or a dashboard / kustomize-base value written as a variable
(``namespace="$namespace"``). Sloth and Pyrra do not substitute them, so a query holding one
matches the placeholder's text, and Kubernetes refuses an object named with one; the file is
a template (a script's heredoc, envsubst input, a base an overlay patches) to render first."""

from __future__ import annotations

import re

from covenant.definitions.importers import promql
from covenant.definitions.importers.base import INVALID, Recorder
from covenant.definitions.yamlsource import PathKey

# ${NAME} anywhere; $NAME as the whole value of a label matcher ("$namespace"); a regex may
# end with $ (an anchor), so $ is a placeholder only when a name follows it in one of these
_BRACED = re.compile(r"\$\{[A-Za-z_][A-Za-z0-9_]*\}")
_WHOLE_VALUE = re.compile(r"""(?:=|!=|=~|!~)\s*(["'])(\$[A-Za-z_][A-Za-z0-9_]*)\1""")

FIX = (
    "render it first (kustomize build OVERLAY, envsubst < FILE with the variable set, or the "
    "script that fills it) and import the output"
)


def placeholder(text: str) -> str | None:
    """The first placeholder in ``text`` (a query or a name), or None."""
    braced = _BRACED.search(text)
    whole = _WHOLE_VALUE.search(text)
    found = [m for m in (braced, whole) if m is not None]
    if not found:
        return None
    first = min(found, key=lambda m: m.start())
    return first.group(2) if first is whole else first.group()


def why(found: str) -> str:
    """The problem's message tail for a query holding ``found``."""
    return (
        f"holds the placeholder {found}: the file is a template (a script's heredoc, envsubst "
        "input, a kustomize base its overlays patch), not the definition yet — the tool "
        f"would match the text {found}"
    )


def unrendered(record: Recorder, field: PathKey, key: str, query: str) -> bool:
    """Refuse a Sloth query (``prometheus/v1``, the Kubernetes resource or ``openslo/v1alpha``;
    ``{{.window}}`` already normalised) left unrendered: ``{{window}}`` without the dot,
    template markup (``{{SERVICE}}``, ``{%``) or a placeholder (``${svc}``, ``"$namespace"``)
    — Sloth substitutes only its own ``{{.window}}``. True when refused."""
    no_dot = re.search(r"\{\{-?\s*window\s*-?\}\}", query)
    if no_dot is not None:  # Helm's {{"{{"}}window{{"}}"}} renders so
        record.problem(
            field,
            INVALID,
            f"{key} writes {no_dot.group()}, which is not Sloth's {{{{.window}}}}: without the "
            'dot Sloth\'s Go template fails (function "window" not defined)',
            "write [{{.window}}], with the dot",
        )
        return True
    markup = re.search(r"\{\{|\{%", query.replace(promql.WINDOW, ""))
    if markup is not None:
        record.problem(
            field,
            INVALID,
            f"{key} holds template markup ({markup.group()} … beside Sloth's own "
            "{{.window}}): the file is a Helm/Jinja/Go template, not a Sloth spec yet",
            "render the template first (helm template, ansible, …) and import the output",
        )
        return True
    found = placeholder(query)
    if found is not None:
        record.problem(field, INVALID, f"{key} {why(found)}", FIX)
        return True
    return False
