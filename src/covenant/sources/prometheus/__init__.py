"""Reading SLI counts from Prometheus-compatible query APIs (``client``: HTTP; ``reads``: the
per-bucket counts of an SLI, range by range). docs/prometheus.md describes the whole path."""
