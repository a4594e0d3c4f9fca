"""The HTTP sender and the secret keeper, without a network: httpx's MockTransport answers."""

import httpx
import pytest
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


def request(secrets: list[str], **overrides: object) -> WebhookRequest:
    fields: dict[str, object] = {
        "url": "https://sis.example.edu/hook",
        "webhook_id": "msg_abc",
        "body": b'{"data":{"credential_id":"c1"},"type":"credential.issued"}',
        "signing_secrets": secrets,
        "trace": {"traceparent": TRACEPARENT},
    }
    fields.update(overrides)
    return WebhookRequest(**fields)  # type: ignore[arg-type]


def sender_answering(handler: object, tracer: trace.Tracer | None = None) -> HttpWebhookSender:
    client = httpx.AsyncClient(transport=httpx.MockTransport(handler))  # type: ignore[arg-type]
    return HttpWebhookSender(client, tracer)


async def test_the_receiver_can_verify_the_request_with_the_standard_webhooks_library() -> None:
    secret = KEYS.new_signing_secret()
    seen: list[httpx.Request] = []

    def receive(incoming: httpx.Request) -> httpx.Response:
        seen.append(incoming)
        payload = Webhook(secret).verify(incoming.content, dict(incoming.headers))
        assert payload["type"] == "credential.issued"
        return httpx.Response(204)

    outcome = await sender_answering(receive).send(request([secret]))
    assert outcome.accepted
    assert seen[0].headers["webhook-id"] == "msg_abc"
    assert seen[0].headers["content-type"] == "application/json"


async def test_during_a_rotation_either_secret_verifies_the_request() -> None:
    old, new = KEYS.new_signing_secret(), KEYS.new_signing_secret()
    verified: list[bool] = []

    def receive(incoming: httpx.Request) -> httpx.Response:
        for secret in (old, new):
            Webhook(secret).verify(incoming.content, dict(incoming.headers))
            verified.append(True)
        return httpx.Response(200)

    await sender_answering(receive).send(request([new, old]))
    assert verified == [True, True]


async def test_retry_after_and_the_status_are_reported() -> None:
    outcome = await sender_answering(
        lambda _: httpx.Response(429, headers={"retry-after": "30"})
    ).send(request([KEYS.new_signing_secret()]))
    assert (outcome.status_code, outcome.retry_after_seconds) == (429, 30.0)
    assert not outcome.accepted


async def test_a_connection_failure_becomes_an_error_outcome_not_an_exception() -> None:
    def refuse(incoming: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=incoming)

    outcome = await sender_answering(refuse).send(request([KEYS.new_signing_secret()]))
    assert outcome.status_code is None
    assert outcome.error is not None
    assert "ConnectError" in outcome.error


async def test_the_webhook_continues_the_trace_of_the_event_that_caused_it() -> None:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    seen: list[str] = []

    def receive(incoming: httpx.Request) -> httpx.Response:
        seen.append(incoming.headers["traceparent"])
        return httpx.Response(204)

    sender = sender_answering(receive, provider.get_tracer("test"))
    await sender.send(request([KEYS.new_signing_secret()]))
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
