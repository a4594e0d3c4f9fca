"""An in-memory ``ApiKeyStore`` (microcred_shared.api_keys) for the services' unit tests."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from microcred_shared.api_keys import ApiKeyRecord


class InMemoryApiKeyStore:
    def __init__(self) -> None:
        self.records: dict[str, ApiKeyRecord] = {}

    async def add(self, record: ApiKeyRecord) -> None:
        assert record.key_hash not in self.records
        self.records[record.key_hash] = record

    async def by_hash(self, key_hash: str) -> ApiKeyRecord | None:
        return self.records.get(key_hash)

    async def of_provider(self, provider_id: str) -> list[ApiKeyRecord]:
        return [r for r in self.records.values() if r.provider_id == provider_id]

    async def mark_revoked(self, key_hash: str, at: datetime) -> ApiKeyRecord | None:
        record = self.records.get(key_hash)
        if record is None or not record.active:
            return None
        self.records[key_hash] = replace(record, revoked_at=at)
        return self.records[key_hash]
