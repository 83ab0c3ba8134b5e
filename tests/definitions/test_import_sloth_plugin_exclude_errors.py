"""``exclude_errors`` of Sloth's Istio and Traefik latency plugins (docs/import.md, "Sloth's
common SLI plugins").

Each plugin's ``getFilter`` (github.com/slok/sloth-common-sli-plugins,
``plugins/istio/v1/latency/plugin.go``, ``plugins/traefik/v1/latency/plugin.go``,
``plugins/traefik/v2/latency/plugin.go``) parses the option with Go's ``strconv.ParseBool`` and,
when true, appends ``code!~"5.."`` to the filter, so it lands in both the bucket and the count
selectors. The expected queries below are those templates rendered by hand.

Istio's request metrics have no ``code`` label (the status is ``response_code``), so on them
the matcher keeps every series: Sloth's SLO counts the 5xx requests all the same. The import
builds the query Sloth builds (same numbers as Sloth) and says so on the option, with the
filter that does what the option says.
"""

from __future__ import annotations

from pathlib import Path

from covenant.definitions.importers import sloth_plugins
from tests.definitions.test_import_sloth_plugins import W, one_line, planned, skipped
from tests.definitions.test_import_sloth_raw import query, ratio_of

ISTIO_ON = (
    'request_protocol="http",code!~"5..",destination_service_name="cart",'
    'destination_service_namespace="shop"'
)


def test_istio_latency_puts_code_matcher_in_both_selectors() -> None:
    built = sloth_plugins.build(
        "sloth-common/istio/v1/latency",
        {
            "service": "cart",
            "namespace": "shop",
            "bucket": "300",
            "filter": 'request_protocol="http"',
            "exclude_errors": "true",
        },
    )
    assert one_line(built) == (
        f'1 - (( sum(rate(istio_request_duration_milliseconds_bucket{{ {ISTIO_ON},le="300" }}'
        f"{W})) / (sum(rate(istio_request_duration_milliseconds_count{{ {ISTIO_ON} }}{W})) > 0)"
        " ) OR on() vector(1))"
    )


def test_traefik_v1_latency_without_filter_starts_with_the_code_matcher() -> None:
    # getFilter: excludeErrors && filter == "" → `code!~"5..",`; "1" is true to ParseBool
    built = sloth_plugins.build(
        "sloth-common/traefik/v1/latency",
        {"backend_regex": "^api$", "bucket": "0.5", "exclude_errors": "1"},
    )
    on = 'code!~"5..",backend=~"^api$"'
    assert one_line(built) == (
        f'1 - (( sum(rate(traefik_backend_request_duration_seconds_bucket{{ {on},le="0.5" }}'
        f"{W})) / (sum(rate(traefik_backend_request_duration_seconds_count{{ {on} }}{W})) > 0)"
        " ) OR on() vector(1))"
    )


def test_istio_exclude_errors_is_imported_as_sloth_builds_it_and_noted(tmp_path: Path) -> None:
    plan = planned(
        tmp_path,
        "id: sloth-common/istio/v1/latency\n"
        "options: {service: cart, namespace: shop, bucket: 300, "
        "filter: 'request_protocol=\"http\"', exclude_errors: 'true'}",
    )
    assert skipped(plan) == []
    ratio = ratio_of(plan, "errors")
    assert query(ratio, "good") == (
        f'sum(increase(istio_request_duration_milliseconds_bucket{{ {ISTIO_ON},le="300" }}{W}))'
    )
    assert query(ratio, "total") == (
        f"sum(increase(istio_request_duration_milliseconds_count{{ {ISTIO_ON} }}{W}))"
    )
    (note,) = [
        n for n in plan.files[0].imported.notes if n.field.endswith("options.exclude_errors")
    ]
    assert "response_code" in note.reason
    assert "excludes nothing" in note.reason
    assert 'response_code!~"5.."' in note.reason  # the fix: the filter that does it


def test_istio_exclude_errors_false_or_traefik_true_is_not_noted(tmp_path: Path) -> None:
    off = planned(
        tmp_path / "istio",
        "id: sloth-common/istio/v1/latency\n"
        "options: {service: cart, namespace: shop, bucket: 300, exclude_errors: false}",
    )
    traefik = planned(
        tmp_path / "traefik",
        "id: sloth-common/traefik/v2/latency\n"
        "options: {service_name_regex: 'api.*', bucket: 0.3, exclude_errors: true}",
    )
    for plan in (off, traefik):
        assert [n for n in plan.files[0].imported.notes if "exclude_errors" in n.field] == []


def test_exclude_errors_go_does_not_parse_leaves_the_slo_out_naming_it(tmp_path: Path) -> None:
    # ParseBool takes 1, t, T, TRUE, true, True and their false forms only: "yes" is refused
    plan = planned(
        tmp_path,
        "id: sloth-common/traefik/v1/latency\n"
        "options: {backend_regex: api, bucket: '0.5', exclude_errors: 'yes'}",
    )
    (left,) = [n for n in plan.files[0].imported.notes if n.skipped]
    assert left.field.endswith("sli.plugin.options.exclude_errors")
    assert "'yes' is no boolean" in left.reason
    assert "write exclude_errors: true or false" in left.reason
