"""A message a consumer could never process, with the reason, on ``<topic>.dlq``."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from .base import Contract


class DeadLetterV1(Contract):
    original_topic: str
    partition: int
    offset: int
    key: str | None
    consumer_group: str
    reason_code: str = Field(description="machine-readable, e.g. 'schema_invalid', 'forbidden'")
    reason: str = Field(description="for people")
    errors: list[dict[str, str]] = Field(default_factory=list)
    attempts: int = 1
    failed_at: datetime
    original_value: str = Field(description="the record value, decoded as UTF-8 with replacement")
    original_value_truncated: bool = False
