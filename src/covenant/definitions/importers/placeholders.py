"""Placeholders left in a definition that was saved before it was rendered: a shell or
envsubst variable (``${svc}``), or a dashboard / kustomize-base value written as a variable
(``namespace="$namespace"``). Sloth and Pyrra do not substitute them, so a query holding one
matches the placeholder's text, and Kubernetes refuses an object named with one; the file is
a template (a script's heredoc, envsubst input, a base an overlay patches) to render first."""

from __future__ import annotations

import re

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
