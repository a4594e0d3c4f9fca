"""Reads for the HTTP API (no decisions here)."""

from __future__ import annotations

from ..domain.records import IssuedCredential
from .ports import Credentials


class CredentialQueries:
    def __init__(self, credentials: Credentials) -> None:
        self._credentials = credentials

    async def credential(self, credential_id: str) -> IssuedCredential | None:
        return await self._credentials.get(credential_id)

    async def of_learner(self, learner_ref: str) -> list[IssuedCredential]:
        return await self._credentials.of_learner(learner_ref)
