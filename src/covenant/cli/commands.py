"""Which module registers each top-level command (no typer here: ``main`` reads it first)."""

MODULES = (  # in the order their commands are listed in help
    "definitions_cmds",
    "import_cmds",
    "ingest_cmds",
    "evaluate_cmds",
    "agreement_cmds",
    "window_cmds",
    "report_cmds",
    "lint_cmds",
    "backtest_cmds",
    "exposure_cmds",
    "rules_cmds",
    "serve_cmds",
    "alerts_cmds",
    "record_cmds",
    "sources_cmds",
    "db_cmds",
    "audit_cmds",
    "user_cmds",
    "explain_cmds",
)
COMMANDS = {  # top-level command or group → the module that registers it
    "validate": "definitions_cmds",
    "init": "definitions_cmds",
    "export": "definitions_cmds",
    "import": "import_cmds",
    "ingest": "ingest_cmds",
    "evaluate": "evaluate_cmds",
    "demo": "evaluate_cmds",
    "agreements": "agreement_cmds",
    "corrections": "window_cmds",
    "maintenance": "window_cmds",
    "report": "report_cmds",
    "lint": "lint_cmds",
    "backtest": "backtest_cmds",
    "suggest": "backtest_cmds",
    "exposure": "exposure_cmds",
    "rules": "rules_cmds",
    "dashboards": "rules_cmds",
    "serve": "serve_cmds",
    "token": "serve_cmds",
    "alerts": "alerts_cmds",
    "tickets": "record_cmds",
    "incidents": "record_cmds",
    "sources": "sources_cmds",
    "db": "db_cmds",
    "audit": "audit_cmds",
    "slo": "audit_cmds",
    "user": "user_cmds",
    "explain": "explain_cmds",
}


GROUPS = (  # top-level groups: alone, they print their help (exit 2), kept by cli.help_cache
    # (a group not listed here is only not answered from the cache)
    "export",
    "import",
    "ingest",
    "agreements",
    "report",
    "backtest",
    "suggest",
    "rules",
    "dashboards",
    "token",
    "alerts",
    "tickets",
    "incidents",
    "sources",
    "db",
    "audit",
    "slo",
    "user",
    "corrections",
    "maintenance",
)


COMPLETE_VARIABLE = "_COVENANT_COMPLETE"  # set by the shell while it completes a command line
FAST_COMMAND = "evaluate"  # run by cli.fast without typer when it can
MAX_HELP_WORDS = 4  # `covenant ingest events --help` has two
MAX_HELP_ARGS = 16  # `covenant evaluate -w shop --format json --help`: options before --help


def asks_for_help(args: list[str]) -> bool:
    """True for ``--version``/``-V`` alone, ``WORD… [OPTION…] --help`` (a few plain words, then
    options and their values), nothing at all and a group alone (which print help): the command
    lines ``cli.help_cache`` may answer. (An option that takes a value may take ``--help`` as
    it: the cache then keeps nothing, as typer printed no help.)"""
    if args in (["--version"], ["-V"], []) or (len(args) == 1 and args[0] in GROUPS):
        return True
    if not args or args[-1] != "--help" or len(args) > MAX_HELP_ARGS:
        return False
    words = args[:-1]
    for at, word in enumerate(words):
        if word.startswith("-"):
            words = words[:at]
            break
    if len(words) > MAX_HELP_WORDS:
        return False
    return all(word[:1].isalpha() and word.replace("-", "").isalnum() for word in words)
