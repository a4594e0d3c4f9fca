"""Kafka credentials the registry hands out: a principal per credential, never its password.

A provider writes its own inbound topics; a reader (a university) reads the announcement
topics it was granted. Each credential is its own principal, so rotating means issuing a new
one and revoking the old when the holder has switched, and revoking one never touches another.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum


class HolderKind(StrEnum):
    PROVIDER = "provider"
    READER = "reader"


@dataclass(frozen=True)
class Holder:
    kind: HolderKind
    holder_id: str


@dataclass(frozen=True)
class KafkaCredential:
    credential_id: str
    holder: Holder
    username: str
    write_topics: tuple[str, ...]
    read_topics: tuple[str, ...]
    consumer_group_prefix: str
    created_at: datetime
    revoked_at: datetime | None = None

    @property
    def active(self) -> bool:
        return self.revoked_at is None

    def revoked(self, at: datetime) -> KafkaCredential:
        return self if self.revoked_at else replace(self, revoked_at=at)


def new_credential_id() -> str:
    """Short and unguessable enough to name a principal; not a secret."""
    return "kc" + secrets.token_hex(6)
