"""Providers: who may publish courses and issue credentials, and whether they are trusted."""

from __future__ import annotations

import hashlib
import hmac
import secrets
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
    api_key_sha256: str
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


def new_api_key() -> tuple[str, str]:
    """(key shown once to the provider, its SHA-256 kept at rest).

    256 random bits make a salted slow hash unnecessary: nobody can brute-force the preimage,
    and a plain digest lets us find the provider by key with an index lookup.
    """
    key = API_KEY_PREFIX + secrets.token_urlsafe(32)
    return key, hash_api_key(key)


def hash_api_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def key_matches(key: str, stored_sha256: str) -> bool:
    # Constant-time: the comparison must not tell an attacker how much of a digest matched.
    return hmac.compare_digest(hash_api_key(key), stored_sha256)
