"""What callers ask of the issuer; HTTP routes and Kafka subscribers build the same commands."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from ..domain.credentials import EvidenceItem, ResultLine
from ..domain.records import StatusAction


@dataclass(frozen=True)
class IssueCompletion:
    """``acting_provider_id``: who asks (from the API key); None on the Kafka path, where the
    completion's own provider is trusted as the topic's producer."""

    completion_id: str
    provider_id: str
    achievement_id: str
    completed_on: date
    learner_email: str | None = None
    learner_did: str | None = None
    learner_name: str | None = None
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


@dataclass(frozen=True)
class RequestAccessLink:
    """Someone asks for a wallet link to be e-mailed to this address."""

    email: str
