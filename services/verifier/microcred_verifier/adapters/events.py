"""Publishing verification outcomes on ``verifications``."""

from __future__ import annotations

from faststream.kafka import KafkaBroker
from microcred_shared.events import Topic, TopicNames
from microcred_shared.events.contracts.verifications import VerificationPerformedV1
from microcred_shared.events.registry import VERIFICATION_PERFORMED
from microcred_shared.logging import get_logger
from microcred_shared.messaging.outbox import publish_now

log = get_logger(__name__)


class KafkaVerificationEvents:
    def __init__(self, broker: KafkaBroker, topics: TopicNames, source: str) -> None:
        self._broker = broker
        self._topics = topics
        self._source = source

    async def published(self, event: VerificationPerformedV1) -> None:
        # Nothing is stored for a verification, so there is no outbox: a lost event costs one
        # data point in the demand statistics, never a wrong answer to an employer.
        envelope = VERIFICATION_PERFORMED.envelope(
            event, source=self._source, event_id=event.verification_id
        )
        try:
            await publish_now(
                self._broker, self._topics, Topic.VERIFICATIONS, event.verification_id, envelope
            )
        except Exception as error:
            log.warning("verification event not published", error=repr(error))
