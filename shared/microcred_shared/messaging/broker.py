"""The one way a service builds its Kafka broker: telemetry, metrics and durable publishing."""

from __future__ import annotations

from faststream.kafka import KafkaBroker
from faststream.kafka.opentelemetry import KafkaTelemetryMiddleware
from faststream.kafka.prometheus import KafkaPrometheusMiddleware
from opentelemetry.trace import TracerProvider
from prometheus_client import CollectorRegistry

from .connection import KafkaConnection


def create_broker(
    connection: KafkaConnection,
    *,
    client_id: str,
    metadata_max_age_ms: int = 5 * 60 * 1000,
    metrics: CollectorRegistry,
    tracer_provider: TracerProvider | None = None,
) -> KafkaBroker:
    """A broker whose spans carry W3C trace context in Kafka headers and whose handlers are
    measured for Prometheus.

    ``acks="all"`` with idempotence: an event the relay was told is published survives the loss
    of a broker and is not duplicated by the producer's own retries.
    """
    return KafkaBroker(
        connection.bootstrap_list,
        security=connection.faststream_security(),
        client_id=client_id,
        metadata_max_age_ms=metadata_max_age_ms,
        # Topics are made by provisioning and by their one writer; a reader's principal may
        # not create them.
        allow_auto_create_topics=False,
        acks="all",
        enable_idempotence=True,
        middlewares=(
            KafkaTelemetryMiddleware(tracer_provider=tracer_provider),
            KafkaPrometheusMiddleware(registry=metrics, app_name=client_id),
        ),
    )
