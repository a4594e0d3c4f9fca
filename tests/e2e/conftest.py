"""The four services as real OS processes on the real stack, one ecosystem per test session."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from microcred.ecosystem import story
from microcred.ecosystem.demo import Outcome, play
from microcred.ecosystem.processes import SERVICE_NAMES, Ecosystem
from microcred.ecosystem.secrets import dev_secrets
from stack import free_ports
from tests.e2e.browser import browser  # noqa: F401 - a fixture for the browser tests
from tests.support import local_server


class CollectedSpans:
    """What the services export over OTLP/HTTP: (trace id, service, span name)."""

    def __init__(self) -> None:
        self.spans: list[tuple[str, str, str]] = []

    async def receive(self, request: Request) -> Response:
        message = ExportTraceServiceRequest()
        message.ParseFromString(await request.body())
        for resource_spans in message.resource_spans:
            attributes = {a.key: a.value.string_value for a in resource_spans.resource.attributes}
            service = attributes.get("service.name", "?")
            for scope in resource_spans.scope_spans:
                for span in scope.spans:
                    self.spans.append((span.trace_id.hex(), service, span.name))
        return Response(status_code=200)

    def services_in(self, trace_id: str) -> set[str]:
        return {service for tid, service, _ in self.spans if tid == trace_id}


@pytest.fixture(scope="session")
async def collector() -> AsyncIterator[tuple[CollectedSpans, str]]:
    spans = CollectedSpans()
    app = Starlette(routes=[Route("/v1/traces", spans.receive, methods=["POST"])])
    async with local_server(app) as url:
        yield spans, url


@pytest.fixture(scope="session")
def ecosystem(
    infra: Any, tmp_path_factory: pytest.TempPathFactory, collector: tuple[CollectedSpans, str]
) -> Iterator[Ecosystem]:
    _, collector_url = collector
    ports = dict(zip([*SERVICE_NAMES, "mailsink"], free_ports(5), strict=True))
    run_dir: Path = tmp_path_factory.mktemp("ecosystem")
    ecosystem = Ecosystem(
        run_dir=run_dir,
        kafka=infra.kafka,
        mongodb_uri=infra.mongodb_uri,
        ports=ports,
        topic_prefix=f"e2e{infra.run_id}.",
        database_prefix=f"e2e{infra.run_id}_",
        extra_env={
            "MICROCRED_OTEL_EXPORTER_OTLP_ENDPOINT": collector_url,
            "OTEL_BSP_SCHEDULE_DELAY": "300",
        },
        die_with_parent=True,
    )
    try:
        ecosystem.start(timeout=180)
        yield ecosystem
    finally:
        ecosystem.stop()


# Every webhook event type a subscription can ask for (the notifier's EventType values).
ALL_WEBHOOK_TYPES = [
    "credential.issued",
    "credential.stacked",
    "credential.revoked",
    "credential.suspended",
    "course.changed",
]


@pytest.fixture(scope="session")
async def webhook_sink(ecosystem: Ecosystem) -> AsyncIterator[list[dict[str, Any]]]:
    """Every webhook of the session: a subscriber acting for every story provider (so it is
    shown learner references too, the fullest payloads) subscribed to every event type."""
    received: list[dict[str, Any]] = []

    async def receive(request: Request) -> Response:
        received.append(json.loads(await request.body()))
        return Response(status_code=204)

    app = Starlette(routes=[Route("/hooks", receive, methods=["POST"])])
    async with local_server(app) as base_url, httpx.AsyncClient(timeout=30) as http:
        notifier = ecosystem.service("notifier").url
        token = dev_secrets(ecosystem.run_dir)["NOTIFIER_ADMIN_TOKEN"]
        subscriber = await http.post(
            notifier + "/admin/subscribers",
            json={
                "name": "Catch-all registry",
                "kind": "partner",
                "provider_ids": [p["provider_id"] for p in story.PROVIDERS],
            },
            headers={"Authorization": f"Bearer {token}"},
        )
        subscriber.raise_for_status()
        subscription = await http.post(
            notifier + "/subscriptions",
            json={"url": base_url + "/hooks", "event_types": ALL_WEBHOOK_TYPES},
            headers={"Authorization": f"Bearer {subscriber.json()['api_key']}"},
        )
        subscription.raise_for_status()
        yield received


@pytest.fixture(scope="session")
async def played(ecosystem: Ecosystem, webhook_sink: list[dict[str, Any]]) -> Outcome:
    """The demo story, played once: providers, courses, pathways, credentials, a revocation.
    The catch-all webhook subscriber is in place before it starts."""
    return await play(ecosystem)
