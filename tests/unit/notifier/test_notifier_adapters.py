"""The HTTP sender against a receiver on the loopback interface, and the secret keeper."""

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from cryptography.exceptions import InvalidTag
from microcred_notifier.adapters.keys import SecretKeys
from microcred_notifier.adapters.webhooks import HttpWebhookSender
from microcred_notifier.service_layer.ports import WebhookRequest
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from standardwebhooks import Webhook

KEYS = SecretKeys("unit-test-encryption-key")
TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def request(url: str, secrets: list[str], **overrides: object) -> WebhookRequest:
    fields: dict[str, object] = {
        "url": url,
        "webhook_id": "msg_abc",
        "body": b'{"data":{"credential_id":"c1"},"type":"credential.issued"}',
        "signing_secrets": secrets,
        "trace": {"traceparent": TRACEPARENT},
    }
    fields.update(overrides)
    return WebhookRequest(**fields)  # type: ignore[arg-type]


@contextlib.asynccontextmanager
async def receiver(handler: Handler) -> AsyncIterator[str]:
    """A receiver answering with ``handler``; yields its webhook URL."""
    app = web.Application()
    app.router.add_post("/hook", handler)
    server = TestServer(app)
    await server.start_server()
    try:
        yield str(server.make_url("/hook"))
    finally:
        await server.close()


@contextlib.asynccontextmanager
async def sender(tracer: trace.Tracer | None = None) -> AsyncIterator[HttpWebhookSender]:
    http = HttpWebhookSender(timeout_seconds=5.0, max_connections=4, tracer=tracer)
    try:
        yield http
    finally:
        await http.aclose()


async def test_the_receiver_can_verify_the_request_with_the_standard_webhooks_library() -> None:
    secret = KEYS.new_signing_secret()
    seen: list[dict[str, str]] = []

    async def receive(incoming: web.Request) -> web.Response:
        headers = {name.lower(): value for name, value in incoming.headers.items()}
        seen.append(headers)
        payload = Webhook(secret).verify(await incoming.read(), headers)
        assert payload["type"] == "credential.issued"
        return web.Response(status=204)

    async with receiver(receive) as url, sender() as http:
        outcome = await http.send(request(url, [secret]))
    assert outcome.accepted
    assert seen[0]["webhook-id"] == "msg_abc"
    assert seen[0]["content-type"] == "application/json"


async def test_during_a_rotation_either_secret_verifies_the_request() -> None:
    old, new = KEYS.new_signing_secret(), KEYS.new_signing_secret()
    verified: list[bool] = []

    async def receive(incoming: web.Request) -> web.Response:
        body = await incoming.read()
        for secret in (old, new):
            Webhook(secret).verify(body, dict(incoming.headers))
            verified.append(True)
        return web.Response(status=200)

    async with receiver(receive) as url, sender() as http:
        await http.send(request(url, [new, old]))
    assert verified == [True, True]


async def test_retry_after_and_the_status_are_reported() -> None:
    async def busy(_: web.Request) -> web.Response:
        return web.Response(status=429, headers={"retry-after": "30"})

    async with receiver(busy) as url, sender() as http:
        outcome = await http.send(request(url, [KEYS.new_signing_secret()]))
    assert (outcome.status_code, outcome.retry_after_seconds) == (429, 30.0)
    assert not outcome.accepted


async def test_a_redirect_is_reported_not_followed() -> None:
    followed: list[bool] = []

    async def elsewhere(_: web.Request) -> web.Response:
        followed.append(True)
        return web.Response(status=204)

    async def redirect(_: web.Request) -> web.Response:
        return web.Response(status=307, headers={"location": "/elsewhere"})

    async with receiver(redirect) as url, sender() as http:
        outcome = await http.send(request(url, [KEYS.new_signing_secret()]))
    assert outcome.status_code == 307
    assert not outcome.accepted
    assert followed == []


async def test_a_connection_failure_becomes_an_error_outcome_not_an_exception() -> None:
    with socket.socket() as unused:  # a port nobody listens on
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    async with sender() as http:
        outcome = await http.send(
            request(f"http://127.0.0.1:{port}/hook", [KEYS.new_signing_secret()])
        )
    assert outcome.status_code is None
    assert outcome.error is not None
    assert "Connect" in outcome.error


async def test_a_receiver_that_never_answers_costs_one_timeout_and_becomes_an_error() -> None:
    async def hang(_: web.Request) -> web.Response:
        await asyncio.Event().wait()
        return web.Response(status=204)

    http = HttpWebhookSender(timeout_seconds=0.2, max_connections=4)
    try:
        async with receiver(hang) as url:
            outcome = await http.send(request(url, [KEYS.new_signing_secret()]))
    finally:
        await http.aclose()
    assert outcome.status_code is None
    assert outcome.error is not None
    assert "Timeout" in outcome.error


async def test_the_webhook_continues_the_trace_of_the_event_that_caused_it() -> None:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    seen: list[str] = []

    async def receive(incoming: web.Request) -> web.Response:
        seen.append(incoming.headers["traceparent"])
        return web.Response(status=204)

    async with receiver(receive) as url, sender(provider.get_tracer("test")) as http:
        await http.send(request(url, [KEYS.new_signing_secret()]))
    (span,) = exporter.get_finished_spans()
    assert format(span.context.trace_id, "032x") == TRACEPARENT.split("-")[1]
    assert seen[0].split("-")[1] == TRACEPARENT.split("-")[1]
    assert seen[0].split("-")[2] == format(span.context.span_id, "016x")


def test_a_sealed_secret_opens_only_with_the_same_key() -> None:
    sealed = KEYS.seal("whsec_c2VjcmV0")
    assert "c2VjcmV0" not in sealed
    assert KEYS.unseal(sealed) == "whsec_c2VjcmV0"
    with pytest.raises(InvalidTag):
        SecretKeys("another-encryption-key").unseal(sealed)


def test_signing_secrets_follow_the_standard_webhooks_format() -> None:
    secret = KEYS.new_signing_secret()
    assert secret.startswith("whsec_")
    Webhook(secret)  # decodes: the base64 part is valid
    assert KEYS.new_signing_secret() != secret


def test_api_keys_hash_the_same_every_time_and_differ_from_each_other() -> None:
    first, second = KEYS.new_api_key(), KEYS.new_api_key()
    assert KEYS.hash_api_key(first) == KEYS.hash_api_key(first)
    assert KEYS.hash_api_key(first) != KEYS.hash_api_key(second)
    assert first not in KEYS.hash_api_key(first)
