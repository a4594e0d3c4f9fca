"""The infrastructure one service process holds: MongoDB, the Kafka broker, the outbox relay.

A service's ``bootstrap.py`` builds a :class:`Runtime` from its settings, registers its
subscriptions on ``runtime.broker`` and hands the runtime to its handlers' adapters. Nothing
here connects at import time; :meth:`Runtime.start` does, in the FastAPI lifespan.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypedDict

from faststream.kafka import KafkaBroker
from opentelemetry.trace import TracerProvider
from prometheus_client import CollectorRegistry
from pymongo import AsyncMongoClient

from ..events import ProviderTopic, TopicNames
from ..events.registry import EventSpec
from ..events.topics import topics_written_by
from ..logging import get_logger
from ..messaging.access import KafkaAccess
from ..messaging.admin import ensure_topics
from ..messaging.batches import (
    BatchSubscription,
    ProviderBatchHandler,
    ProviderBatchSubscription,
    subscribe_batches,
)
from ..messaging.broker import create_broker
from ..messaging.consumer import (
    ProviderEventHandler,
    ProviderSubscription,
    RetryPolicy,
    Subscription,
    subscribe,
)
from ..messaging.dead_letter import DeadLetterPublisher
from ..messaging.inbox import INBOX_COLLECTION, INBOX_INDEXES, Inbox
from ..messaging.lag import ConsumerLag
from ..messaging.outbox import OUTBOX_INDEX, OutboxRelay
from ..mongo import Document, IndexSpec, MongoDatabase, create_client, ensure_indexes, ping
from ..mongo_slow_log import SlowCommandLog
from ..settings import ServiceSettings
from ..telemetry import mongo_command_tracer

log = get_logger(__name__)


class _Consuming(TypedDict):
    group_id: str
    dead_letters: DeadLetterPublisher
    retry: RetryPolicy | None


@dataclass
class Runtime:
    settings: ServiceSettings
    mongo: AsyncMongoClient[Document]
    broker: KafkaBroker
    metrics: CollectorRegistry
    indexes: list[IndexSpec] = field(default_factory=list)
    outbox_collections: list[str] = field(default_factory=list)
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    relay: OutboxRelay | None = None
    tracer_provider: TracerProvider | None = None
    lag: ConsumerLag | None = None
    started: bool = False
    # Groups only this process consumes in (a projection every replica reads whole): deleted
    # at stop, or each restart would leave one more behind on the broker.
    own_groups: set[str] = field(default_factory=set)

    @property
    def database(self) -> MongoDatabase:
        return self.mongo[self.settings.mongodb_database]

    @property
    def topics(self) -> TopicNames:
        return self.settings.topics

    @property
    def source(self) -> str:
        """The CloudEvents ``source`` of everything this service publishes."""
        return f"/microcred/{self.settings.service_name}"

    @property
    def consumer_group(self) -> str:
        return f"{self.settings.topic_prefix}{self.settings.service_name}"

    def inbox(self, consumer: str) -> Inbox:
        return Inbox(self.database[INBOX_COLLECTION], consumer)

    def consumer_group_of(self, topic: str) -> str:
        """The group every replica of this service consumes ``topic`` in.

        One group per topic, not per service: subscribers joining one group one after another
        at start-up rebalance it again and again, which held the first record back ~30 s.
        """
        return f"{self.consumer_group}.{topic.removeprefix(self.settings.topic_prefix)}"

    def subscribe(self, subscription: Subscription, *, group_suffix: str | None = None) -> None:
        """Consume ``subscription`` shared by every replica of this service (see
        :meth:`consumer_group_of`); ``group_suffix`` names another group instead, e.g. one per
        replica for a projection every replica must see whole."""
        group = (
            self.consumer_group + group_suffix
            if group_suffix is not None
            else self.consumer_group_of(subscription.topic)
        )
        if group_suffix is not None:
            self.own_groups.add(group)
        subscribe(self.broker, subscription, **self._consuming_as(group))

    def subscribe_in_batches(self, subscription: BatchSubscription) -> None:
        """:meth:`subscribe` for a handler that answers many events at once, each for itself
        (see :mod:`..messaging.batches`)."""
        group = self.consumer_group_of(subscription.topic)
        subscribe_batches(self.broker, subscription, **self._consuming_as(group))

    def subscribe_per_provider(
        self,
        family: ProviderTopic,
        accepted: Sequence[EventSpec[Any]],
        handler: ProviderEventHandler,
    ) -> None:
        """Consume every provider's own topic of ``family``, including providers registered
        after start-up (found within ``kafka_metadata_max_age_ms``); ``handler`` learns the
        provider from the topic, which only that provider may write."""
        pattern, provider_of = self._provider_channels(family)
        subscription = ProviderSubscription(pattern, provider_of, accepted, handler)
        subscribe(self.broker, subscription, **self._consuming_as(self._group_of(family)))

    def subscribe_per_provider_in_batches(
        self,
        family: ProviderTopic,
        accepted: Sequence[EventSpec[Any]],
        handler: ProviderBatchHandler,
        *,
        max_records: int,
    ) -> None:
        """:meth:`subscribe_per_provider` for a handler that answers up to ``max_records``
        events at once, each for itself (see :mod:`..messaging.batches`)."""
        pattern, provider_of = self._provider_channels(family)
        subscription = ProviderBatchSubscription(
            pattern, provider_of, accepted, handler, max_records
        )
        subscribe_batches(self.broker, subscription, **self._consuming_as(self._group_of(family)))

    def _group_of(self, family: ProviderTopic) -> str:
        return f"{self.consumer_group}.{family.name.lower()}"

    def _provider_channels(self, family: ProviderTopic) -> tuple[str, Callable[[str], str | None]]:
        """The pattern matching every provider's topic of ``family``, and the provider a
        physical topic name belongs to."""
        topics = self.topics
        return topics.pattern_of(family), lambda physical: topics.provider_of(family, physical)

    def _consuming_as(self, group: str) -> _Consuming:
        if self.lag:
            self.lag.watch(group)
        return {
            "group_id": group,
            "dead_letters": DeadLetterPublisher(self.broker, group, self.source),
            "retry": self.retry,
        }

    def wake_relay(self) -> None:
        if self.relay:
            self.relay.wake()

    async def start(self) -> None:
        await ensure_topics(
            self.settings.kafka,
            self.topics,
            topics=topics_written_by(self.settings.service_name),
            layout=self.settings.topic_layout,
        )
        await ensure_indexes(self.database, self._all_indexes())
        await self.broker.start()
        if self.outbox_collections:
            self.relay = OutboxRelay(
                self.broker,
                self.topics,
                [self.database[name] for name in self.outbox_collections],
                interval_seconds=self.settings.relay_interval_seconds,
            )
            self.relay.start()
        if self.lag:
            self.lag.start()
        self.started = True
        log.info("service started", consumer_group=self.consumer_group)

    async def stop(self) -> None:
        self.started = False
        if self.lag:
            await self.lag.stop()
        if self.relay:
            await self.relay.stop()
        await self.broker.stop()
        await self._delete_own_groups()
        await self.mongo.close()

    async def _delete_own_groups(self) -> None:
        """A crashed replica's groups stay until the broker expires them (offsets.retention,
        7 days by default); a stopped one's go now. Never holds a shutdown up for long."""
        if not self.own_groups:
            return
        try:
            access = KafkaAccess(self.settings.kafka, timeout_s=5.0)
            await asyncio.wait_for(access.delete_groups(self.own_groups), timeout=10)
        except Exception as error:  # shutting down: say so, and go on
            log.warning(
                "consumer groups not deleted", groups=sorted(self.own_groups), error=repr(error)
            )

    async def readiness(self) -> dict[str, Any]:
        """What a load balancer asks before sending traffic: are both backends reachable?"""
        database_ok, kafka_ok = await asyncio.gather(ping(self.mongo), self._kafka_ok())
        return {
            "ready": self.started and database_ok and kafka_ok,
            "mongodb": database_ok,
            "kafka": kafka_ok,
        }

    async def _kafka_ok(self) -> bool:
        try:
            return bool(await asyncio.wait_for(self.broker.ping(timeout=2.0), 3.0))
        except Exception:
            return False

    def _all_indexes(self) -> list[IndexSpec]:
        outbox = [IndexSpec(name, (OUTBOX_INDEX,)) for name in self.outbox_collections]
        return [INBOX_INDEXES, *outbox, *self.indexes]


def build_runtime(
    settings: ServiceSettings,
    *,
    indexes: Sequence[IndexSpec] = (),
    outbox_collections: Sequence[str] = (),
    tracer_provider: TracerProvider | None = None,
    retry: RetryPolicy | None = None,
) -> Runtime:
    metrics = CollectorRegistry()
    return Runtime(
        settings=settings,
        mongo=create_client(
            settings.mongodb_uri.get_secret_value(),
            app_name=settings.service_name,
            listeners=[
                mongo_command_tracer(tracer_provider),
                SlowCommandLog(settings.mongodb_slow_command_ms),
            ],
        ),
        broker=create_broker(
            settings.kafka,
            client_id=settings.service_name,
            metadata_max_age_ms=settings.kafka_metadata_max_age_ms,
            metrics=metrics,
            tracer_provider=tracer_provider,
        ),
        metrics=metrics,
        indexes=list(indexes),
        outbox_collections=list(outbox_collections),
        retry=retry or RetryPolicy(),
        tracer_provider=tracer_provider,
        lag=ConsumerLag(settings.kafka, metrics),
    )
