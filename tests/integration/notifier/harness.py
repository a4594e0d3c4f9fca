"""What the notifier's integration tests run against besides the real stack: a real HTTP
receiver (uvicorn + Starlette on 127.0.0.1) that verifies signatures with the official
``standardwebhooks`` library, a real SMTP sink (aiosmtpd), and the notifier app in-process."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx
import uvicorn
from aiokafka import AIOKafkaProducer
from aiosmtpd.controller import Controller
from asgi_lifespan import LifespanManager
from fastapi import FastAPI
from microcred_notifier.bootstrap import Notifier, create_app
from microcred_notifier.config import NotifierSettings
from microcred_shared.events import CloudEvent, Topic
from microcred_shared.events.contracts.credentials import (
    CredentialIssuedV2,
    CredentialStatusChangedV1,
    LearnerAccessLinkV1,
    LearnerNoticeV1,
)
from microcred_shared.events.registry import (
    CREDENTIAL_ISSUED,
    CREDENTIAL_STATUS_CHANGED,
    LEARNER_ACCESS_LINK,
    LEARNER_NOTICE,
)
from standardwebhooks import Webhook, WebhookVerificationError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from stack import free_port
from tests.infra import kafka_settings_of, provision_services

ADMIN_TOKEN = "integration-admin-token-0123456789"


@dataclass
class Behaviour:
    fail_first: int = 0
    always_fail: bool = False
    hang_first: bool = False
    hang_always: bool = False


@dataclass
class Received:
    name: str
    webhook_id: str
    body: bytes
    headers: dict[str, str]


@dataclass
class Receiver:
    """One HTTP server; each path ``/<name>`` is one subscriber's endpoint."""

    port: int = field(default_factory=free_port)
    secrets: dict[str, str] = field(default_factory=dict)
    behaviours: dict[str, Behaviour] = field(default_factory=dict)
    requests: list[Received] = field(default_factory=list)
    accepted: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))
    rejected_signatures: list[str] = field(default_factory=list)
    hanging: int = 0

    def __post_init__(self) -> None:
        self._seen: set[tuple[str, str]] = set()
        self._release = asyncio.Event()

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.port}/{name}"

    def requests_to(self, name: str) -> list[Received]:
        return [r for r in self.requests if r.name == name]

    async def _hook(self, request: Request) -> Response:
        name = request.path_params["name"]
        body = await request.body()
        headers = dict(request.headers)
        self.requests.append(Received(name, headers.get("webhook-id", ""), body, headers))
        behaviour = self.behaviours.get(name, Behaviour())
        if behaviour.hang_always or (behaviour.hang_first and len(self.requests_to(name)) == 1):
            self.hanging += 1
            try:
                await self._release.wait()
            finally:
                self.hanging -= 1
            return Response(status_code=503)
        if behaviour.always_fail or len(self.requests_to(name)) <= behaviour.fail_first:
            return Response(status_code=500)
        try:
            payload = Webhook(self.secrets[name]).verify(body, headers)
        except (WebhookVerificationError, KeyError):
            self.rejected_signatures.append(name)
            return Response(status_code=400)
        # Idempotent by webhook-id, as Standard Webhooks asks receivers to be.
        if (name, headers["webhook-id"]) not in self._seen:
            self._seen.add((name, headers["webhook-id"]))
            self.accepted[name].append(payload)
        return Response(status_code=204)

    @asynccontextmanager
    async def serving(self) -> AsyncIterator[Receiver]:
        app = Starlette(routes=[Route("/{name}", self._hook, methods=["POST"])])
        config = uvicorn.Config(
            app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="off"
        )
        server = uvicorn.Server(config)
        task = asyncio.create_task(server.serve())
        while not server.started:  # noqa: ASYNC110 (uvicorn offers a flag, not an event)
            await asyncio.sleep(0.02)
        try:
            yield self
        finally:
            self._release.set()
            server.should_exit = True
            await task


class _SmtpHandler:
    def __init__(self) -> None:
        self.messages: list[dict[str, Any]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append({"to": list(envelope.rcpt_tos), "content": envelope.content.decode()})
        return "250 Message accepted for delivery"


@asynccontextmanager
async def smtp_sink() -> AsyncIterator[tuple[int, list[dict[str, Any]]]]:
    handler = _SmtpHandler()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port, handler.messages
    finally:
        controller.stop()


def settings_for(infra: Any, name: str, **overrides: Any) -> NotifierSettings:
    values: dict[str, Any] = {
        "environment": "test",
        **infra.kafka_settings(),
        "mongodb_uri": infra.mongodb_uri,
        "mongodb_database": f"t{infra.run_id}_notifier_{name}",
        "topic_prefix": f"t{infra.run_id}.notifier-{name}.",
        "admin_token": ADMIN_TOKEN,
        "secret_encryption_key": "integration-sealing-key-0123456789",
        "allow_private_webhook_urls": True,
        "retry_delays_seconds": (0.05, 0.1, 0.1),
        "retry_jitter": 0.0,
        "request_timeout_seconds": 1.0,
        "lease_seconds": 2.0,
        "dispatcher_poll_seconds": 0.05,
        "dispatcher_max_idle_seconds": 0.5,
        "log_json": False,
    }
    values.update(overrides)
    return NotifierSettings(**values)


@dataclass
class RunningNotifier:
    app: FastAPI
    http: httpx.AsyncClient
    settings: NotifierSettings  # as the notifier runs: its own Kafka principal
    operator: NotifierSettings  # the same, connecting as the operator (stands in for others)

    @property
    def notifier(self) -> Notifier:
        found: Notifier = self.app.state.notifier
        return found

    async def subscriber(self, name: str, provider_ids: list[str] | None = None) -> str:
        """A new subscriber account; returns its API key."""
        response = await self.http.post(
            "/admin/subscribers",
            json={"name": name, "kind": "university", "provider_ids": provider_ids or []},
            headers={"authorization": f"Bearer {ADMIN_TOKEN}"},
        )
        assert response.status_code == 201, response.text
        api_key: str = response.json()["api_key"]
        return api_key

    async def subscribe(
        self, api_key: str, url: str, event_types: list[str], **filters: list[str]
    ) -> dict[str, Any]:
        response = await self.http.post(
            "/subscriptions",
            json={"url": url, "event_types": event_types, "filters": filters},
            headers={"authorization": f"Bearer {api_key}"},
        )
        assert response.status_code == 201, response.text
        created: dict[str, Any] = response.json()
        return created

    async def deliveries(self, api_key: str, subscription_id: str) -> list[dict[str, Any]]:
        response = await self.http.get(
            f"/subscriptions/{subscription_id}/deliveries",
            headers={"authorization": f"Bearer {api_key}"},
        )
        assert response.status_code == 200, response.text
        found: list[dict[str, Any]] = response.json()
        return found


@asynccontextmanager
async def running_notifier(settings: NotifierSettings) -> AsyncIterator[RunningNotifier]:
    """The notifier as its own Kafka principal, in a deployment ``settings``' operator
    connection provisions."""
    operator = settings
    principals = await provision_services(settings.kafka, settings.topic_prefix)
    settings = settings.model_copy(update=kafka_settings_of(principals["notifier"]))
    app = create_app(settings)
    async with LifespanManager(app, startup_timeout=60, shutdown_timeout=30) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://notifier") as http:
            yield RunningNotifier(app, http, settings, operator)


class Publisher:
    """Publishes CloudEvents the way the issuer does, with a plain Kafka producer (as the
    operator of ``settings``, standing in for the issuer)."""

    def __init__(self, settings: NotifierSettings) -> None:
        self._settings = settings
        self._producer = AIOKafkaProducer(**settings.kafka.aiokafka_kwargs())

    async def __aenter__(self) -> Publisher:
        await self._producer.start()
        return self

    async def __aexit__(self, *_: object) -> None:
        await self._producer.stop()

    async def publish(self, topic: Topic, key: str, event: CloudEvent[Any]) -> None:
        await self._producer.send_and_wait(
            self._settings.topics.of(topic), event.to_json_bytes(), key=key.encode()
        )


def issued_event(
    credential_id: str,
    *,
    provider_id: str = "uni-north",
    isced_f_code: str = "0714",
    kind: str = "completion",
    learner_ref: str = "sha256$learner-1",
) -> CloudEvent[CredentialIssuedV2]:
    data = CredentialIssuedV2.model_validate(
        {
            "credential_id": credential_id,
            "kind": kind,
            "learner_ref": learner_ref,
            "provider_id": provider_id,
            "issuer_did": f"did:web:issuer.example:issuers:{provider_id}",
            "achievement_id": f"{provider_id}:robotics-101",
            "achievement_name": "Robotics Basics",
            "ects": 5.0,
            "eqf_level": 5,
            "isced_f_code": isced_f_code,
            "valid_from": "2026-06-01T00:00:00Z",
            "links": {
                "json_url": f"https://issuer.example/credentials/{credential_id}.json",
                "page_url": f"https://issuer.example/credentials/{credential_id}",
            },
        }
    )
    return CREDENTIAL_ISSUED.envelope(data, source="/microcred/issuer", subject=credential_id)


def revoked_event(credential_id: str, provider_id: str = "uni-north") -> CloudEvent[Any]:
    data = CredentialStatusChangedV1.model_validate(
        {
            "credential_id": credential_id,
            "provider_id": provider_id,
            "achievement_id": f"{provider_id}:robotics-101",
            "learner_ref": "sha256$learner-1",
            "status": "revoked",
            "reason": "issued in error",
            "status_list_credential": "https://issuer.example/status/1",
            "status_list_index": 42,
            "status_purpose": "revocation",
            "sequence": 2,
            "changed_at": "2026-06-02T00:00:00Z",
        }
    )
    return CREDENTIAL_STATUS_CHANGED.envelope(data, source="/microcred/issuer")


def notice_event(credential_id: str, email: str, kind: str = "completion") -> CloudEvent[Any]:
    data = LearnerNoticeV1.model_validate(
        {
            "credential_id": credential_id,
            "kind": kind,
            "email": email,
            "learner_name": "Ada",
            "achievement_name": "Robotics Basics",
            "provider_name": "Uni North",
            "page_url": f"https://issuer.example/credentials/{credential_id}",
        }
    )
    return LEARNER_NOTICE.envelope(data, source="/microcred/issuer")


def access_link_event(email: str, wallet_url: str) -> CloudEvent[Any]:
    data = LearnerAccessLinkV1(
        email=email, wallet_url=wallet_url, expires_at=datetime(2026, 6, 1, 12, 30, tzinfo=UTC)
    )
    return LEARNER_ACCESS_LINK.envelope(data, source="/microcred/issuer")


def data_of(payloads: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [p["data"] for p in payloads]
