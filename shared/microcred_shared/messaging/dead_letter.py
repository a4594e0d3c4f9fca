"""Publishing a message that can never succeed to ``<topic>.dlq``, with the reason."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from aiokafka import ConsumerRecord
from faststream.kafka import KafkaBroker

from ..events import CONTENT_TYPE, utc_now
from ..events.contracts.dead_letter import DeadLetterV1
from ..events.registry import DEAD_LETTER
from ..events.topics import DEAD_LETTER_SUFFIX
from ..logging import get_logger
from ..privacy import redact_email_addresses

# A dead letter must itself fit in a Kafka record, whatever arrived.
MAX_ORIGINAL_BYTES = 256 * 1024
# The failed record's own headers ride along under this prefix (beside the dead letter's own
# ``dlq-…`` headers), so a replay can restore them: trace context, content type.
ORIGINAL_HEADER_PREFIX = "dlq-original-"
REASON_CODE_HEADER = "dlq-reason-code"

log = get_logger(__name__)


@dataclass
class Rejected(Exception):
    """A message that will never succeed, however often it is retried: dead-letter it."""

    code: str
    reason: str
    errors: Sequence[Mapping[str, str]] = field(default_factory=tuple)

    def __str__(self) -> str:
        return f"{self.code}: {self.reason}"


@dataclass(frozen=True)
class DeadLetterPublisher:
    broker: KafkaBroker
    consumer_group: str
    source: str

    async def publish(
        self, record: ConsumerRecord[bytes, bytes], rejection: Rejected, *, attempts: int = 1
    ) -> None:
        log.warning(
            "dead-lettering message",
            topic=record.topic,
            partition=record.partition,
            offset=record.offset,
            reason_code=rejection.code,
            reason=rejection.reason,
        )
        value = record.value or b""
        letter = DeadLetterV1(
            original_topic=record.topic,
            partition=record.partition,
            offset=record.offset,
            key=record.key.decode(errors="replace") if record.key else None,
            consumer_group=self.consumer_group,
            reason_code=rejection.code,
            # The reason may quote an exception's message, and the dead-letter topic of an
            # outbound topic is read by whoever reads the topic: no e-mail address in it.
            reason=redact_email_addresses(rejection.reason),
            errors=[
                {name: redact_email_addresses(text) for name, text in error.items()}
                for error in rejection.errors
            ],
            attempts=attempts,
            failed_at=utc_now(),
            original_value=value[:MAX_ORIGINAL_BYTES].decode(errors="replace"),
            original_value_truncated=len(value) > MAX_ORIGINAL_BYTES,
        )
        event = DEAD_LETTER.envelope(
            letter,
            source=self.source,
            subject=f"{record.topic}/{record.partition}/{record.offset}",
        )
        await self.broker.publish(
            event.to_json_bytes(),
            topic=record.topic + DEAD_LETTER_SUFFIX,
            key=record.key,
            headers={
                **original_headers_of(record),
                "content-type": CONTENT_TYPE,
                REASON_CODE_HEADER: rejection.code,
                "dlq-consumer-group": self.consumer_group,
            },
        )


def original_headers_of(record: ConsumerRecord[bytes, bytes]) -> dict[str, str]:
    return {
        ORIGINAL_HEADER_PREFIX + name: value.decode(errors="replace")
        for name, value in record.headers or ()
    }
