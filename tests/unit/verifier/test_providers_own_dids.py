"""Providers of this ecosystem that sign under a DID of their own choosing: a did:web on their
own domain is resolved from the keys announced on ``issuer.keys`` (no fetch), and a did:key a
provider reported compromised is refused although the did:key alone would resolve."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from conftest import NOW, ONEEDTECH, RECEIVED, load, provider
from microcred_shared.crypto import Ed25519Multikey, sign
from microcred_shared.events.contracts.keys import IssuerKeysV2, VerificationMethodV2
from microcred_verifier.adapters.mapping import resolved_keys
from microcred_verifier.adapters.status_lists import InMemoryStatusLists
from microcred_verifier.domain.model import CheckName, CheckStatus, Verdict
from microcred_verifier.domain.verification import VerificationReport
from microcred_verifier.service_layer.gather import KnowledgeGatherer
from microcred_verifier.service_layer.intake import present
from microcred_verifier.service_layer.issuer_keys import DidWebDocuments
from microcred_verifier.service_layer.status_gather import StatusGatherer
from microcred_verifier.service_layer.verify import VerifyCredential, VerifyHandler
from verifier_fakes import MemoryProjections, ScriptedFetcher

OWN_DID = "did:web:uni.example"
SINCE = datetime(2025, 1, 1, tzinfo=UTC)


def credential(key: Ed25519Multikey) -> dict[str, Any]:
    document = load(ONEEDTECH / "simple.json")
    document.pop("proof")
    document["issuer"] = {"id": key.controller, "type": ["Profile"], "name": "Example Corp"}
    return sign(document, key)


def announced(key: Ed25519Multikey, *, revoked_at: datetime | None = None) -> dict[str, Any]:
    """The issuer.keys copy the verifier holds: the key under the DID it signs under."""
    event = IssuerKeysV2(
        provider_id="example-corp",
        did=key.controller,
        version=2,
        did_document={},
        updated_at=SINCE,
        verification_methods=[
            VerificationMethodV2(
                id=key.id,
                public_key_multibase=key.public_key_multibase,
                status="revoked" if revoked_at else "active",
                valid_from=SINCE,
                revoked_at=revoked_at,
            )
        ],
    )
    return event.model_dump(mode="json")


async def verify(
    document: dict[str, Any], projections: MemoryProjections, fetcher: ScriptedFetcher
) -> VerificationReport:
    status = StatusGatherer(InMemoryStatusLists(), projections, fetcher, max_depth=64)
    gatherer = KnowledgeGatherer(projections, status, None, DidWebDocuments(fetcher, 64))
    handler = VerifyHandler(gatherer, fetcher, None, max_depth=64, clock=lambda: NOW)
    try:
        return (await handler(VerifyCredential(present(document, 64)))).report
    finally:
        await handler.close()


async def test_a_providers_own_did_web_is_resolved_from_the_announced_keys_without_a_fetch() -> (
    None
):
    key = Ed25519Multikey.generate(controller=OWN_DID, key_id=f"{OWN_DID}#key-2")
    projections = MemoryProjections(
        providers=[provider(OWN_DID)],
        keys={OWN_DID: resolved_keys(announced(key))},
        received_at=RECEIVED,
    )
    fetcher = ScriptedFetcher()
    report = await verify(credential(key), projections, fetcher)
    assert fetcher.asked == []
    assert report.check(CheckName.ISSUER_KEY).status is CheckStatus.PASSED
    assert report.check(CheckName.PROOF).status is CheckStatus.PASSED
    assert report.check(CheckName.ISSUER_TRUST).status is CheckStatus.PASSED


async def test_a_did_web_no_provider_claims_is_not_trusted() -> None:
    key = Ed25519Multikey.generate(controller=OWN_DID, key_id=f"{OWN_DID}#key-2")
    projections = MemoryProjections(providers=[provider()], received_at=RECEIVED)
    fetcher = ScriptedFetcher()
    report = await verify(credential(key), projections, fetcher)
    assert report.verdict is not Verdict.VERIFIED
    assert report.check(CheckName.ISSUER_TRUST).status is not CheckStatus.PASSED


async def test_a_did_key_its_provider_reported_compromised_is_refused() -> None:
    key = Ed25519Multikey.generate()  # its own did:key
    did = key.controller
    compromised = resolved_keys(announced(key, revoked_at=SINCE))
    projections = MemoryProjections(
        providers=[provider(did)], keys={did: compromised}, received_at=RECEIVED
    )
    report = await verify(credential(key), projections, ScriptedFetcher())
    assert report.verdict is Verdict.NOT_VERIFIED
    assert "reported compromised" in report.check(CheckName.ISSUER_KEY).reason

    trusted = MemoryProjections(providers=[provider(did)], received_at=RECEIVED)
    still = await verify(credential(key), trusted, ScriptedFetcher())
    assert still.check(CheckName.ISSUER_KEY).status is CheckStatus.PASSED
