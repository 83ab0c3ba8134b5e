"""An objective whose every counted slice was filled by a good/bad ``noDataPolicy`` over a
window no read from its source has reached: its figures come from the policy alone, about
minutes the source was never asked for. ``services.evaluate.mark_unread`` makes it "no data"
(not read from Prometheus yet) as it does a ``skip`` one, with no figures, no burn rate and no
firing tier — never a 100 % (``good``) or 0 % (``bad``) the data did not show."""

from __future__ import annotations

from dataclasses import replace

from covenant.core.results import Burn, Evaluation, Status


def silent_by_policy(e: Evaluation) -> bool:
    """Whether ``e`` counted slices and every one of them was a silent one its no-data policy
    counted (no event anywhere in the window)."""
    return e.no_data is None and e.total > 0 and e.policy_filled == e.total


def _blank(b: Burn, reason: str) -> Burn:
    if b.policy_filled == 0 or b.policy_filled != b.counted:
        return b  # a window with events (or none counted) says what it measured
    return replace(b, rate=None, no_data=reason, counted=0, policy_filled=0, policy_note=None)


def unfilled(e: Evaluation, reason: str) -> Evaluation:
    """``e`` (see :func:`silent_by_policy`) as "no data" for ``reason``: without the figures
    the policy made up, its burn windows without a rate and its tiers not firing."""
    tiers = tuple(
        replace(t, long=_blank(t.long, reason), short=_blank(t.short, reason), firing=False)
        for t in e.tiers
    )
    return replace(
        e,
        good=0,
        total=0,
        sli=None,
        budget=None,
        burn=None if e.burn is None else _blank(e.burn, reason),
        tiers=tiers,
        time_to_exhaustion=None,
        status=Status.NO_DATA,
        no_data=reason,
        exhaustion_note=None,
        policy_note=None,
        policy_filled=0,
    )
