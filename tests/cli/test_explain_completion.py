"""`covenant explain <TAB>` completes the documented codes (it completed nothing)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from covenant.cli.explain_cmds import complete_code


def test_completion_offers_the_codes_that_start_with_the_word() -> None:
    assert complete_code("yaml-") == [
        "yaml-syntax",
        "yaml-alias",
        "yaml-merge",
        "yaml-too-large",
        "yaml-too-deep",
    ]
    assert "invalid-definition" in complete_code("invalid-d")
    assert complete_code("no-such-code-prefix") == []


def test_bash_completion_of_explain_goes_through_the_cli() -> None:
    env = {
        **os.environ,
        "COMP_WORDS": "covenant explain store-e",
        "COMP_CWORD": "2",
        "_COVENANT_COMPLETE": "complete_bash",
    }
    script = Path(sys.executable).with_name("covenant")  # the installed entry point
    result = subprocess.run(
        [str(script)], check=False, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.stdout.split() == ["store-error"], result.stderr
