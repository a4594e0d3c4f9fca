"""OpenTelemetry wiring: one tracer provider per process, W3C trace context everywhere."""

from __future__ import annotations

from opentelemetry import trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor


def configure_tracing(
    service: str,
    *,
    otlp_endpoint: str | None = None,
    extra_processors: tuple[SpanProcessor, ...] = (),
) -> TracerProvider:
    """Install a tracer provider for ``service``.

    Spans go to an OTLP collector when one is configured; tests pass an in-memory processor.
    """
    provider = TracerProvider(resource=Resource.create({"service.name": service}))
    if otlp_endpoint:
        # Imported lazily: the exporter pulls in gRPC, which a service without a collector
        # has no use for.
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        provider.add_span_processor(
            BatchSpanProcessor(OTLPSpanExporter(endpoint=f"{otlp_endpoint}/v1/traces"))
        )
    for processor in extra_processors:
        provider.add_span_processor(processor)
    trace.set_tracer_provider(provider)
    return provider
