"""Whether a command line asks for JSON, read as Click reads it (``cli.jsonmode`` has the rule).

``jsonmode.asks_for_json`` guesses from the words alone, before typer is imported; it cannot
know which options take a value, so ``--slo -fjson`` or ``report sla -o -f`` looked like a
request for JSON. Once the commands are built, this module walks the command line with each
command's own option parser (Click's): a group's options, then its command's name, down to
the command that runs; there the value Click gives that command's ``--format``/``-f`` is the
answer. A value of another option is that option's, whatever it looks like, and nothing after
``--`` is an option. The rest need not be valid: an unknown option is stepped over and the
parse goes on after a usage error (a flag given a value, a value missing at the end), as a
refusal of such a line is still JSON when the line asks for it. A command with no ``-f`` of
its own, or a name that is no command, falls back to the guess over the words not read.

The loop below is Click's own option loop (``_OptionParser._process_args_for_options``) with
those two differences; it calls the parser's ``_process_opts`` for each option word.
tests/cli/test_json_detection.py pins it to the commands as typer builds them.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from contextlib import suppress
from typing import Any

from covenant.cli.jsonmode import asks_for_json

_NAMES = frozenset(("--format", "-f"))


def asks_for_json_in(root: Any, args: Sequence[str]) -> bool:
    """Whether ``args`` (without the program name) ask ``root`` (a Click command) for JSON."""
    command = root
    context: Any = None
    rest = list(args)
    while True:
        context = command.context_class(command, parent=context, resilient_parsing=True)
        given, words, name = _read_options(command, context, rest)
        if name is None:  # the command that runs
            option = _format_option(command)
            if option is not None:
                return bool(given.get(option.name) == "json")
            return asks_for_json(words)
        found = command.get_command(context, words[name])
        if found is None:  # no such command: the guess over the words after it
            return asks_for_json(words[name + 1 :])
        command, rest = found, words[name + 1 :]


def _format_option(command: Any) -> Any:
    for param in getattr(command, "params", ()):
        if getattr(param, "param_type_name", "") == "option" and _NAMES & set(param.opts):
            return param
    return None


def _read_options(
    command: Any, context: Any, args: list[str]
) -> tuple[dict[str, Any], list[str], int | None]:
    """What ``command``'s own options read from ``args`` (by parameter name); the words they
    did not read (``--`` kept where it was); for a group, the index of its command's name in
    those words (None for a command, or a group given none)."""
    parser = command.make_parser(context)
    parser.ignore_unknown_options = True
    usage_error = sys.modules[type(parser).__module__].UsageError
    state = sys.modules[type(parser).__module__]._ParsingState(list(args))
    group = getattr(command, "commands", None) is not None
    while state.rargs:
        word = state.rargs[0]
        if word == "--":
            return state.opts, [*state.largs, *state.rargs], None
        if word[:1] in parser._opt_prefixes and len(word) > 1:
            state.rargs.pop(0)
            with suppress(usage_error):  # the word is read; go on after it
                parser._process_opts(word, state)
        elif group or not parser.allow_interspersed_args:
            return state.opts, [*state.largs, *state.rargs], len(state.largs) if group else None
        else:
            state.largs.append(state.rargs.pop(0))
    return state.opts, state.largs, None
