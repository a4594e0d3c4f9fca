"""Issuance counters on the service's Prometheus registry (served at ``/metrics``)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter


class PrometheusMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        self._issued = Counter(
            "issuer_credentials_issued", "credentials issued", ["kind"], registry=registry
        )
        self._rejected = Counter(
            "issuer_completions_rejected",
            "completions refused, by reason",
            ["reason_code"],
            registry=registry,
        )
        self._status = Counter(
            "issuer_status_changes",
            "revocations, suspensions, reinstatements",
            ["status"],
            registry=registry,
        )

    def issued(self, kind: str) -> None:
        self._issued.labels(kind).inc()

    def rejected(self, reason_code: str) -> None:
        self._rejected.labels(reason_code).inc()

    def status_changed(self, status: str) -> None:
        self._status.labels(status).inc()
