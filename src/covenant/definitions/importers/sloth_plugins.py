"""Sloth's common SLI plugins (``sli.plugin.id: sloth-common/…``) as the query each builds
(``covenant import sloth``; docs/import.md, "Sloth's common SLI plugins").

Sloth runs a plugin's code to get an SLO's error-ratio query from the plugin's ``options``.
The common plugins (github.com/slok/sloth-common-sli-plugins) are small and fixed: each one's
id, options (required ones, defaults, checks) and the query it builds are written out here as
facts, so the importer builds the very query Sloth would and then reads it as it reads
``sli.raw.error_ratio_query`` (:mod:`sloth_sli`). A plugin whose query is no ratio of counts
is named with the reason (:data:`LEFT_OUT`).

Each plugin's options are Sloth's ``map[string]string``: a YAML number or boolean is read as
its text. A missing required option or one the plugin refuses is the SLO's reason to be left
out (Sloth refuses to generate it); an option the plugin does not read is noted.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from covenant.definitions.importers import promql

W = "[{{.window}}]"  # the plugins write {{.window}} (some {{ .window }}; the same to Sloth)


class OptionError(Exception):
    """A plugin option missing or refused: ``option``, ``problem``, ``fix``."""

    def __init__(self, option: str, problem: str, fix: str) -> None:
        super().__init__(problem)
        self.option, self.problem, self.fix = option, problem, fix


Options = Mapping[str, str]


def _trimmed_filter(options: Options) -> str:
    """``filter`` with ``{``, ``}`` and ``,`` trimmed off both ends (as every plugin does)."""
    return options.get("filter", "").strip("{},")


# the label matchers the stricter plugins accept as filter: k="v" pairs joined with ","
_FILTER_FORM = re.compile(r'^{?([^=]+="[^=,"]+",)*([^=]+="[^=,"]+")$', re.M)


def _checked_filter(options: Options, *, required: bool) -> str:
    if not options.get("filter", ""):
        if required:
            raise OptionError(
                "filter", "the option filter is required", "add filter: 'job=\"api\"'"
            )
        return ""
    trimmed = _trimmed_filter(options)
    if not _FILTER_FORM.search(trimmed):
        raise OptionError(
            "filter",
            f'filter {trimmed!r} is no list of label="value" matchers (the plugin refuses it)',
            'write it as label="value" pairs joined with commas: \'job="api",env="prod"\'',
        )
    return trimmed


def _required(options: Options, key: str, *, trim: bool = True) -> str:
    value = options.get(key, "")
    value = value.strip() if trim else value
    if not value:
        raise OptionError(key, f"the option {key} is required", f"add {key} to the options")
    return value


def _bucket(options: Options) -> str:
    value = _required(options, "bucket", trim=False)
    try:
        if value != value.strip() or "_" in value:
            raise ValueError
        float(value)
    except ValueError:
        raise OptionError(
            "bucket",
            f"bucket {value!r} is not a number (the plugin parses it as a float)",
            "write the histogram's le bound as a number, e.g. bucket: 0.25",
        ) from None
    return value


def _regex(options: Options, key: str) -> str:
    value = _required(options, key)
    try:
        re.compile(value)
    except re.error as exc:
        raise OptionError(
            key, f"{key} {value!r} is no regular expression ({exc})", f"fix the regex of {key}"
        ) from None
    return value


_TRUE = {"1", "t", "T", "TRUE", "true", "True"}
_FALSE = {"0", "f", "F", "FALSE", "false", "False"}


def _exclude_errors(options: Options) -> bool:
    value = options.get("exclude_errors", "")
    if value in _TRUE:
        return True
    if value in _FALSE or value == "":
        return False
    raise OptionError(
        "exclude_errors",
        f"exclude_errors {value!r} is no boolean (the plugin parses it as Go's ParseBool)",
        "write exclude_errors: true or false",
    )


def _comma(text: str) -> str:
    return f"{text}," if text else ""


def _latency_filter(options: Options) -> str:
    """istio and traefik latency: the filter, then ``code!~"5.."`` with exclude_errors, each
    followed by a comma."""
    errors = _exclude_errors(options)
    return _comma(_trimmed_filter(options)) + ('code!~"5..",' if errors else "")


def _coredns_availability(options: Options) -> str:
    rcode = options.get("custom_rcode_regex", "").strip() or "SERVFAIL"
    if rcode != "SERVFAIL":
        _regex({"custom_rcode_regex": rcode}, "custom_rcode_regex")
    f = _trimmed_filter(options)
    return (
        f'sum(rate(coredns_dns_responses_total{{ {_comma(f)}rcode=~"{rcode}" }}{W}))\n/\n'
        f"(sum(rate(coredns_dns_responses_total{{ {f} }}{W})) > 0)"
    )


def _coredns_latency(options: Options) -> str:
    bucket, f = _bucket(options), _trimmed_filter(options)
    return (
        "1 - ((\n"
        f'  sum(rate(coredns_dns_request_duration_seconds_bucket{{ {_comma(f)}le="{bucket}" }}'
        f"{W}))\n  /\n"
        f"  (sum(rate(coredns_dns_request_duration_seconds_count{{ {f} }}{W})) > 0)\n"
        ") OR on() vector(1))"
    )


_HTTP_5XX = '"5xx"'  # HAProxy's response class (kept apart from the error codes' scan)


def _haproxy_frontend_availability(options: Options) -> str:
    f = _comma(_trimmed_filter(options))
    return (
        f"sum(rate(haproxy_frontend_http_responses_total{{ {f}code={_HTTP_5XX} }}{W}))\n/\n"
        f"sum(rate(haproxy_frontend_http_responses_total{{ {f} }}{W}))"
    )


def _istio_selector(options: Options) -> tuple[str, str]:
    service, namespace = _required(options, "service"), _required(options, "namespace")
    return service, namespace


def _istio_availability(options: Options) -> str:
    service, namespace = _istio_selector(options)
    f = _comma(_trimmed_filter(options))
    on = f'{f}destination_service_name="{service}",destination_service_namespace="{namespace}"'
    return (
        "(\n"
        f'  sum(rate(istio_requests_total{{ {on},response_code=~"(5..|429)" }}{W})) \n'
        "  /          \n"
        f"  (sum(rate(istio_requests_total{{ {on} }}{W})) > 0)\n"
        ") OR on() vector(0)"
    )


def _istio_latency(options: Options) -> str:
    bucket = _bucket(options)
    service, namespace = _istio_selector(options)
    f = _latency_filter(options)
    on = f'{f}destination_service_name="{service}",destination_service_namespace="{namespace}"'
    return (
        "1 - ((\n"
        f'  sum(rate(istio_request_duration_milliseconds_bucket{{ {on},le="{bucket}" }}{W}))\n'
        "  /\n"
        f"  (sum(rate(istio_request_duration_milliseconds_count{{ {on} }}{W})) > 0)\n"
        ") OR on() vector(1))"
    )


def _apiserver_availability(options: Options) -> str:
    f = _checked_filter(options, required=False)
    return (
        f'sum(rate(apiserver_request_total{{ {_comma(f)}code=~"(5..|429)" }}{W}))\n/\n'
        f"sum(rate(apiserver_request_total{{ {f} }}{W}))"
    )


def _apiserver_latency(options: Options) -> str:
    bucket = _bucket(options)
    f = _comma(_checked_filter(options, required=False))
    count = f'sum(rate(apiserver_request_duration_seconds_count{{ {f}verb!="WATCH" }}{W}))'
    return (
        f"(\n  {count}\n  -\n"
        "  sum(rate(apiserver_request_duration_seconds_bucket"
        f'{{ {f}le="{bucket}",verb!="WATCH" }}{W}))\n)\n/\n{count}'
    )


def _kooper(metric: str) -> Callable[[Options], str]:
    def build(options: Options) -> str:
        bucket = _bucket(options)
        controller = _required(options, "controller", trim=False)
        on = f'{_comma(_trimmed_filter(options))}controller="{controller}"'
        return (
            "1 - (\n"
            f'  sum(rate({metric}_bucket{{ {on},le="{bucket}" }}{W}))\n  /\n'
            f"  sum(rate({metric}_count{{ {on} }}{W}))\n)"
        )

    return build


def _nginx_ingress_availability(options: Options) -> str:
    f = _checked_filter(options, required=False)
    return (
        f'sum(rate(nginx_ingress_controller_requests{{ {_comma(f)}status=~"(5..|429)" }}{W}))'
        f"\n/\nsum(rate(nginx_ingress_controller_requests{{ {f} }}{W}))"
    )


def _linkerd_availability(options: Options) -> str:
    f = _comma(_checked_filter(options, required=True))
    return (
        "(\n"
        f'  sum(increase(response_total{{ {f}classification="failure", direction="inbound" }}'
        f"{W}))\n  /\n"
        f'  sum(increase(response_total{{ {f}direction="inbound" }}{W}))\n'
        ") OR on() vector(0)"
    )


def _rules_eval_availability(options: Options) -> str:
    f = _trimmed_filter(options)
    return (
        f"sum(rate(prometheus_rule_evaluation_failures_total{{ {f} }}{W}))\n/\n"
        f"sum(rate(prometheus_rule_evaluations_total{{ {f} }}{W}))"
    )


def _targets_availability(options: Options) -> str:
    f = _trimmed_filter(options)
    window = "[{{.window}}:]"
    return (
        f"sum(count_over_time((up{{ {f} }} == 0){window}))\n/\n"
        f"sum(count_over_time((up{{ {f} }}){window}))"
    )


def _go_http_availability(options: Options) -> str:
    f = _checked_filter(options, required=True)
    return (
        f'sum(rate(http_request_duration_seconds_count{{ {f},code=~"(5..|429)" }}{W}))\n/\n'
        f"sum(rate(http_request_duration_seconds_count{{ {f} }}{W}))"
    )


def _go_http_latency(options: Options) -> str:
    bucket = _bucket(options)
    f = _checked_filter(options, required=True)
    if _exclude_errors(options):
        f = f'{f},code!~"5.."'
    return (
        "1 - (\n"
        f'  sum(rate(http_request_duration_seconds_bucket{{ {f},le="{bucket}" }}{W}))\n  /\n'
        f"  sum(rate(http_request_duration_seconds_count{{ {f} }}{W}))\n)"
    )


def _traefik_v1_availability(options: Options) -> str:
    backend = _regex(options, "backend_regex")
    on = f'{_comma(_trimmed_filter(options))}backend=~"{backend}"'
    return (
        "(\n"
        f'  sum(rate(traefik_backend_requests_total{{ {on},code=~"(5..|429)" }}{W}))\n  /\n'
        f"  (sum(rate(traefik_backend_requests_total{{ {on} }}{W})) > 0)\n"
        ") OR on() vector(0)"
    )


def _traefik_v1_latency(options: Options) -> str:
    bucket = _bucket(options)
    backend = _regex(options, "backend_regex")
    on = f'{_latency_filter(options)}backend=~"{backend}"'
    return (
        "1 - ((\n"
        f'  sum(rate(traefik_backend_request_duration_seconds_bucket{{ {on},le="{bucket}" }}'
        f"{W}))\n  /\n"
        f"  (sum(rate(traefik_backend_request_duration_seconds_count{{ {on} }}{W})) > 0)\n"
        ") OR on() vector(1))"
    )


def _traefik_v2_availability(options: Options) -> str:
    service = _regex(options, "service_name_regex")
    on = f'{_comma(_trimmed_filter(options))}service=~"{service}"'
    return (
        "(\n"
        f'  sum(rate(traefik_service_requests_total{{ {on},code=~"(5..)" }}{W}))\n  /\n'
        f"  (sum(rate(traefik_service_requests_total{{ {on} }}{W})) > 0)\n"
        ") OR on() vector(0)"
    )


def _traefik_v2_latency(options: Options) -> str:
    bucket = _bucket(options)
    service = _regex(options, "service_name_regex")
    on = f'{_latency_filter(options)}service=~"{service}"'
    return (
        "1 - ((\n"
        f'  sum(rate(traefik_service_request_duration_seconds_bucket{{ {on},le="{bucket}" }}'
        f"{W}))\n  /\n"
        f"  (sum(rate(traefik_service_request_duration_seconds_count{{ {on} }}{W})) > 0)\n"
        ") OR on() vector(1))"
    )


@dataclass(frozen=True, slots=True)
class Plugin:
    """One common plugin: the options it reads and the query it builds from them."""

    options: frozenset[str]
    build: Callable[[Options], str]


def _plugin(build: Callable[[Options], str], *options: str) -> Plugin:
    return Plugin(frozenset(options), build)


_KOOPER = "kooper_controller_"
PLUGINS: dict[str, Plugin] = {
    "sloth-common/coredns/availability": _plugin(
        _coredns_availability, "filter", "custom_rcode_regex"
    ),
    "sloth-common/coredns/latency": _plugin(_coredns_latency, "filter", "bucket"),
    "sloth-common/haproxy/frontend/availability": _plugin(_haproxy_frontend_availability, "filter"),
    "sloth-common/istio/v1/availability": _plugin(
        _istio_availability, "filter", "service", "namespace"
    ),
    "sloth-common/istio/v1/latency": _plugin(
        _istio_latency, "filter", "service", "namespace", "bucket", "exclude_errors"
    ),
    "sloth-common/kubernetes/apiserver/availability": _plugin(_apiserver_availability, "filter"),
    "sloth-common/kubernetes/apiserver/latency": _plugin(_apiserver_latency, "filter", "bucket"),
    "sloth-common/kubernetes/kooper/latency": _plugin(
        _kooper(_KOOPER + "processed_event_duration_seconds"), "filter", "controller", "bucket"
    ),
    "sloth-common/kubernetes/kooper/queue-congestion": _plugin(
        _kooper(_KOOPER + "event_in_queue_duration_seconds"), "filter", "controller", "bucket"
    ),
    "sloth-common/kubernetes/nginx-ingress/availability": _plugin(
        _nginx_ingress_availability, "filter"
    ),
    "sloth-common/linkerd/v2/availability": _plugin(_linkerd_availability, "filter"),
    "sloth-common/prometheus/rules/eval-availability": _plugin(_rules_eval_availability, "filter"),
    "sloth-common/prometheus/targets/availability": _plugin(_targets_availability, "filter"),
    "sloth-common/slok-go-http-metrics/availability": _plugin(_go_http_availability, "filter"),
    "sloth-common/slok-go-http-metrics/latency": _plugin(
        _go_http_latency, "filter", "bucket", "exclude_errors"
    ),
    "sloth-common/traefik/v1/availability": _plugin(
        _traefik_v1_availability, "filter", "backend_regex"
    ),
    "sloth-common/traefik/v1/latency": _plugin(
        _traefik_v1_latency, "filter", "backend_regex", "bucket", "exclude_errors"
    ),
    "sloth-common/traefik/v2/availability": _plugin(
        _traefik_v2_availability, "filter", "service_name_regex"
    ),
    "sloth-common/traefik/v2/latency": _plugin(
        _traefik_v2_latency, "filter", "service_name_regex", "bucket", "exclude_errors"
    ),
}

# the common plugins whose query is no ratio of counts, and why (the SLO is left out)
LEFT_OUT: dict[str, str] = {
    "sloth-common/fake": (
        "it builds a constant error ratio from the objective and its burn_rate option "
        "(max_over_time(vector(…)[{{.window}}:]), with a jitter from the clock): no events "
        "are counted, so there is nothing for Covenant to read"
    ),
    "sloth_common/noop": (
        "it builds the constant error ratio 0 (max_over_time(vector(0)[{{.window}}:])): no "
        "events are counted, so there is nothing for Covenant to read"
    ),
    "sloth-common/kubernetes/kooper/availability": (
        "its denominator is a difference of counts (processed events minus requeued ones), "
        "and its numerator counts failed attempts, requeued ones too: the failures are no "
        "share of that total (a window can count more failures than events), so no count of "
        "bad and of all events gives the ratio exactly"
    ),
    "sloth-common/linkerd/v2/latency": (
        "its query sums a range vector (sum(request_total{…le=…}[{{.window}}]), with no "
        "rate or increase), which Prometheus refuses to evaluate; and its ratio is the share "
        "of requests under the bucket (the good ones), not an error ratio"
    ),
}


ISTIO_LATENCY = "sloth-common/istio/v1/latency"


def option_caveats(plugin_id: str, options: Options) -> dict[str, str]:
    """Options the plugin reads whose effect is not what the option says, by option name: the
    query is still built as Sloth builds it (the same counts as Sloth's SLO), the caveat says
    what it does. Call after :func:`build` (the options are valid)."""
    if plugin_id == ISTIO_LATENCY and _exclude_errors(options):
        return {
            "exclude_errors": (
                'exclude_errors adds code!~"5.." to both selectors, as the plugin does, but '
                "Istio's request metrics carry the status as response_code, not code: the "
                "matcher holds for every series and excludes nothing, in Sloth as here (5xx "
                "requests are counted, the slow ones as bad); to leave them out, add "
                'response_code!~"5.." to filter (e.g. filter: '
                '\'request_protocol="http",response_code!~"5.."\') and import again'
            )
        }
    return {}


def build(plugin_id: str, options: Options) -> str:
    """The error-ratio query plugin ``plugin_id`` builds from ``options`` (raises
    :class:`OptionError`; ``KeyError`` for an id not in :data:`PLUGINS`)."""
    return PLUGINS[plugin_id].build(options)


def unknown_options(plugin_id: str, options: Options) -> list[str]:
    """The options given that plugin ``plugin_id`` does not read (Sloth ignores them)."""
    return sorted(set(options) - PLUGINS[plugin_id].options)


def option_text(value: Any) -> str:
    """A plugin option as Sloth's ``map[string]string`` holds it: a YAML boolean as Go
    writes it, a number as written."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def total_minus_good(query: str) -> tuple[str, str] | None:
    """``(G, T)`` when ``query`` is ``(T - G) / T`` (the apiserver latency plugin's count
    minus the bucket over the count: G counts the good events), else None."""
    operands = promql.ratio_operands(query)
    if operands is None or operands[2]:
        return None
    difference = promql.split_difference(operands[0])
    if difference is None or not promql.same_query(difference[0], operands[1]):
        return None
    return difference[1], operands[1]
