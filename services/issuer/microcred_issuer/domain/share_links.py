"""A share link: an unguessable token naming one of a learner's credentials, which shows it to
whoever holds the link until the learner withdraws it."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, replace
from datetime import datetime

# 32 random bytes: as hard to guess as a signing key.
SHARE_TOKEN_BYTES = 32


@dataclass(frozen=True)
class ShareLink:
    share_id: str
    credential_id: str
    learner_ref: str
    created_at: datetime
    withdrawn_at: datetime | None = None

    @property
    def active(self) -> bool:
        return self.withdrawn_at is None

    def withdrawn(self, at: datetime) -> ShareLink:
        """Withdrawn as of ``at``; a link withdrawn before keeps its first time."""
        return self if self.withdrawn_at else replace(self, withdrawn_at=at)


def new_share_link(credential_id: str, learner_ref: str, at: datetime) -> ShareLink:
    return ShareLink(secrets.token_urlsafe(SHARE_TOKEN_BYTES), credential_id, learner_ref, at)
