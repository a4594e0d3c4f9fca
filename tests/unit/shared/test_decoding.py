import json

import pytest
from microcred_shared.events.contracts.learning import CompletionV1
from microcred_shared.events.registry import COMPLETION_REPORTED, CREDENTIAL_ISSUED
from microcred_shared.messaging.dead_letter import Rejected
from microcred_shared.messaging.decoding import decode_event

ACCEPTED = [COMPLETION_REPORTED]


def completion_event() -> dict[str, object]:
    data = CompletionV1.model_validate(
        {
            "completion_id": "c-1",
            "provider_id": "p-1",
            "achievement_id": "a-1",
            "learner": {"email": "ada@example.org"},
            "completed_on": "2026-06-01",
        }
    )
    return json.loads(COMPLETION_REPORTED.envelope(data, source="/t").to_json_bytes())


def rejection_of(value: bytes | None) -> Rejected:
    with pytest.raises(Rejected) as caught:
        decode_event(value, ACCEPTED)
    return caught.value


def test_a_valid_event_decodes_into_its_contract() -> None:
    event = decode_event(json.dumps(completion_event()).encode(), ACCEPTED)
    assert isinstance(event.data, CompletionV1)


@pytest.mark.parametrize(
    ("value", "code"),
    [
        (None, "empty"),
        (b"", "empty"),
        (b"{not json", "malformed_json"),
        (b"\xff\xfe", "malformed_json"),
        (b"[1, 2]", "malformed_envelope"),
        (b'{"type": "org.example.other"}', "unknown_event_type"),
    ],
)
def test_undecodable_values_are_rejected_with_a_reason_code(value: bytes | None, code: str) -> None:
    assert rejection_of(value).code == code


def test_an_event_type_from_another_topic_is_rejected() -> None:
    raw = completion_event() | {"type": CREDENTIAL_ISSUED.type}
    assert rejection_of(json.dumps(raw).encode()).code == "unknown_event_type"


def test_a_schema_violation_names_the_offending_fields() -> None:
    raw = completion_event()
    raw["data"]["completed_on"] = "yesterday"  # type: ignore[index]
    del raw["data"]["provider_id"]  # type: ignore[attr-defined]
    rejection = rejection_of(json.dumps(raw).encode())
    assert rejection.code == "schema_invalid"
    fields = {error["field"] for error in rejection.errors}
    assert fields == {"data.completed_on", "data.provider_id"}
