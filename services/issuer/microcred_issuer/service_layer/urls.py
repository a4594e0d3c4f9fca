"""The public addresses the issuer names in credentials and events."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote, urlencode

from microcred_shared.crypto import url_to_did_web
from microcred_shared.events.contracts.credentials import CredentialLinks


@dataclass(frozen=True)
class IssuerUrls:
    base_url: str
    pages_url: str

    def credential(self, credential_id: str) -> str:
        return f"{self.base_url}/credentials/{credential_id}"

    def page(self, credential_id: str) -> str:
        return f"{self.pages_url}/credentials/{credential_id}/page"

    def links(self, credential_id: str) -> CredentialLinks:
        """Where an event tells holders and universities to fetch the credential."""
        return CredentialLinks(
            json_url=self.credential(credential_id), page_url=self.page(credential_id)
        )

    def wallet_link(self, token: str) -> str:
        """Where an e-mailed wallet link lands (it trades the token for a session)."""
        return f"{self.pages_url}/wallet/open?{urlencode({'token': token})}"

    def wallet(self) -> str:
        return f"{self.pages_url}/wallet"

    def achievement(self, achievement_id: str) -> str:
        return f"{self.base_url}/achievements/{quote(achievement_id, safe='')}"

    def endorsement(self, endorsement_id: str) -> str:
        return f"{self.base_url}/endorsements/{endorsement_id}"

    def status_list(self, list_id: str) -> str:
        return f"{self.base_url}/status-lists/{list_id}"

    def did_document(self, provider_id: str) -> str:
        return f"{self.base_url}/issuers/{quote(provider_id, safe='')}/did.json"

    def did(self, provider_id: str) -> str:
        """``did:web:<host>%3A<port>:issuers:<provider_id>``."""
        return url_to_did_web(self.did_document(provider_id))
