"""Reads for the HTTP API (no decisions here)."""

from __future__ import annotations

from typing import Any

from ..domain.credentials import EU_CONTEXT, OB_CONTEXT, VC_CONTEXT, achievement_document
from ..domain.records import IssuedCredential
from .ports import CatalogueView, Credentials
from .urls import IssuerUrls


class CredentialQueries:
    def __init__(
        self, credentials: Credentials, catalogue: CatalogueView, urls: IssuerUrls
    ) -> None:
        self._credentials = credentials
        self._catalogue = catalogue
        self._urls = urls

    async def credential(self, credential_id: str) -> IssuedCredential | None:
        return await self._credentials.get(credential_id)

    async def achievement(self, achievement_id: str) -> dict[str, Any] | None:
        """The OB 3.0 ``Achievement`` a credential's ``achievement.id`` names (resolvable)."""
        achievement = await self._catalogue.achievement(achievement_id)
        if achievement is None:
            return None
        document = achievement_document(achievement, self._urls.achievement(achievement_id))
        return {"@context": [VC_CONTEXT, OB_CONTEXT, EU_CONTEXT], **document}
