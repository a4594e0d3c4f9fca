"""Events on a provider's own topic speak for that provider: the channel, not the payload."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from aiokafka import ConsumerRecord
from microcred_issuer.entrypoints.consumers import completion_command
from microcred_shared.events import CloudEvent, ProviderTopic, TopicNames
from microcred_shared.events.contracts.learning import CompletionV1
from microcred_shared.events.registry import COMPLETION_REPORTED
from microcred_shared.messaging.consumer import ProviderSubscription
from microcred_shared.messaging.dead_letter import Rejected

NAMES = TopicNames("p.")


def completion(provider_id: str) -> CompletionV1:
    return CompletionV1.model_validate(
        {
            "completion_id": "c-1",
            "provider_id": provider_id,
            "achievement_id": f"{provider_id}:X",
            "learner": {"email": "ada@example.org"},
            "completed_on": date(2026, 6, 1).isoformat(),
        }
    )


def record_on(topic: str) -> ConsumerRecord[bytes, bytes]:
    return ConsumerRecord(topic, 0, 0, 0, 0, b"k", b"", None, 1, 0, [])  # type: ignore[arg-type]


async def test_the_handler_learns_the_provider_from_the_topic_the_event_arrived_on() -> None:
    seen: list[tuple[str, str]] = []

    async def handler(event: CloudEvent[Any], provider_id: str) -> None:
        seen.append((event.data.completion_id, provider_id))

    subscription = ProviderSubscription(
        pattern=NAMES.pattern_of(ProviderTopic.COMPLETIONS),
        provider_of=lambda topic: NAMES.provider_of(ProviderTopic.COMPLETIONS, topic),
        accepted=[COMPLETION_REPORTED],
        handler=handler,
    )
    event = COMPLETION_REPORTED.envelope(completion("uni-b"), source="/providers/uni-b")

    await subscription.deliver(event, record_on("p.learning.uni-a.completions"))

    assert seen == [("c-1", "uni-a")]  # the topic's provider, whatever the source says


def test_a_completion_naming_another_provider_than_its_channel_is_refused() -> None:
    with pytest.raises(Rejected) as refused:
        completion_command(completion("uni-b"), "uni-a")

    assert refused.value.code == "provider_mismatch"


def test_a_completion_on_its_providers_channel_becomes_that_providers_command() -> None:
    command = completion_command(completion("uni-a"), "uni-a")

    assert (command.provider_id, command.completion_id) == ("uni-a", "c-1")
