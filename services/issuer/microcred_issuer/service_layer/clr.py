"""A learner's Comprehensive Learner Record: the credentials they choose, bundled and signed by
the ecosystem's own did:web (its keyring kept beside the providers', ``CLR_ISSUER_ID``)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from microcred_shared.openbadges import CLR_ISSUER_ID, validate_clr_credential

from ..domain.clr import build_clr
from ..domain.errors import ClrSelectionInvalid, CredentialNotFound, InvalidCredential
from ..domain.keyring import Keyring
from .keys import KeyHandlers
from .ports import Clock, Credentials, KeyVault, Signer

MAX_CLR_CREDENTIALS = 50


class ClrIssuance:
    def __init__(
        self,
        *,
        credentials: Credentials,
        keys: KeyHandlers,
        vault: KeyVault,
        signer: Signer,
        clock: Clock,
    ) -> None:
        self._credentials = credentials
        self._keys = keys
        self._vault = vault
        self._signer = signer
        self._clock = clock

    async def platform_keyring(self) -> Keyring:
        """The ecosystem's own keyring, created and announced the first time it is needed."""
        return await self._keys.ensure(CLR_ISSUER_ID)

    async def issue(self, learner_ref: str, credential_ids: Sequence[str]) -> dict[str, Any]:
        """A signed ClrCredential of the learner's chosen credentials, in the order given."""
        chosen = list(dict.fromkeys(credential_ids))
        if not chosen or len(chosen) > MAX_CLR_CREDENTIALS:
            raise ClrSelectionInvalid(
                f"choose between 1 and {MAX_CLR_CREDENTIALS} of your credentials"
            )
        found = await self._credentials.get_many(chosen)
        # Someone else's credential reads as missing: a learner learns nothing of others'.
        missing = [i for i in chosen if i not in found or found[i].learner_ref != learner_ref]
        if missing:
            raise CredentialNotFound(f"you hold no credential {missing[0]!r}")
        credentials = [found[i] for i in chosen]
        revoked = [c.credential_id for c in credentials if c.status == "revoked"]
        if revoked:
            raise ClrSelectionInvalid(f"credential {revoked[0]!r} is revoked")
        keyring = await self.platform_keyring()
        now = self._clock.now()
        document = build_clr(
            clr_id=f"urn:uuid:{uuid.uuid4()}",
            issuer_did=keyring.did,
            credentials=credentials,
            issued_at=now,
        )
        signed = self._signer.sign(document, self._vault.signing_key(keyring), now)
        errors = validate_clr_credential(signed)
        if errors:
            raise InvalidCredential("; ".join(str(error) for error in errors[:5]))
        return signed
