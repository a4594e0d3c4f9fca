"""The Open Badges API's resources (OB 3.0 § 6.2): a learner's credentials and profile, read
and written by a client the learner authorised.

``getCredentials`` lists what this issuer issued to the learner and what the learner stored
here from elsewhere (``upsertCredential``). A credential is stored only when it is a valid
AchievementCredential about this learner whose proof verifies.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

import anyio.to_thread
from microcred_shared.crypto import DidKeyResolver
from microcred_shared.crypto.dates import parse_datetime
from microcred_shared.crypto.verification import verify_proofs
from microcred_shared.openbadges.schema import (
    PROFILE_SCHEMA,
    validate_achievement_credential,
    validate_against,
)

from ..domain.errors import IssuerError
from ..domain.identity import normalise_email
from .ports import Credentials, KeyVault

OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"


class InvalidObData(IssuerError):
    code = "ob_invalid_data"


class NotTheLearners(IssuerError):
    """A credential about someone else: a learner's wallet holds only their own."""

    code = "ob_not_the_learners"


class CredentialNotVerified(IssuerError):
    code = "ob_credential_not_verified"


@dataclass(frozen=True)
class HeldCredential:
    """A credential issued elsewhere that the learner stored in their wallet here."""

    learner_ref: str
    credential_id: str
    issued_at: datetime
    document: dict[str, Any]


class ObResources(Protocol):
    async def held(self, learner_ref: str) -> list[HeldCredential]: ...
    async def put_held(self, credential: HeldCredential) -> bool:
        """Store or replace it; True when it was new."""
        ...

    async def profile(self, learner_ref: str) -> dict[str, Any] | None: ...
    async def put_profile(self, learner_ref: str, profile: dict[str, Any]) -> None: ...


@dataclass(frozen=True)
class CredentialsPage:
    credentials: list[dict[str, Any]]
    total: int


class ObApi:
    def __init__(self, credentials: Credentials, resources: ObResources, vault: KeyVault) -> None:
        self._credentials = credentials
        self._resources = resources
        self._vault = vault

    async def credentials(
        self, learner_ref: str, *, limit: int | None, offset: int, since: datetime | None
    ) -> CredentialsPage:
        """One page of the learner's credentials, oldest first (stable across pages)."""
        issued = await self._credentials.of_learner(learner_ref)
        stored = await self._resources.held(learner_ref)
        own = [(c.issued_at, c.credential_id, c.document) for c in issued]
        held = [(h.issued_at, h.credential_id, h.document) for h in stored]
        every = sorted(own + held, key=lambda item: (item[0], item[1]))
        if since is not None:
            every = [item for item in every if item[0] > since]
        end = len(every) if limit is None else offset + limit
        return CredentialsPage([doc for _, _, doc in every[offset:end]], len(every))

    async def upsert(self, learner_ref: str, document: Any) -> bool:
        """Store a credential in the learner's wallet; True if it was not there yet."""
        if not isinstance(document, dict):
            raise InvalidObData("the body must be an AchievementCredential (a JSON object)")
        if await self._issued_here(learner_ref, document):
            return False  # a wallet handing back what we issued the learner: already listed
        errors = validate_achievement_credential(document)
        if errors:
            raise InvalidObData(f"not an AchievementCredential: {errors[0]}")
        if not await self._is_about(learner_ref, document.get("credentialSubject") or {}):
            raise NotTheLearners("the credential's subject is not the authorised learner")
        # Canonicalisation is CPU work: off the event loop.
        result = await anyio.to_thread.run_sync(verify_proofs, document, DidKeyResolver())
        if not result.verified:
            raise CredentialNotVerified(f"the credential's proof does not verify: {result.reason}")
        if issuer_id(document) not in result.controllers:
            raise CredentialNotVerified("the credential is not signed by a key of its issuer")
        issued_at = parse_datetime(str(document.get("validFrom")))
        held = HeldCredential(learner_ref, str(document.get("id")), issued_at, document)
        return await self._resources.put_held(held)

    async def profile(self, learner_ref: str) -> dict[str, Any]:
        stored = await self._resources.profile(learner_ref)
        return stored or {
            "@context": [OB_CONTEXT],
            "type": ["Profile"],
            "id": profile_id(learner_ref),
        }

    async def put_profile(self, learner_ref: str, document: Any) -> dict[str, Any]:
        if not isinstance(document, dict):
            raise InvalidObData("the body must be a Profile (a JSON object)")
        errors = validate_against(PROFILE_SCHEMA, document)
        if errors:
            raise InvalidObData(f"not a Profile: {errors[0]}")
        if document.get("id") != profile_id(learner_ref):
            raise InvalidObData("a learner's profile keeps the id getProfile gave it")
        await self._resources.put_profile(learner_ref, document)
        return document

    async def _issued_here(self, learner_ref: str, document: dict[str, Any]) -> bool:
        own = await self._credentials.of_learner(learner_ref)
        return any(credential.document == document for credential in own)

    async def _is_about(self, learner_ref: str, subject: Any) -> bool:
        if not isinstance(subject, dict):
            return False
        if learner_ref.startswith("did:"):
            return subject.get("id") == learner_ref
        email = await self._email_of(learner_ref)
        return email is not None and names_email(subject, email)

    async def _email_of(self, learner_ref: str) -> str | None:
        """The learner's address, sealed with the credentials issued to it here."""
        for credential in await self._credentials.of_learner(learner_ref):
            if credential.sealed_email:
                return self._vault.unseal_text(credential.sealed_email)
        return None


def profile_id(learner_ref: str) -> str:
    """The learner's profile id: their DID, else a URN of their identity hash (no e-mail)."""
    if learner_ref.startswith("did:"):
        return learner_ref
    return "urn:microcred:learner:" + learner_ref.replace("$", ":")


def issuer_id(document: dict[str, Any]) -> str | None:
    issuer = document.get("issuer")
    return str(issuer.get("id")) if isinstance(issuer, dict) else issuer and str(issuer)


def names_email(subject: dict[str, Any], email: str) -> bool:
    """Whether an AchievementSubject's e-mail identifier is this address (OB 3.0 IdentityObject:
    in clear, or ``sha256$`` of address + salt)."""
    address = normalise_email(email)
    for identity in subject.get("identifier") or []:
        if not isinstance(identity, dict) or identity.get("identityType") != "emailAddress":
            continue
        stated = str(identity.get("identityHash", ""))
        if not identity.get("hashed"):
            if hmac.compare_digest(normalise_email(stated), address):
                return True
            continue
        salt = str(identity.get("salt") or "")
        digest = "sha256$" + hashlib.sha256((address + salt).encode()).hexdigest()
        if hmac.compare_digest(stated.lower(), digest):
            return True
    return False
