"""A verification is one server span, continuing the caller's trace."""

from __future__ import annotations

import httpx
from microcred_verifier.adapters.status_lists import InMemoryStatusLists
from microcred_verifier.bootstrap import Adapters, create_app
from microcred_verifier.config import VerifierSettings
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind
from verifier_fakes import MemoryProjections

TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"


async def test_a_verification_is_one_server_span_in_the_callers_trace() -> None:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()  # not installed globally: this test's spans only
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    settings = VerifierSettings(publish_events=False, fetch_enabled=False)
    app = create_app(
        settings,
        tracer_provider=provider,
        adapters=Adapters(projections=MemoryProjections(), status_lists=InMemoryStatusLists()),  # type: ignore[arg-type]
    )
    traceparent = f"00-{TRACE_ID}-00f067aa0ba902b7-01"
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://v") as c:
        response = await c.post("/verify", content=b"{", headers={"traceparent": traceparent})
    assert response.status_code == 422

    spans = exporter.get_finished_spans()
    assert [(s.name, s.kind) for s in spans] == [("POST /verify", SpanKind.SERVER)]
    assert format(spans[0].context.trace_id, "032x") == TRACE_ID
    assert spans[0].attributes is not None
    assert spans[0].attributes["http.status_code"] == 422
