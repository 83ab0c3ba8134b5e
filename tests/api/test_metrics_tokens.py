"""``/metrics``: the API tokens per role and state, and per role the nearest expiry of its
active tokens (the tokens page shows them; a scrape token that expires stops the scrape
itself). Read at each scrape, of the scrape's clock; never a token's id or customer."""

from __future__ import annotations

from datetime import timedelta

from covenant.render.metrics_tokens import token_exposition
from covenant.services.store import open_store
from covenant.services.tokens import create_token, revoke_token
from tests.api.support import AT, CUSTOMERS, EXPIRES, Shop
from tests.api.test_metrics import scrape, series


def _add_tokens(shop: Shop) -> None:
    """Beside the shop's five (one per role, two customers', all active until EXPIRES): an
    editor's expiring in 3 days, a viewer's expired yesterday, an admin's revoked an hour ago."""
    engine = open_store(shop.settings.database_url)
    try:

        def make(role: str, expires: timedelta, at: timedelta = timedelta(0)) -> str:
            return create_token(
                engine,
                role=role,
                customer=None,
                expires_at=AT + expires,
                at=AT + at,
                customers=CUSTOMERS,
            ).token.id

        make("editor", timedelta(days=3))
        make("viewer", -timedelta(days=1), at=-timedelta(days=30))
        revoked = make("admin", timedelta(days=90), at=-timedelta(days=2))
        revoke_token(engine, token_id=revoked, at=AT - timedelta(hours=1))
    finally:
        engine.dispose()


def test_tokens_are_counted_per_role_and_state_with_the_nearest_expiry(shop: Shop) -> None:
    _add_tokens(shop)
    samples = scrape(shop)
    counted = {
        ("admin", "active"): 1,
        ("admin", "revoked"): 1,
        ("editor", "active"): 2,
        ("viewer", "active"): 1,
        ("viewer", "expired"): 1,
        ("customer", "active"): 2,
    }
    for role in ("admin", "editor", "viewer", "customer"):
        for state in ("active", "expired", "revoked"):
            key = series("covenant_tokens", role=role, state=state)
            assert samples[key] == counted.get((role, state), 0), (role, state)
    nearest = {
        "admin": EXPIRES,
        "editor": AT + timedelta(days=3),
        "viewer": EXPIRES,
        "customer": EXPIRES,
    }
    for role, when in nearest.items():
        key = series("covenant_token_next_expiry_timestamp_seconds", role=role)
        assert samples[key] == when.timestamp(), role
    names = {name for name, _ in samples}
    assert not any("token_id" in dict(labels) for name, labels in samples if "token" in name)
    assert {"covenant_tokens", "covenant_token_next_expiry_timestamp_seconds"} <= names


def test_a_role_without_an_active_token_has_no_expiry_sample() -> None:
    text = token_exposition({("viewer", "expired"): 2}, next_expiry={}).decode()
    assert 'covenant_tokens{role="viewer",state="expired"} 2.0' in text
    assert 'covenant_tokens{role="admin",state="active"} 0.0' in text
    assert "covenant_token_next_expiry_timestamp_seconds{" not in text
