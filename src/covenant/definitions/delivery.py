"""Where alert notices go: the workspace's ``AlertNotificationTarget`` documents, checked.

OpenSLO gives a target only ``spec.target`` (a free word: ``email``, ``pagerduty``, ``slack``…)
and ``spec.description``. Covenant reads the word as the kind of receiver and takes the rest
from one annotation, so the document stays valid OpenSLO (docs/delivery.md)::

    apiVersion: openslo/v1
    kind: AlertNotificationTarget
    metadata:
      name: oncall
      annotations:
        covenant.dev/delivery: '{"url": "http://alertmanager:9093", "timeout": "5s"}'
    spec:
      target: alertmanager        # alertmanager | webhook | slack (any case)

The annotation (JSON or YAML text) holds ``url`` or ``urlEnv`` (a Slack webhook's URL is its
secret: ``urlEnv`` only), ``headers``, ``headersEnv`` (header → variable), ``bearerTokenEnv``,
``signingSecretEnv`` (webhook: the body's HMAC-SHA256 in ``X-Covenant-Signature``),
``timeout`` (default 5 s, at most 60 s), ``audience`` (``internal``, or ``customer`` with
``customer``: that customer's notices only, without internal names), ``kinds`` (the notice
kinds it takes; default all) and ``maxAttempts``. Secrets come only from environment
variables, read when a notice is sent.

Any other ``spec.target`` (``email``, ``pagerduty``) is a warning: Covenant does not deliver
to it. A delivered kind without the annotation is a warning too (the document may be written
for another tool); an annotation that is there but wrong is an error.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BeforeValidator, Field, ValidationError

from covenant.core.http_headers import first_twice, first_unsendable
from covenant.core.notices import NoticeKind
from covenant.definitions import endpoints
from covenant.definitions.articles import with_article
from covenant.definitions.diagnostics import WARNING, at, did_you_mean, problems_from
from covenant.definitions.fields import Spec
from covenant.definitions.headers import header_twice
from covenant.definitions.openslo import (
    AlertNotificationTargetDocument,
    AlertNotificationTargetSpec,
    AlertPolicyDocument,
    AlertPolicySpec,
    Metadata,
    SLODocument,
)
from covenant.definitions.parsed import Parsed
from covenant.definitions.yamlsource import PathKey, SourceDocument, read_text
from covenant.errors import Problem

DELIVERY_KEY = "covenant.dev/delivery"
DELIVERED_KINDS = ("alertmanager", "webhook", "slack")
DEFAULT_TIMEOUT_S = 5.0
MAX_TIMEOUT_S = 60.0
DEFAULT_MAX_ATTEMPTS = 24
CUSTOMER_KINDS = frozenset(
    {
        NoticeKind.TICKET_AT_RISK,
        NoticeKind.TICKET_BREACHED,
        NoticeKind.FORECAST_CREDIT,
        NoticeKind.CLAIM_DEADLINE,
    }
)
"""Notice kinds a customer may receive (burn-rate and no-data alerts are about an SLO:
internal)."""


def _env_name(value: str) -> str:
    return endpoints.env_name(value, code="invalid-delivery", example="OPS_WEBHOOK_URL")


def _url(value: str) -> str:
    return endpoints.http_url(
        value,
        code="invalid-delivery",
        example="write the receiver's URL, e.g. http://alertmanager:9093 or "
        "https://hooks.example.com/covenant",
        secret_hint="remove user:password@; give the secret by urlEnv, bearerTokenEnv or "
        "headersEnv",
    )


def _timeout(value: Any) -> float:
    return endpoints.timeout_seconds(
        value,
        code="invalid-delivery",
        limit_s=MAX_TIMEOUT_S,
        limit="above 0 and up to 60 s",
        example="write e.g. 5s or 500ms (a slow receiver is retried later, never waited on)",
    )


EnvName = Annotated[str, AfterValidator(_env_name)]
KindName = Literal[
    "burn-rate", "no-data", "ticket-at-risk", "ticket-breached", "forecast-credit", "claim-deadline"
]
Url = Annotated[str, AfterValidator(_url)]


class DeliverySpec(Spec):
    """The ``covenant.dev/delivery`` annotation's mapping."""

    url: Url | None = None
    url_env: EnvName | None = None
    headers: dict[str, str] = Field(default_factory=dict)
    headers_env: dict[str, EnvName] = Field(default_factory=dict)
    bearer_token_env: EnvName | None = None
    signing_secret_env: EnvName | None = None  # webhook: HMAC-SHA256 of the body
    timeout: Annotated[float, BeforeValidator(_timeout)] = DEFAULT_TIMEOUT_S
    audience: Literal["internal", "customer"] = "internal"
    customer: str | None = None
    kinds: list[KindName] | None = None
    max_attempts: int = Field(default=DEFAULT_MAX_ATTEMPTS, ge=1, le=1000)


@dataclass(frozen=True, slots=True, kw_only=True)
class DeliveryTarget:
    """A target Covenant sends to: its name, receiver kind and how to reach it."""

    name: str
    kind: str  # alertmanager | webhook | slack
    url: str | None = None
    url_env: str | None = None
    headers: tuple[tuple[str, str], ...] = ()
    headers_env: tuple[tuple[str, str], ...] = ()  # header → environment variable
    bearer_token_env: str | None = None
    signing_secret_env: str | None = None  # the variable holding the webhook's signing secret
    timeout_s: float = DEFAULT_TIMEOUT_S
    audience: str = "internal"
    customer: str | None = None
    kinds: frozenset[str] | None = None  # None: every kind
    max_attempts: int = DEFAULT_MAX_ATTEMPTS
    where: str = ""  # file:line of the document

    def takes(self, kind: str) -> bool:
        """Whether a notice of ``kind`` may go to this target at all."""
        if self.audience == "customer" and kind not in CUSTOMER_KINDS:
            return False
        return self.kinds is None or kind in self.kinds


def delivery_targets(parsed: Sequence[Parsed]) -> tuple[tuple[DeliveryTarget, ...], list[Problem]]:
    """Every deliverable target of the workspace (first of a name wins: the top-level documents,
    then targets written inline in an AlertPolicy with a ``covenant.dev/delivery`` annotation),
    and the problems."""
    targets: dict[str, DeliveryTarget] = {}
    problems: list[Problem] = []
    customers = sorted({i.definition.name for i in parsed if i.definition.kind == "Customer"})
    for item in parsed:
        model = item.model
        if not isinstance(model, AlertNotificationTargetDocument):
            continue
        target, found = _target(item.source, model.metadata, model.spec, customers, ())
        problems += found
        if target is not None:
            targets.setdefault(target.name, target)
    for doc, metadata, spec, base in _inline_targets(parsed):
        target, found = _target(doc, metadata, spec, customers, base)
        problems += found
        first = targets.get(target.name) if target is not None else None
        if first is not None and first != target:
            problems.append(
                at(
                    doc,
                    (*base, "metadata", "name"),
                    code="duplicate-name",
                    message=f"a target named {metadata.name!r} is already defined at "
                    f"{first.where}: notices for this name go there, not here",
                    fix="give this inline target another name, or refer to the other one with "
                    "targetRef",
                    severity=WARNING,
                )
            )
        elif target is not None:
            targets.setdefault(target.name, target)
    return tuple(targets.values()), problems


def _inline_targets(
    parsed: Sequence[Parsed],
) -> Iterator[tuple[SourceDocument, Metadata, AlertNotificationTargetSpec, PathKey]]:
    """Targets written inline in a policy (top-level, or inline in an SLO) that carry the
    delivery annotation; one without it is left alone (it may be written for another tool)."""
    for item in parsed:
        model = item.model
        policies: list[tuple[AlertPolicySpec, PathKey]] = []
        if isinstance(model, AlertPolicyDocument):
            policies.append((model.spec, ("spec",)))
        elif isinstance(model, SLODocument):
            for i, entry in enumerate(model.spec.alert_policies or ()):
                if entry.spec is not None:
                    policies.append((entry.spec, ("spec", "alertPolicies", i, "spec")))
        for policy, path in policies:
            for j, t in enumerate(policy.notification_targets):
                annotations = t.metadata.annotations if t.metadata else None
                if t.metadata and t.spec and annotations and DELIVERY_KEY in annotations:
                    yield item.source, t.metadata, t.spec, (*path, "notificationTargets", j)


def _target(
    doc: SourceDocument,
    metadata: Metadata,
    target_spec: AlertNotificationTargetSpec,
    customers: Sequence[str],
    base: PathKey,
) -> tuple[DeliveryTarget | None, list[Problem]]:
    name = metadata.name
    kind = target_spec.target.strip().lower()
    annotations = metadata.annotations or {}
    key_path: PathKey = (*base, "metadata", "annotations", DELIVERY_KEY)
    if kind not in DELIVERED_KINDS:
        return None, [
            at(
                doc,
                (*base, "spec", "target"),
                code="target-not-delivered",
                message=f"Covenant does not deliver to {target_spec.target!r} targets: notices "
                f"for {name!r} are not sent",
                fix=f"use target: {' | '.join(DELIVERED_KINDS)} with a {DELIVERY_KEY} "
                "annotation, or route from Alertmanager to this receiver",
                severity=WARNING,
            )
        ]
    if DELIVERY_KEY not in annotations:
        return None, [
            at(
                doc,
                (*base, "spec", "target"),
                code="delivery-not-configured",
                message=f"{kind} target {name!r} has no {DELIVERY_KEY} annotation: notices "
                "for it are not sent",
                fix=f"add the annotation, e.g. {DELIVERY_KEY}: "
                f"'{_example(kind)}' (docs/delivery.md)",
                severity=WARNING,
            )
        ]
    spec, problems = _read_spec(doc, annotations[DELIVERY_KEY], key_path, kind)
    if spec is None:
        return None, problems
    problems = _rules(doc, spec, key_path, kind)
    if not problems and spec.customer and spec.customer not in customers:
        guess = did_you_mean(spec.customer, customers)
        problems = [
            at(
                doc,
                (*key_path, "customer"),
                code="invalid-delivery",
                message=f"no Customer named {spec.customer!r} in the workspace",
                fix=f"did you mean {guess!r}?"
                if guess
                else "name a Customer document (metadata.name)",
            )
        ]
    if problems:
        return None, problems
    return DeliveryTarget(
        name=name,
        kind=kind,
        url=spec.url,
        url_env=spec.url_env,
        headers=tuple(sorted(spec.headers.items())),
        headers_env=tuple(sorted(spec.headers_env.items())),
        bearer_token_env=spec.bearer_token_env,
        signing_secret_env=spec.signing_secret_env,
        timeout_s=spec.timeout,
        audience=spec.audience,
        customer=spec.customer,
        kinds=frozenset(spec.kinds) if spec.kinds is not None else None,
        max_attempts=spec.max_attempts,
        where=doc.where(),
    ), []


def _read_spec(
    doc: SourceDocument, text: str, path: PathKey, kind: str
) -> tuple[DeliverySpec | None, list[Problem]]:
    parsed, syntax = read_text(text, file=doc.file)
    if syntax or len(parsed) != 1 or not isinstance(parsed[0].data, dict):
        return None, [
            at(
                doc,
                path,
                code="invalid-annotation",
                message=f"{DELIVERY_KEY} must hold a JSON or YAML mapping",
                fix=f"write it as a JSON object, e.g. {_example(kind)}",
            )
        ]
    data: dict[str, Any] = parsed[0].data
    secret = [k for k in data.get("headers") or {} if str(k).lower() in endpoints.SECRET_HEADERS]
    if secret:
        return None, [
            at(
                doc,
                (*path, "headers", secret[0]),
                code="inline-secret",
                message=f"header {secret[0]!r} puts a secret in the workspace",
                fix=f'name a variable instead: "headersEnv": {{"{secret[0]}": "OPS_TOKEN"}} '
                'or "bearerTokenEnv": "OPS_TOKEN"',
            )
        ]
    try:
        return DeliverySpec.model_validate(data), []
    except ValidationError as exc:
        return None, problems_from(exc, doc, DeliverySpec, prefix=path)


def _rules(doc: SourceDocument, spec: DeliverySpec, path: PathKey, kind: str) -> list[Problem]:
    """What the model alone cannot check: url xor urlEnv, Slack's secret URL, the audience,
    a header HTTP cannot send or set twice."""
    header = _header_problem(doc, spec, path)
    if header is not None:
        return [header]
    if (spec.url is None) == (spec.url_env is None):
        return [
            at(
                doc,
                path,
                code="invalid-delivery",
                message="give url or urlEnv (exactly one)",
                fix=f"e.g. {_example(kind)}",
            )
        ]
    if kind == "slack" and spec.url is not None:
        return [
            at(
                doc,
                (*path, "url"),
                code="inline-secret",
                message="a Slack incoming webhook's URL is its secret",
                fix='put the URL in an environment variable and name it: "urlEnv": '
                '"SLACK_WEBHOOK_URL"',
            )
        ]
    if spec.signing_secret_env is not None and kind != "webhook":
        return [
            at(
                doc,
                (*path, "signingSecretEnv"),
                code="invalid-delivery",
                message="signingSecretEnv signs the generic webhook's body; "
                f"{with_article(kind)} target is not signed",
                fix="remove signingSecretEnv, or use target: webhook",
            )
        ]
    if spec.audience == "customer" and not spec.customer:
        return [
            at(
                doc,
                (*path, "customer"),
                code="invalid-delivery",
                message="a customer-facing target needs the customer whose notices it gets",
                fix='add "customer": "<the Customer document\'s name>"',
            )
        ]
    if spec.audience == "internal" and spec.customer:
        return [
            at(
                doc,
                (*path, "customer"),
                code="invalid-delivery",
                message="customer is only read with audience: customer",
                fix='add "audience": "customer", or remove customer',
            )
        ]
    return []


def _example(kind: str) -> str:
    if kind == "slack":
        return '{"urlEnv": "SLACK_WEBHOOK_URL"}'
    if kind == "webhook":
        return '{"url": "https://hooks.example.com/covenant", "bearerTokenEnv": "HOOK_TOKEN"}'
    return '{"url": "http://alertmanager:9093"}'


def _header_problem(doc: SourceDocument, spec: DeliverySpec, path: PathKey) -> Problem | None:
    """A header HTTP cannot send as written (as a DataSource's), or one that headers,
    headersEnv and bearerTokenEnv set twice (names are without case, RFC 9110: which value
    the receiver takes cannot be told)."""
    unsendable = first_unsendable(spec.headers, spec.headers_env)
    if unsendable is not None:
        field, name, said, how = unsendable
        return at(doc, (*path, field, name), code="invalid-delivery", message=said, fix=how)
    twice = first_twice(
        (
            ("bearerTokenEnv", ["Authorization"] if spec.bearer_token_env else []),
            ("headers", spec.headers),
            ("headersEnv", spec.headers_env),
        )
    )
    return None if twice is None else header_twice(doc, path, twice, code="invalid-delivery")
