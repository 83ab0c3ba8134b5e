"""``/metrics``: the API tokens per role and state (the tokens page's, ``covenant token
list``'s), and per role the nearest expiry of its active tokens — never per token: no id, label
or customer is on the page (listing tokens is an admin's; ``/metrics`` is every staff role's).

``covenant_tokens`` has a sample for every role and state, 0 when none, so a series does not
come and go; ``covenant_token_next_expiry_timestamp_seconds`` has none for a role without an
active token. ``covenant_token_next_expiry_timestamp_seconds - time() < 7 * 86400`` is a token
about to expire (the scrape's own, or an integration's).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from covenant.core.access import Role
from covenant.render.prom_text import Family, pairs

STATES = ("active", "expired", "revoked")


def token_exposition(
    counts: Mapping[tuple[str, str], int], *, next_expiry: Mapping[str, datetime]
) -> bytes:
    """The two families: ``counts`` per (role, state), ``next_expiry`` per role (the active
    tokens' nearest ``expires_at``)."""
    counted = Family(
        "covenant_tokens",
        "API tokens by role and state (active, expired, revoked) at the scrape.",
    )
    nearest = Family(
        "covenant_token_next_expiry_timestamp_seconds",
        "When the role's active token nearest its expiry expires, in epoch seconds.",
    )
    for role in Role:
        for state in STATES:
            counted.add(
                pairs(("role", "state"), (role.value, state)),
                float(counts.get((role.value, state), 0)),
            )
        if role.value in next_expiry:
            nearest.add(pairs(("role",), (role.value,)), next_expiry[role.value].timestamp())
    return (counted.text() + nearest.text()).encode()
