"""The shared plumbing on the real broker and database: consume, store once, dead-letter."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiokafka.admin import AIOKafkaAdminClient
from faststream.kafka import KafkaBroker
from microcred_shared.events import CloudEvent, ProviderTopic
from microcred_shared.events.contracts.learning import CompletionV1
from microcred_shared.events.registry import COMPLETION_REPORTED
from microcred_shared.messaging.consumer import RetryPolicy, Subscription
from microcred_shared.mongo import insert_if_absent
from microcred_shared.service.runtime import Runtime, build_runtime
from microcred_shared.settings import ServiceSettings

from tests.infra import provider_principal
from tests.support import eventually, read_topic

pytestmark = pytest.mark.integration


def completion(completion_id: str) -> CloudEvent[CompletionV1]:
    data = CompletionV1.model_validate(
        {
            "completion_id": completion_id,
            "provider_id": "uni-1",
            "achievement_id": "uni-1:robotics-101",
            "learner": {"email": "ada@example.org"},
            "completed_on": "2026-06-01",
        }
    )
    return COMPLETION_REPORTED.envelope(data, source="/tests", subject=completion_id)


class Pipeline:
    """A consumer that stores each completion it receives, in its own topics and database."""

    def __init__(
        self, infra: Any, name: str, *, fail_first: int = 0, always_fail: str = ""
    ) -> None:
        self.admin = infra.kafka
        self.settings = ServiceSettings(
            **infra.kafka_settings(),
            mongodb_uri=infra.mongodb_uri,
            mongodb_database=f"t{infra.run_id}_{name}",
            topic_prefix=f"t{infra.run_id}.{name}.",
            service_name=f"pipeline-{name}",
        )
        self.runtime: Runtime = build_runtime(
            self.settings, retry=RetryPolicy(max_attempts=3, first_delay_seconds=0.05)
        )
        self.topic = self.settings.topics.of_provider(ProviderTopic.COMPLETIONS, "uni-1")
        self.failures_left = fail_first
        self.always_fail = always_fail
        self.runtime.subscribe(Subscription(self.topic, [COMPLETION_REPORTED], self.store))

    async def create_topics(self) -> None:
        """The provider's topic and its dead-letter twin, as registering the provider does."""
        await provider_principal(self.admin, self.settings.topic_prefix, "uni-1")

    @property
    def stored(self) -> Any:
        return self.runtime.database["completions"]

    async def store(self, event: CloudEvent[Any]) -> None:
        if event.data.completion_id == self.always_fail:
            raise ConnectionError("the database is away")
        if self.failures_left:
            self.failures_left -= 1
            raise ConnectionError("a transient failure")
        await insert_if_absent(
            self.stored, {"_id": event.id, "completion_id": event.data.completion_id}
        )

    async def committed(self) -> int:
        """How many records the consumer group has acknowledged."""
        admin = AIOKafkaAdminClient(**self.admin.aiokafka_kwargs())
        await admin.start()
        try:
            offsets = await admin.list_consumer_group_offsets(
                self.runtime.consumer_group_of(self.topic)
            )
        finally:
            await admin.close()
        return sum(meta.offset for tp, meta in offsets.items() if tp.topic == self.topic)


@pytest.fixture
async def producer(infra: Any) -> AsyncIterator[KafkaBroker]:
    broker = KafkaBroker(infra.kafka.bootstrap_servers, security=infra.kafka.faststream_security())
    await broker.start()
    yield broker
    await broker.stop()


async def started(pipeline: Pipeline) -> Pipeline:
    await pipeline.create_topics()
    await pipeline.runtime.start()
    return pipeline


async def test_an_event_delivered_twice_is_stored_once(infra: Any, producer: KafkaBroker) -> None:
    pipeline = await started(Pipeline(infra, "twice"))
    try:
        first, second = completion("c-1"), completion("c-2")
        for event in (first, first, second):
            await producer.publish(event.to_json_bytes(), topic=pipeline.topic, key=b"learner")
        await eventually(pipeline.committed, lambda n: n == 3)
        stored = await pipeline.stored.find().to_list()
        assert sorted(doc["completion_id"] for doc in stored) == ["c-1", "c-2"]
    finally:
        await pipeline.runtime.stop()


async def test_a_poison_message_is_dead_lettered_with_its_reason_and_the_next_one_flows(
    infra: Any, producer: KafkaBroker
) -> None:
    pipeline = await started(Pipeline(infra, "poison"))
    try:
        invalid = json.loads(completion("c-bad").to_json_bytes())
        invalid["data"]["completed_on"] = "not a date"
        values = [
            completion("c-before").to_json_bytes(),
            b"{this is not json",
            json.dumps(invalid).encode(),
            completion("c-after").to_json_bytes(),
        ]
        for value in values:
            await producer.publish(value, topic=pipeline.topic, key=b"same-partition")

        letters = await read_topic(infra.kafka, pipeline.topic + ".dlq", expect=2)
        reasons = [json.loads(letter.value)["data"] for letter in letters]
        assert [r["reason_code"] for r in reasons] == ["malformed_json", "schema_invalid"]
        assert reasons[1]["errors"] == [
            {"field": "data.completed_on", "error": reasons[1]["errors"][0]["error"]}
        ]
        assert reasons[0]["original_value"] == "{this is not json"
        assert all(r["original_topic"] == pipeline.topic for r in reasons)
        await eventually(pipeline.committed, lambda n: n == 4)
        stored = await pipeline.stored.find().to_list()
        assert sorted(doc["completion_id"] for doc in stored) == ["c-after", "c-before"]
    finally:
        await pipeline.runtime.stop()


async def test_a_transient_failure_is_retried_and_one_that_never_ends_is_dead_lettered(
    infra: Any, producer: KafkaBroker
) -> None:
    pipeline = await started(Pipeline(infra, "retry", fail_first=2, always_fail="c-doomed"))
    try:
        for completion_id in ("c-retried", "c-doomed", "c-later"):
            event = completion(completion_id)
            await producer.publish(event.to_json_bytes(), topic=pipeline.topic, key=b"k")

        letters = await read_topic(infra.kafka, pipeline.topic + ".dlq", expect=1)
        letter = json.loads(letters[0].value)["data"]
        assert letter["reason_code"] == "retries_exhausted"
        assert letter["attempts"] == 3
        assert "c-doomed" in letter["original_value"]
        await eventually(pipeline.committed, lambda n: n == 3)
        stored = await pipeline.stored.find().to_list()
        assert sorted(doc["completion_id"] for doc in stored) == ["c-later", "c-retried"]
    finally:
        await pipeline.runtime.stop()


async def test_consumer_lag_grows_while_a_handler_is_stuck_and_drains_after(
    infra: Any, producer: KafkaBroker
) -> None:
    names = Pipeline(infra, "lag")  # for its settings, topic and collection; not started
    release = asyncio.Event()

    async def stuck_after_the_first(event: CloudEvent[Any]) -> None:
        if event.data.completion_id != "c-0":
            await release.wait()
        await names.store(event)

    runtime = build_runtime(names.settings)
    runtime.subscribe(Subscription(names.topic, [COMPLETION_REPORTED], stuck_after_the_first))
    await names.create_topics()
    await runtime.start()
    try:
        for n in range(5):
            event = completion(f"c-{n}")
            await producer.publish(event.to_json_bytes(), topic=names.topic, key=b"k")
        assert runtime.lag is not None
        stuck = await eventually(runtime.lag.refresh, lambda lags: sum(lags.values()) == 4)
        assert {group for group, _, _ in stuck} == {runtime.consumer_group_of(names.topic)}
        release.set()
        await eventually(runtime.lag.refresh, lambda lags: bool(lags) and sum(lags.values()) == 0)
    finally:
        release.set()
        await runtime.stop()
