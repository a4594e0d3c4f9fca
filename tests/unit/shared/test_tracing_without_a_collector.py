"""Spans are recorded only when they have somewhere to go; trace context flows either way."""

from __future__ import annotations

import pytest
from microcred_shared.telemetry import configure_tracing
from opentelemetry import trace
from opentelemetry.context import Context
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import NonRecordingSpan, SpanContext, TraceFlags


def caller(sampled: bool) -> Context:
    flags = TraceFlags(TraceFlags.SAMPLED if sampled else TraceFlags.DEFAULT)
    context = SpanContext(trace_id=0xABC, span_id=0xDEF, is_remote=True, trace_flags=flags)
    return trace.set_span_in_context(NonRecordingSpan(context))


def test_without_a_collector_a_trace_started_here_is_not_recorded_but_has_ids(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("OTEL_TRACES_SAMPLER", raising=False)
    tracer = configure_tracing("issuer").get_tracer("test")

    span = tracer.start_span("issue")

    assert not span.is_recording()
    assert span.get_span_context().is_valid  # ids still reach logs and message headers


def test_without_a_collector_a_callers_sampled_trace_is_continued(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("OTEL_TRACES_SAMPLER", raising=False)
    tracer = configure_tracing("issuer").get_tracer("test")

    continued = tracer.start_span("issue", context=caller(sampled=True))
    unsampled = tracer.start_span("issue", context=caller(sampled=False))

    assert continued.is_recording()
    assert continued.get_span_context().trace_id == 0xABC
    assert not unsampled.is_recording()


def test_with_somewhere_to_send_them_every_span_is_recorded(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("OTEL_TRACES_SAMPLER", raising=False)
    exporter = InMemorySpanExporter()
    provider = configure_tracing("issuer", extra_processors=(SimpleSpanProcessor(exporter),))

    provider.get_tracer("test").start_span("issue").end()

    assert [span.name for span in exporter.get_finished_spans()] == ["issue"]


def test_the_operators_sampler_setting_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OTEL_TRACES_SAMPLER", "always_on")

    span = configure_tracing("issuer").get_tracer("test").start_span("issue")

    assert span.is_recording()
