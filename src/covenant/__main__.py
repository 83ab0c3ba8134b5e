"""``python -m covenant``: the ``covenant`` command, for an environment whose scripts are not
on the PATH."""

from covenant.cli.main import main

main()
