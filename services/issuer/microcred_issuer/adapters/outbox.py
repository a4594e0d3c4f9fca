"""Our outgoing events in the shared outbox's stored form."""

from __future__ import annotations

from collections.abc import Sequence

from microcred_shared.messaging.outbox import outbox_entry
from microcred_shared.mongo import Document

from ..service_layer.ports import OutgoingEvent


def entries(events: Sequence[OutgoingEvent]) -> list[Document]:
    return [outbox_entry(e.topic, e.key, e.event) for e in events]
