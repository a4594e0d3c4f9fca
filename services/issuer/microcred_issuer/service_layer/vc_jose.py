"""The VC-JOSE form of an issued credential (``application/vc+jwt``): the same credential as
the payload of a compact JWS, signed on request with its provider's current key."""

from __future__ import annotations

from microcred_shared.crypto.vc_jose import sign_vc_jwt

from ..domain.errors import VcJoseUnavailable
from ..domain.records import IssuedCredential
from .keys import KeyHandlers
from .ports import Clock, KeyVault


class VcJoseForms:
    def __init__(self, keys: KeyHandlers, vault: KeyVault, clock: Clock) -> None:
        self._keys = keys
        self._vault = vault
        self._clock = clock

    async def token(self, credential: IssuedCredential) -> str:
        """Signed now (``iat``) by the key the provider signs with now, under the DID that
        issued the credential; a rotation under the same DID keeps it available."""
        keyring = await self._keys.ensure(credential.provider_id)
        if keyring.did != credential.issuer_did:
            raise VcJoseUnavailable(
                f"the credential was issued by {credential.issuer_did}; its provider now signs "
                f"as {keyring.did}, so only its Data Integrity form is the issuer's"
            )
        key = self._vault.signing_key(keyring)
        return sign_vc_jwt(credential.document, key, issued_at=self._clock.now())
