import json
from pathlib import Path
from typing import Any

import pytest
from microcred_shared.events import CloudEvent, ProviderTopic, Topic, deterministic_event_id
from microcred_shared.events.contracts.credentials import CredentialIssuedV2, current_issued
from microcred_shared.events.contracts.learning import CompletionV1
from microcred_shared.events.registry import (
    COMPLETION_REPORTED,
    COURSE_OFFERED,
    CREDENTIAL_ISSUED,
    CREDENTIAL_ISSUED_V1,
    CREDENTIAL_ISSUED_VERSIONS,
    REGISTRY,
    EventSpec,
    json_schema_of,
)
from microcred_shared.messaging.decoding import decode_event
from pydantic import ValidationError

SCHEMA_DIR = Path(__file__).parents[3] / "shared/microcred_shared/events/schemas"


def a_completion() -> CompletionV1:
    return CompletionV1.model_validate(
        {
            "completion_id": "c-1",
            "provider_id": "p-1",
            "achievement_id": "ach-1",
            "learner": {"email": "ada@example.org"},
            "completed_on": "2026-06-01",
        }
    )


def test_an_envelope_round_trips_through_json_unchanged() -> None:
    event = COMPLETION_REPORTED.envelope(a_completion(), source="/test", subject="c-1")
    parsed = COMPLETION_REPORTED.parse(event.to_json_bytes())
    assert parsed == event
    assert parsed.type == "org.microcred.learning.completion.v1"
    assert parsed.specversion == "1.0"
    assert parsed.dataschema.endswith("learning.completion.v1.json")


def test_cloudevents_extension_attributes_are_kept() -> None:
    raw = json.loads(COMPLETION_REPORTED.envelope(a_completion(), source="/t").to_json_bytes())
    raw["traceparent"] = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
    parsed = COMPLETION_REPORTED.parse(raw)
    assert parsed.model_extra == {"traceparent": raw["traceparent"]}


def test_events_are_immutable() -> None:
    event = COMPLETION_REPORTED.envelope(a_completion(), source="/t")
    with pytest.raises(ValidationError):
        event.id = "other"  # type: ignore[misc]


def test_a_partner_payload_with_an_unknown_field_is_refused() -> None:
    payload = {
        "action": "offered",
        "provider_id": "p",
        "course_code": "C1",
        "version": 1,
        "cours": {},
    }
    with pytest.raises(ValidationError, match="cours"):
        COURSE_OFFERED.parse(
            {
                "id": "1",
                "source": "/p",
                "type": COURSE_OFFERED.type,
                "time": "2026-01-01T00:00:00Z",
                "dataschema": COURSE_OFFERED.dataschema,
                "data": payload,
            }
        )


def test_a_learner_needs_an_email_or_a_did() -> None:
    with pytest.raises(ValidationError, match="email or a did"):
        CompletionV1.model_validate(
            {**a_completion().model_dump(mode="json"), "learner": {"name": "Ada"}}
        )


def test_deterministic_ids_depend_only_on_their_inputs() -> None:
    assert deterministic_event_id("issued", "cred-1") == deterministic_event_id("issued", "cred-1")
    assert deterministic_event_id("issued", "cred-1") != deterministic_event_id("issued", "cred-2")


def test_every_event_type_is_versioned_and_has_a_committed_schema() -> None:
    for spec in REGISTRY.values():
        assert spec.type.rsplit(".", 1)[-1].startswith("v")
        committed = json.loads((SCHEMA_DIR / f"{spec.name}.json").read_text())
        assert committed == json.loads(json.dumps(json_schema_of(spec))), (
            f"{spec.name}: run `make schemas` and commit the result"
        )


def test_the_generic_envelope_accepts_any_contract() -> None:
    event = CloudEvent[CompletionV1](
        id="x",
        source="/s",
        type="t",
        time="2026-01-01T00:00:00Z",
        dataschema="d",
        data=a_completion(),
    )
    assert event.data.learner.email == "ada@example.org"


# Where personal data may travel: what providers send, and the notifier's learner notices.
PERSONAL_CHANNELS: set[Topic | ProviderTopic] = {
    ProviderTopic.COMPLETIONS,
    ProviderTopic.COURSE_EVENTS,
    Topic.CREDENTIALS_LEARNER_NOTICES,
}
PERSONAL_FIELDS = {"email", "learner_name", "completion_id", "learner"}


def property_names(schema: Any) -> set[str]:
    """Every property name anywhere in a JSON Schema (nested objects and definitions too)."""
    if isinstance(schema, dict):
        names = (
            set(schema.get("properties", {}))
            if isinstance(schema.get("properties"), dict)
            else set()
        )
        return names.union(*(property_names(value) for value in schema.values()))
    if isinstance(schema, list):
        return set().union(*(property_names(value) for value in schema))
    return set()


def published(spec: EventSpec[Any]) -> bool:
    return spec.topic not in PERSONAL_CHANNELS and spec is not CREDENTIAL_ISSUED_V1


def test_no_contract_published_outside_the_personal_channels_has_a_field_for_personal_data() -> (
    None
):
    checked = [spec for spec in REGISTRY.values() if published(spec)]
    assert CREDENTIAL_ISSUED in checked
    for spec in checked:
        assert not property_names(json_schema_of(spec)) & PERSONAL_FIELDS, spec.name


def v1_issued_record() -> bytes:
    data = {
        "credential_id": "cred-1",
        "kind": "completion",
        "learner_ref": "sha256$abc",
        "provider_id": "uni",
        "issuer_did": "did:web:issuer.example:issuers:uni",
        "achievement_id": "uni:math",
        "achievement_name": "Maths",
        "valid_from": "2026-06-01T00:00:00Z",
        "completion_id": "registrar/ada@learners.example/MATH",
        "links": {"json_url": "https://i/c.json", "page_url": "https://i/c"},
    }
    event = {
        "id": "credential-issued:cred-1",
        "source": "/microcred/issuer",
        "type": CREDENTIAL_ISSUED_V1.type,
        "time": "2026-06-01T00:00:00Z",
        "dataschema": CREDENTIAL_ISSUED_V1.dataschema,
        "data": data,
    }
    return json.dumps(event).encode()


def test_a_v1_issued_event_still_on_the_topic_is_read_and_upgraded_without_its_completion_id() -> (
    None
):
    event = decode_event(v1_issued_record(), CREDENTIAL_ISSUED_VERSIONS)
    current = current_issued(event.data)
    assert isinstance(current, CredentialIssuedV2)
    assert current.credential_id == "cred-1"
    assert current.achievement_name == "Maths"
    assert "ada@learners.example" not in current.model_dump_json()
    assert CREDENTIAL_ISSUED.type.endswith(".v2")
