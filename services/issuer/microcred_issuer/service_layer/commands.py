"""What callers ask of the issuer; HTTP routes and Kafka subscribers build the same commands."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from ..domain.credentials import EvidenceItem, ResultLine
from ..domain.records import StatusAction


@dataclass(frozen=True)
class IssueCompletion:
    """``acting_provider_id``: who asks (from the API key); None on the Kafka path, where the
    completion's own provider is trusted as the topic's producer."""

    # Kept out of repr (the provider's id may carry the learner's e-mail): a command that ends
    # up in an exception message or a log names no one.
    completion_id: str = field(repr=False)
    provider_id: str
    achievement_id: str
    completed_on: date
    learner_email: str | None = field(default=None, repr=False)
    learner_did: str | None = None
    learner_name: str | None = field(default=None, repr=False)
    results: Sequence[ResultLine] = ()
    evidence: Sequence[EvidenceItem] = ()
    acting_provider_id: str | None = None


@dataclass(frozen=True)
class ChangeStatus:
    credential_id: str
    acting_provider_id: str
    action: StatusAction
    reason: str | None = None


@dataclass(frozen=True)
class RotateKey:
    provider_id: str
    secret_key_multibase: str | None = None  # import this key instead of generating one
    did: str | None = None  # the DID the new key signs under (default: the current one)


PLATFORM_DID = "platform"  # the platform's did:web for the provider
DID_KEY = "did:key"  # the imported key's own did:key


@dataclass(frozen=True)
class ImportKey:
    """A provider's own signing key, with its signature of the challenge it was handed.

    ``key``: a Multikey document or a JWK (a mapping), or a PKCS#8 PEM (text); ``signature``:
    the challenge message's Ed25519 signature, multibase (base58btc, ``z…``)."""

    provider_id: str
    key: Mapping[str, Any] | str = field(repr=False)
    challenge: str
    signature: str
    did: str | None = None  # PLATFORM_DID, DID_KEY or a did:web; None: the current one


@dataclass(frozen=True)
class ReportKeyCompromise:
    """``fragment`` names the key (``key-1``); ``compromised_at`` None: as of now."""

    provider_id: str
    fragment: str
    compromised_at: datetime | None = None


@dataclass(frozen=True)
class RequestAccessLink:
    """Someone asks for a wallet link to be e-mailed to this address."""

    email: str
