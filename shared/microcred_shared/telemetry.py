"""OpenTelemetry wiring: one tracer provider per process, W3C trace context everywhere."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from opentelemetry import trace
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
from opentelemetry.instrumentation.pymongo import CommandTracer
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.sdk.trace.sampling import ALWAYS_OFF, ParentBased, Sampler

if TYPE_CHECKING:
    from fastapi import FastAPI

# Probes hit these every few seconds; a span each would drown the traces that matter.
UNTRACED_PATHS = "health/.*,metrics"


def configure_tracing(
    service: str,
    *,
    otlp_endpoint: str | None = None,
    extra_processors: tuple[SpanProcessor, ...] = (),
) -> TracerProvider:
    """Install a tracer provider for ``service``.

    Spans go to an OTLP collector when one is configured; tests pass an in-memory processor.
    """
    recorded = bool(otlp_endpoint or extra_processors)
    provider = TracerProvider(
        resource=Resource.create({"service.name": service}), sampler=_sampler(recorded=recorded)
    )
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


def _sampler(*, recorded: bool) -> Sampler | None:
    """With nowhere to send spans, a trace started here is not recorded: its spans were built,
    timed and thrown away (a tenth of the issuer's CPU per credential, measured). Trace context
    still flows (ids in logs and message headers, unsampled), and a caller's sampled trace is
    still continued. ``OTEL_TRACES_SAMPLER``, when set, is the operator's choice (None: the
    SDK reads it)."""
    if recorded or os.environ.get("OTEL_TRACES_SAMPLER"):
        return None
    return ParentBased(ALWAYS_OFF)


def instrument_http(app: FastAPI, tracer_provider: trace.TracerProvider | None) -> None:
    """A server span per request, continuing a caller's W3C ``traceparent``."""
    FastAPIInstrumentor.instrument_app(
        app,
        tracer_provider=tracer_provider,
        excluded_urls=UNTRACED_PATHS,
        # No span per ASGI receive/send message (three or four a request): they said nothing
        # the server span does not, and cost an eighth of POST /verify's CPU (measured).
        exclude_spans=["receive", "send"],
    )


def mongo_command_tracer(tracer_provider: trace.TracerProvider | None) -> CommandTracer:
    """A PyMongo command listener making a client span per database command.

    Attached per client (not globally) so that several services in one test process each
    report to their own tracer provider.
    """
    provider = tracer_provider or trace.get_tracer_provider()
    return CommandTracer(provider.get_tracer("microcred.mongodb"))
