"""The CloudEvents 1.0 envelope every Kafka event travels in (structured JSON content mode).

Structured mode keeps the whole event in the record value, so a partner or a university that
reads the topic with a plain Kafka client sees one self-describing JSON document.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field

CONTENT_TYPE = "application/cloudevents+json; charset=utf-8"

DataT = TypeVar("DataT", bound=BaseModel)


class CloudEvent(BaseModel, Generic[DataT]):
    """A CloudEvents 1.0 envelope whose ``data`` is one of our versioned contracts."""

    # Extension attributes (e.g. ``traceparent`` from the distributed-tracing extension) are
    # legal CloudEvents and are kept, not rejected.
    model_config = ConfigDict(frozen=True, extra="allow")

    specversion: Literal["1.0"] = "1.0"
    id: str = Field(min_length=1, max_length=200)
    source: str = Field(min_length=1, max_length=500, description="URI-reference of the producer")
    type: str = Field(min_length=1, max_length=200, description="reverse-DNS event type, versioned")
    subject: str | None = Field(default=None, max_length=500)
    time: datetime
    datacontenttype: Literal["application/json"] = "application/json"
    dataschema: str = Field(description="URI of the JSON Schema of data")
    data: DataT

    def to_json_bytes(self) -> bytes:
        return self.model_dump_json(exclude_none=True).encode()


def new_event_id() -> str:
    return str(uuid.uuid4())


def utc_now() -> datetime:
    return datetime.now(UTC)


def deterministic_event_id(*parts: Any) -> str:
    """An id derived from what triggered the event, so a retried producer emits the same id."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "microcred:" + ":".join(str(p) for p in parts)))
