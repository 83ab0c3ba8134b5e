"""What delivery sends, and the one HTTP POST that sends it (httpx).

Three receivers (docs/delivery.md has the bodies):

* ``alertmanager`` — Alertmanager's v2 API, ``POST {url}/api/v2/alerts`` with one alert:
  ``labels``, ``annotations``, ``startsAt``, ``endsAt`` (the resolution's end; while firing,
  now + ``hold``: the dispatcher sends a firing alert again well before that, as Prometheus
  does, so Alertmanager resolves it by itself only if Covenant stops) and ``generatorURL``
  when one is configured.
* ``webhook`` — a JSON document (:func:`webhook_body`) with an ``idempotencyKey`` that is the
  same on every retry of one row (also sent as the ``Idempotency-Key`` header); with
  ``signingSecretEnv``, ``X-Covenant-Signature: t=<unix seconds>,v1=<hex>``, the HMAC-SHA256
  under that secret of the send's instant, a dot and the exact body bytes (:func:`signature`,
  Stripe's scheme: a receiver refuses an old ``t``, so a captured request cannot be replayed).
* ``slack`` — a Slack-compatible incoming webhook: ``text`` (the fallback line) and ``blocks``.

A notice for a customer-facing target is first cut to :func:`customer_view`: customer-side
kinds only, routing labels from :data:`CUSTOMER_LABELS`, no text that names an internal
thing (an SLO, SLI or service: its name as whole words, ``api`` in ``api-uptime`` and not in
``rapid-response``), the key replaced by its digest.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from covenant.core.hiding import hide_secrets
from covenant.core.http_headers import value_fault
from covenant.core.notices import AlertNotice, NoticeKind, NoticeState
from covenant.definitions.delivery import DeliveryTarget
from covenant.errors import unset_variable

ALERTMANAGER_HOLD = timedelta(hours=4)
"""How long Alertmanager keeps a firing alert without hearing from Covenant again (default)."""
CUSTOMER_LABELS = frozenset(
    {
        "alertname",
        "severity",
        "customer",
        "agreement",
        "commitment",
        "ticket",
        "priority",
        "timer",
        "incident",
        "period",
    }
)
CUSTOMER_TEXT = ("title", "summary", "description", "customer_display_name")
WEBHOOK_VERSION = "1"
SIGNATURE_HEADER = "X-Covenant-Signature"
PERMANENT_STATUS = frozenset(range(400, 500)) - {408, 425, 429}
USER_AGENT = "covenant-delivery/1"


@dataclass(frozen=True, slots=True)
class SendResult:
    ok: bool
    error: str = ""
    permanent: bool = False  # retrying cannot help (a 4xx refusal)


def encode_notice(notice: AlertNotice) -> str:
    """The notice as the outbox stores it (JSON)."""
    return json.dumps(
        {
            "key": notice.key,
            "kind": notice.kind.value,
            "state": notice.state.value,
            "severity": notice.severity,
            "labels": dict(notice.labels),
            "annotations": dict(notice.annotations),
            "startsAt": notice.starts_at.isoformat(),
            "endsAt": notice.ends_at.isoformat() if notice.ends_at else None,
            "targets": None if notice.targets is None else list(notice.targets),
        },
        sort_keys=True,
    )


def decode_notice(text: str) -> AlertNotice:
    data = json.loads(text)
    ends = data.get("endsAt")
    return AlertNotice(
        key=data["key"],
        kind=NoticeKind(data["kind"]),
        state=NoticeState(data["state"]),
        severity=data["severity"],
        labels=data["labels"],
        annotations=data["annotations"],
        starts_at=datetime.fromisoformat(data["startsAt"]),
        ends_at=datetime.fromisoformat(ends) if ends else None,
        targets=None if data.get("targets") is None else tuple(data["targets"]),
    )


def encode_target(target: DeliveryTarget) -> str:
    """How ``target`` is reached, as an outbox row keeps it (JSON): its address, header and
    environment-variable names, limits and audience — the same settings the workspace file
    holds (secrets named by variable stay in the environment)."""
    return json.dumps(
        {
            "name": target.name,
            "kind": target.kind,
            "url": target.url,
            "url_env": target.url_env,
            "headers": [list(h) for h in target.headers],
            "headers_env": [list(h) for h in target.headers_env],
            "bearer_token_env": target.bearer_token_env,
            "signing_secret_env": target.signing_secret_env,
            "timeout_s": target.timeout_s,
            "audience": target.audience,
            "customer": target.customer,
            "kinds": None if target.kinds is None else sorted(target.kinds),
            "max_attempts": target.max_attempts,
            "where": target.where,
        },
        sort_keys=True,
    )


def decode_target(text: str) -> DeliveryTarget:
    data = json.loads(text)
    kinds = data["kinds"]
    return DeliveryTarget(
        name=data["name"],
        kind=data["kind"],
        url=data["url"],
        url_env=data["url_env"],
        headers=tuple((k, v) for k, v in data["headers"]),
        headers_env=tuple((k, v) for k, v in data["headers_env"]),
        bearer_token_env=data["bearer_token_env"],
        signing_secret_env=data["signing_secret_env"],
        timeout_s=data["timeout_s"],
        audience=data["audience"],
        customer=data["customer"],
        kinds=None if kinds is None else frozenset(kinds),
        max_attempts=data["max_attempts"],
        where=data["where"],
    )


def idempotency_key(notice: AlertNotice, target: str) -> str:
    """The same for every retry of one notice to one target, different otherwise."""
    text = f"{notice.key}\n{notice.state.value}\n{notice.starts_at.isoformat()}\n{target}"
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def customer_view(notice: AlertNotice, internal_names: Collection[str]) -> AlertNotice:
    """The notice as a customer may see it (see the module docstring)."""
    labels = {k: v for k, v in notice.labels.items() if k in CUSTOMER_LABELS}
    names = [_words(name) for name in internal_names if len(name) >= 3]
    names = [words for words in names if words]

    def names_one(value: str) -> bool:
        return any(_within(words, _words(value)) for words in names)

    # a commitment's name may share a word with a service (``enterprise-support``, service
    # ``support``): that label alone is dropped, the ones that route the alert stay
    if names_one(labels.get("commitment", "")):
        del labels["commitment"]
    if any(names_one(value) for value in labels.values()):
        labels = {k: v for k, v in labels.items() if k in {"alertname", "severity", "customer"}}
    text: dict[str, str] = {}
    for key in CUSTOMER_TEXT:
        value = notice.annotations.get(key)
        if value and not names_one(value):
            text[key] = value
    if "summary" not in text:
        who = text.get("customer_display_name") or labels.get("customer", "your agreement")
        text["summary"] = f"{_KIND_TEXT[notice.kind]} for {who} ({notice.state.value})."
    digest = hashlib.sha256(notice.key.encode()).hexdigest()[:16]
    return replace(notice, key=f"{notice.kind.value}/{digest}", labels=labels, annotations=text)


_SEPARATORS = re.compile(r"[\W_]+")


def _words(text: str) -> tuple[str, ...]:
    """``text``'s words, lower case: split at every character that is not a letter or digit
    (``-``, ``_``, ``.``, ``/``, spaces, punctuation)."""
    return tuple(w for w in _SEPARATORS.split(text.lower()) if w)


def _within(name: tuple[str, ...], words: tuple[str, ...]) -> bool:
    """A name's words stand together, whole, among ``words``: service ``api`` is in
    ``api-uptime`` and ``uptime/api``, not in ``rapid-response``; ``checkout-availability`` is
    in "checkout-availability burns", not in "checkout and availability"."""
    n = len(name)
    return any(words[i : i + n] == name for i in range(len(words) - n + 1))


_KIND_TEXT = {
    NoticeKind.BURN_RATE: "An error budget alert",
    NoticeKind.NO_DATA: "An SLO has no data to alert on",
    NoticeKind.TICKET_AT_RISK: "A ticket is close to its response or resolution time",
    NoticeKind.TICKET_BREACHED: "A ticket passed its response or resolution time",
    NoticeKind.FORECAST_CREDIT: "An agreement's forecast reaches a service credit",
    NoticeKind.CLAIM_DEADLINE: "A service credit's claim deadline is near",
}


def alertmanager_body(
    notice: AlertNotice,
    *,
    now: datetime,
    generator_url: str = "",
    hold: timedelta = ALERTMANAGER_HOLD,
) -> list[dict[str, Any]]:
    labels = dict(notice.labels)
    labels.setdefault("alertname", notice.kind.value)
    labels.setdefault("severity", notice.severity)
    ends = notice.ends_at if notice.state is NoticeState.RESOLVED else None
    alert: dict[str, Any] = {
        "labels": labels,
        "annotations": dict(notice.annotations),
        "startsAt": _iso(notice.starts_at),
        "endsAt": _iso(ends or max(now, notice.starts_at) + hold),
    }
    if notice.state is NoticeState.RESOLVED and ends is None:
        alert["endsAt"] = _iso(now)  # a resolution without its end: ended when sent
    if generator_url:
        alert["generatorURL"] = generator_url
    return [alert]


def webhook_body(notice: AlertNotice, *, target: str) -> dict[str, Any]:
    """The generic webhook's JSON (docs/delivery.md#the-webhook-body)."""
    return {
        "version": WEBHOOK_VERSION,
        "idempotencyKey": idempotency_key(notice, target),
        "target": target,
        "key": notice.key,
        "kind": notice.kind.value,
        "state": notice.state.value,
        "severity": notice.severity,
        "labels": dict(notice.labels),
        "annotations": dict(notice.annotations),
        "startsAt": _iso(notice.starts_at),
        "endsAt": _iso(notice.ends_at) if notice.ends_at else None,
    }


def slack_body(notice: AlertNotice) -> dict[str, Any]:
    firing = notice.state is NoticeState.FIRING
    mark = ":red_circle: FIRING" if firing else ":large_green_circle: RESOLVED"
    a = notice.annotations
    title = a.get("title") or a.get("summary") or notice.labels.get("alertname") or notice.key
    text = f"[{'FIRING' if firing else 'RESOLVED'}] {title}"
    body = "\n".join(v for v in (a.get("summary"), a.get("description")) if v and v != title)
    since = f"since {_iso(notice.starts_at)}"
    if notice.ends_at is not None:
        since = f"from {_iso(notice.starts_at)} to {_iso(notice.ends_at)}"
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": _cut(f"{title}", 150)}},
        {"type": "section", "text": {"type": "mrkdwn", "text": _cut(f"*{mark}*\n{body}", 3000)}},
        {
            "type": "context",
            "elements": [{"type": "mrkdwn", "text": f"severity *{notice.severity}* · {since}"}],
        },
    ]
    return {"text": text, "blocks": blocks}


def request_for(
    target: DeliveryTarget,
    notice: AlertNotice,
    *,
    now: datetime,
    generator_url: str = "",
    hold: timedelta = ALERTMANAGER_HOLD,
) -> tuple[str, dict[str, str], Any]:
    """(url, headers, JSON body) of one send; ``MissingVariable`` names an environment
    variable the target names that is not set or is empty."""
    base, headers = _reach(target)
    if target.kind == "alertmanager":
        url = base.rstrip("/") + "/api/v2/alerts"
        body = alertmanager_body(notice, now=now, generator_url=generator_url, hold=hold)
        return url, headers, body
    if target.kind == "slack":
        return base, headers, slack_body(notice)
    headers["Idempotency-Key"] = idempotency_key(notice, target.name)
    return base, headers, webhook_body(notice, target=target.name)


def _reach(target: DeliveryTarget) -> tuple[str, dict[str, str]]:
    """The target's URL and the headers every request to it carries (``MissingVariable``)."""
    base = target.url or _env(target.url_env or "")
    headers = {"User-Agent": USER_AGENT, **dict(target.headers)}
    headers.update({name: _env(var, header=True) for name, var in target.headers_env})
    if target.bearer_token_env:
        headers["Authorization"] = f"Bearer {_env(target.bearer_token_env, header=True)}"
    return base, headers


def alertmanager_started(client: httpx.Client, target: DeliveryTarget) -> datetime | None:
    """When the Alertmanager of ``target`` started (``uptime`` of its ``GET /api/v2/status``):
    it keeps no alerts across a restart, so what fires must be told again. None when it does
    not say (down, refusing, not an Alertmanager); never raises."""
    try:
        base, headers = _reach(target)
        answer = client.get(
            base.rstrip("/") + "/api/v2/status", headers=headers, timeout=target.timeout_s
        )
        started = datetime.fromisoformat(str(answer.json()["uptime"]))
    except (MissingVariable, httpx.HTTPError, ValueError, KeyError, TypeError):
        return None
    return started.astimezone(UTC) if started.tzinfo is not None else None


def send(
    client: httpx.Client,
    target: DeliveryTarget,
    notice: AlertNotice,
    *,
    now: datetime,
    generator_url: str = "",
    hold: timedelta = ALERTMANAGER_HOLD,
) -> SendResult:
    """POST one notice to one target, within the target's timeout; never raises."""
    try:
        url, headers, body = request_for(
            target, notice, now=now, generator_url=generator_url, hold=hold
        )
        content = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
        headers["Content-Type"] = "application/json"
        if target.signing_secret_env and target.kind == "webhook":
            secret = _env(target.signing_secret_env)
            headers[SIGNATURE_HEADER] = signature(secret, content, at=int(now.timestamp()))
        secrets = _sent_secrets(target, headers)
    except MissingVariable as exc:
        return SendResult(
            False,
            f"{exc} — export {exc.name}=… where Covenant sends alerts (the target "
            f"{target.name}{f' at {target.where}' if target.where else ''} names it)",
        )
    try:
        response = client.post(url, content=content, headers=headers, timeout=target.timeout_s)
    except httpx.TimeoutException:
        return SendResult(False, f"no answer within {target.timeout_s:g} s")
    except httpx.HTTPError as exc:
        said = hide_secrets(str(exc), secrets)
        return SendResult(False, f"{type(exc).__name__}: {said}"[:500])
    if response.is_success:
        return SendResult(True)
    said = hide_secrets(response.text, secrets)
    return SendResult(
        False,
        f"HTTP {response.status_code}: {said[:300]}",
        permanent=response.status_code in PERMANENT_STATUS,
    )


def _sent_secrets(target: DeliveryTarget, headers: Mapping[str, str]) -> list[str]:
    """What of a send came from the environment: a receiver may repeat it in its answer."""
    secrets = [headers[name] for name, _ in target.headers_env]
    if target.bearer_token_env:
        secrets.append(headers["Authorization"].removeprefix("Bearer "))
    if target.url_env:  # a Slack webhook's URL (its path) is its credential
        base = _env(target.url_env)
        secrets += [base, httpx.URL(base).raw_path.decode("ascii").rstrip("/")]
    return secrets


def signature(secret: str, content: bytes, *, at: int) -> str:
    """``t=<at>,v1=<hex>``: the hex HMAC-SHA256 under ``secret`` (UTF-8) of ``<at>.`` and then
    ``content`` — the instant signed with the body, so an old request is told from a new one."""
    signed = str(at).encode() + b"." + content
    return f"t={at},v1={hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()}"


class MissingVariable(Exception):  # noqa: N818 - a send's outcome, not an error raised out
    """An environment variable a target names gives no value: not set, or set but empty (or,
    ``unsendable``, a header's value that HTTP cannot carry)."""

    def __init__(self, name: str, value: str | None, *, unsendable: str = "") -> None:
        said = f"the environment variable {name} {unsendable}"
        super().__init__(said if unsendable else unset_variable(name, value))
        self.name = name


def _env(name: str, *, header: bool = False) -> str:
    """The variable's value; for a ``header`` one that HTTP can send (h11 refuses a line break
    repeating the value, escaped, where hiding the secret would miss it)."""
    value = os.environ.get(name)
    if not value:
        raise MissingVariable(name, value)
    fault = value_fault(value) if header else None
    if fault is not None:  # refused, not trimmed: a secret is never altered unseen
        raise MissingVariable(name, value, unsendable=fault)
    return value


def _iso(instant: datetime) -> str:
    return instant.isoformat().replace("+00:00", "Z")


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def labels_text(labels: Mapping[str, str]) -> str:
    return ", ".join(f"{k}={v}" for k, v in sorted(labels.items()))
