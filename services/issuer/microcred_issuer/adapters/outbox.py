"""Our outgoing events in the shared outbox's stored form."""

from __future__ import annotations

from collections.abc import Sequence

from microcred_shared.messaging.outbox import OUTBOX_FIELD, PENDING_FIELD, outbox_entry
from microcred_shared.mongo import Document

from ..service_layer.ports import OutgoingEvent


def entries(events: Sequence[OutgoingEvent]) -> list[Document]:
    return [outbox_entry(e.topic, e.key, e.event) for e in events]


def outbox_fields(events: Sequence[OutgoingEvent]) -> Document:
    """The fields a newly inserted document carries so the relay publishes its events."""
    return {OUTBOX_FIELD: entries(events), PENDING_FIELD: bool(events)}
