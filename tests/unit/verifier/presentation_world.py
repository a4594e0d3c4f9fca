"""A verifier on fakes whose registry knows one trusted provider (a did:key issuer owning the
credential's achievement), and a holder it issues to: what the presentation tests, unit and
interop, share."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
from microcred_shared.crypto import Ed25519Multikey, sign
from microcred_verifier.adapters.mongo_challenges import MemoryPresentationChallenges
from microcred_verifier.adapters.status_lists import InMemoryStatusLists
from microcred_verifier.bootstrap import Adapters, create_app
from microcred_verifier.config import VerifierSettings
from microcred_verifier.domain.knowledge import AchievementFacts

from tests.unit.verifier.conftest import ONEEDTECH, RECEIVED, achievement_of, load, provider
from tests.unit.verifier.verifier_fakes import MemoryProjections

DOMAIN = "https://verifier.example"
ISSUER = Ed25519Multikey.generate()
HOLDER = Ed25519Multikey.generate()
ACHIEVEMENT_ID = load(ONEEDTECH / "simple.json")["credentialSubject"]["achievement"]["id"]


def credential(subject: str = HOLDER.controller) -> dict[str, Any]:
    """An OB 3.0 credential a registered provider issued to ``subject`` (a DID)."""
    document = load(ONEEDTECH / "simple.json")
    document.pop("proof")
    document["issuer"] = {"id": ISSUER.controller, "type": ["Profile"], "name": "Example Corp"}
    document["credentialSubject"]["id"] = subject
    return sign(document, ISSUER)


@dataclass
class RegistryProjections(MemoryProjections):
    """The issuer is a registered, trusted provider owning the credential's achievement."""

    async def achievement(self, achievement_id: str) -> AchievementFacts | None:
        owner = self.providers[0]
        return achievement_of(owner, achievement_id) if achievement_id == ACHIEVEMENT_ID else None


def verifier() -> httpx.AsyncClient:
    settings = VerifierSettings(
        publish_events=False, fetch_enabled=False, presentation_domain=DOMAIN
    )
    projections = RegistryProjections(providers=[provider(ISSUER.controller)], received_at=RECEIVED)
    app = create_app(
        settings,
        adapters=Adapters(
            projections=projections,
            status_lists=InMemoryStatusLists(),
            challenges=MemoryPresentationChallenges(),
        ),
    )
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://v")
