"""A dead letter says why, without quoting an e-mail address the failure's message held."""

import json
from typing import Any

from aiokafka import ConsumerRecord
from microcred_shared.messaging.dead_letter import DeadLetterPublisher, Rejected


class RecordingBroker:
    def __init__(self) -> None:
        self.published: list[dict[str, Any]] = []

    async def publish(self, body: bytes, **options: Any) -> None:
        self.published.append({"body": json.loads(body), **options})


async def test_the_reason_and_errors_of_a_dead_letter_carry_no_email_address() -> None:
    broker = RecordingBroker()
    publisher = DeadLetterPublisher(broker, "notifier", "/microcred/notifier")  # type: ignore[arg-type]
    record = ConsumerRecord(
        topic="credentials.issued",
        partition=0,
        offset=7,
        timestamp=0,
        timestamp_type=0,
        key=b"sha256$abc",
        value=b'{"id": "x"}',
        checksum=None,
        serialized_key_size=10,
        serialized_value_size=11,
        headers=(),
    )
    rejection = Rejected(
        "retries_exhausted",
        "failed 5 times; last: ValueError('no learner ada.brennan@learners.example')",
        [{"field": "data.email", "error": "bo@learners.example is taken"}],
    )

    await publisher.publish(record, rejection, attempts=5)

    [sent] = broker.published
    assert sent["topic"] == "credentials.issued.dlq"
    letter = sent["body"]["data"]
    assert "learners.example" not in json.dumps(letter)
    assert letter["reason"] == "failed 5 times; last: ValueError('no learner [e-mail address]')"
    assert letter["errors"] == [{"field": "data.email", "error": "[e-mail address] is taken"}]
    assert letter["original_value"] == '{"id": "x"}'
