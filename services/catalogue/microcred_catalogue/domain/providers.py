"""Providers: who may publish courses and issue credentials, and whether they are trusted."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from .achievements import ProviderFacts

API_KEY_PREFIX = "mcp_"


class ProviderType(StrEnum):
    UNIVERSITY = "university"
    VET = "vet"
    PRIVATE = "private"
    COMPANY = "company"


class Trust(StrEnum):
    TRUSTED = "trusted"
    SUSPENDED = "suspended"
    PENDING = "pending"


@dataclass(frozen=True)
class Accreditation:
    status: str  # accredited | not_accredited | pending
    body: str | None = None
    reference: str | None = None


@dataclass(frozen=True)
class Provider:
    provider_id: str
    version: int
    name: str
    provider_type: ProviderType
    country: str
    region: str | None
    website: str | None
    accreditation: Accreditation
    trust: Trust
    issuer_dids: tuple[str, ...]
    updated_at: datetime

    @property
    def may_publish(self) -> bool:
        return self.trust is not Trust.SUSPENDED

    def facts(self) -> ProviderFacts:
        accredited = self.accreditation.status == "accredited"
        body = self.accreditation.body or "a recognised quality assurance body"
        return ProviderFacts(
            provider_id=self.provider_id,
            provider_type=self.provider_type.value,
            country=self.country,
            quality_assurance=f"accredited by {body}" if accredited else None,
        )

    def changed(self, at: datetime, **fields: object) -> Provider:
        return replace(self, version=self.version + 1, updated_at=at, **fields)  # type: ignore[arg-type]
