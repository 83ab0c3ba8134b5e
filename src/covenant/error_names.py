"""How a message names the inputs a caller gave: the CLI's options (``--at``) and the API's
parameters and fields (``the at parameter``), for :meth:`covenant.errors.CovenantError.naming`.
Kept apart from the error tree (``covenant.errors`` re-exports both maps)."""

from __future__ import annotations

from collections.abc import Mapping

CLI_NAMES: Mapping[str, str] = {
    "at": "--at",
    "expires": "--expires",
    "first_period": "--from",
    "last_period": "--to",
    "user_role": "--role",
    "user_customer": "--customer",
    "token_role": "--role",
    "token_customer": "--customer",
    "user_list": "`covenant user list`",
    "user_disable": "`covenant user disable`",
    "read_from": "--from",
    "read_to": "--to",
    "import_replace": "add --force",
    "import_elsewhere": "import --into another folder",
    "strict": "--strict",
}
"""How the CLI spells the inputs a service names in a message (``{at}`` in a template, see
:meth:`CovenantError.naming`)."""

HTTP_NAMES: Mapping[str, str] = {
    "at": "the at parameter",
    "expires": "the expires field",
    "first_period": "the first parameter",
    "last_period": "the last parameter",
    "user_role": "the role field",
    "user_customer": "the customer field",
    "token_role": "the role field",
    "token_customer": "the customer field",
    "user_list": "GET /api/v1/users",
    "user_disable": "POST /api/v1/users/{name}/disable",
    "read_from": "the from field",
    "read_to": "the to field",
    "import_replace": "send force=true",
    "import_elsewhere": "send the file under another filename",
    "strict": "strict=true",
}
"""How the API's answers and the web pages name them: as the request gave them (``?at=``,
a body's ``expires``), not as the CLI's options."""
