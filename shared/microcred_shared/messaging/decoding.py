"""Turning raw Kafka record bytes into a validated CloudEvent, or a reasoned rejection."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from pydantic import ValidationError

from ..events import CloudEvent
from ..events.registry import EventSpec
from .dead_letter import Rejected


def validation_errors(error: ValidationError) -> list[dict[str, str]]:
    """Pydantic errors as flat, machine-readable pairs (no input values: they may be private)."""
    return [
        {"field": ".".join(str(part) for part in item["loc"]), "error": item["msg"]}
        for item in error.errors()
    ]


def decode_event(value: bytes | None, accepted: Sequence[EventSpec[Any]]) -> CloudEvent[Any]:
    """Parse ``value`` as one of the ``accepted`` event types; raise :class:`Rejected` if not."""
    if not value:
        raise Rejected("empty", "the record has no value")
    try:
        raw = json.loads(value)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise Rejected("malformed_json", f"the value is not JSON: {error}") from error
    if not isinstance(raw, dict):
        raise Rejected("malformed_envelope", "the value is not a CloudEvents JSON object")
    event_type = raw.get("type")
    spec = next((spec for spec in accepted if spec.type == event_type), None)
    if spec is None:
        known = ", ".join(spec.type for spec in accepted)
        raise Rejected(
            "unknown_event_type",
            f"event type {event_type!r} is not accepted on this topic (accepted: {known})",
        )
    try:
        return spec.parse(raw)
    except ValidationError as error:
        raise Rejected(
            "schema_invalid",
            f"the {spec.type} event does not match its schema",
            validation_errors(error),
        ) from error
