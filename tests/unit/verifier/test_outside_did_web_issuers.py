"""A did:web issuer outside this ecosystem: its DID document is fetched through the safe fetcher
when fetching is allowed; when it cannot be had, its key could not be checked and the verdict
is unknown, never "not verified"."""

from __future__ import annotations

import json
from typing import Any

from conftest import NOW, ONEEDTECH, RECEIVED, load, provider
from microcred_shared.crypto import Ed25519Multikey, keys_from_document, sign
from microcred_verifier.adapters.fetcher import SafeFetcher
from microcred_verifier.adapters.status_lists import InMemoryStatusLists
from microcred_verifier.domain.model import CheckName, CheckStatus, Verdict
from microcred_verifier.domain.verification import VerificationReport
from microcred_verifier.service_layer.gather import KnowledgeGatherer
from microcred_verifier.service_layer.intake import present
from microcred_verifier.service_layer.issuer_keys import DidWebDocuments
from microcred_verifier.service_layer.ports import Fetcher
from microcred_verifier.service_layer.status_gather import StatusGatherer
from microcred_verifier.service_layer.verify import VerifyCredential, VerifyHandler
from verifier_fakes import MemoryProjections, ScriptedFetcher

OUTSIDE = "did:web:badges.outside.example:issuers:7"
DID_URL = "https://badges.outside.example/issuers/7/did.json"
KEY = Ed25519Multikey.from_seed(bytes(range(32)), controller=OUTSIDE, key_id=f"{OUTSIDE}#key-1")


def credential(key: Ed25519Multikey = KEY, issuer: str = OUTSIDE) -> dict[str, Any]:
    document = load(ONEEDTECH / "simple.json")
    document.pop("proof")
    document["issuer"] = {"id": issuer, "type": ["Profile"], "name": "Outside Academy"}
    return sign(document, key)


def did_document(*keys: Ed25519Multikey, did: str = OUTSIDE) -> bytes:
    methods = [key.to_document(context=False) for key in keys]
    document = {
        "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
        "id": did,
        "verificationMethod": methods,
        "assertionMethod": [m["id"] for m in methods],
    }
    return json.dumps(document).encode()


async def verify(
    document: dict[str, Any],
    fetcher: Fetcher | None,
    projections: MemoryProjections | None = None,
) -> VerificationReport:
    projections = projections or MemoryProjections(received_at=RECEIVED)
    status = StatusGatherer(InMemoryStatusLists(), projections, fetcher, max_depth=64)
    gatherer = KnowledgeGatherer(projections, status, None, DidWebDocuments(fetcher, 64))
    handler = VerifyHandler(gatherer, fetcher, None, max_depth=64, clock=lambda: NOW)
    try:
        return (await handler(VerifyCredential(present(document, 64)))).report
    finally:
        await handler.close()


async def test_its_did_document_is_fetched_and_the_signature_checked_against_it() -> None:
    fetcher = ScriptedFetcher({DID_URL: did_document(KEY)})
    report = await verify(credential(), fetcher)
    assert fetcher.asked == [DID_URL]
    assert report.check(CheckName.ISSUER_KEY).status is CheckStatus.PASSED
    assert report.check(CheckName.PROOF).status is CheckStatus.PASSED
    # Authentic, and still not a provider of this ecosystem.
    assert report.verdict is Verdict.UNKNOWN
    assert report.headline == "Authentic signature, but this issuer is not a recognised provider."


async def test_a_document_that_cannot_be_fetched_leaves_the_key_unchecked_and_the_verdict_unknown() -> (
    None
):
    report = await verify(credential(), ScriptedFetcher())
    key = report.check(CheckName.ISSUER_KEY)
    assert key.status is CheckStatus.SKIPPED
    assert key.conclusive is False
    assert "ConnectError" in key.reason
    assert report.verdict is Verdict.UNKNOWN
    assert report.headline.startswith("Unknown: the signature could not be checked, because")
    assert report.failed_checks == []


async def test_with_fetching_disabled_the_key_could_not_be_checked() -> None:
    report = await verify(credential(), None)
    assert report.verdict is Verdict.UNKNOWN
    assert "fetching DID documents is disabled here" in report.check(CheckName.ISSUER_KEY).reason


async def test_a_document_served_for_another_did_is_not_taken_as_the_issuers() -> None:
    fetcher = ScriptedFetcher({DID_URL: did_document(KEY, did="did:web:elsewhere.example")})
    report = await verify(credential(), fetcher)
    assert report.verdict is Verdict.UNKNOWN
    assert "does not serve the DID document of" in report.check(CheckName.ISSUER_KEY).reason


async def test_a_key_its_own_document_does_not_list_is_refused() -> None:
    """The document was had, and it does not name the signing key: a definite answer."""
    other = Ed25519Multikey.from_seed(bytes(range(1, 33)), controller=OUTSIDE)
    fetcher = ScriptedFetcher({DID_URL: did_document(other)})
    report = await verify(credential(), fetcher)
    assert report.verdict is Verdict.NOT_VERIFIED
    assert report.check(CheckName.ISSUER_KEY).status is CheckStatus.FAILED


async def test_the_safe_fetcher_refuses_a_did_web_on_a_private_address_and_the_verdict_is_unknown() -> (
    None
):
    internal = "did:web:10.0.0.7:issuers:1"
    key = Ed25519Multikey.from_seed(bytes(range(32)), controller=internal)
    report = await verify(credential(key, internal), SafeFetcher(allow_private=False))
    assert report.verdict is Verdict.UNKNOWN
    assert "non-public address" in report.check(CheckName.ISSUER_KEY).reason


async def test_only_the_issuers_own_did_is_fetched() -> None:
    """A proof naming someone else's did:web is the wrong key whatever that document says."""
    stranger = Ed25519Multikey.from_seed(bytes(range(32)), controller="did:web:stranger.example")
    fetcher = ScriptedFetcher({DID_URL: did_document(KEY)})
    report = await verify(credential(stranger, OUTSIDE), fetcher)
    assert fetcher.asked == []
    assert report.verdict is Verdict.NOT_VERIFIED
    assert report.check(CheckName.ISSUER_KEY).status is CheckStatus.FAILED


async def test_an_issuer_this_ecosystem_hosts_is_resolved_from_the_projection_never_fetched() -> (
    None
):
    hosted = provider(OUTSIDE)
    projections = MemoryProjections(
        providers=[hosted],
        keys={OUTSIDE: keys_from_document(json.loads(did_document(KEY)))},
        received_at=RECEIVED,
    )
    fetcher = ScriptedFetcher()
    report = await verify(credential(), fetcher, projections)
    assert fetcher.asked == []
    assert report.check(CheckName.PROOF).status is CheckStatus.PASSED
    assert report.check(CheckName.ISSUER_TRUST).status is CheckStatus.PASSED


async def test_keys_this_ecosystem_publishes_for_a_provider_missing_from_the_registry() -> None:
    projections = MemoryProjections(
        keys={OUTSIDE: keys_from_document(json.loads(did_document(KEY)))}, received_at=RECEIVED
    )
    report = await verify(credential(), ScriptedFetcher(), projections)
    assert report.verdict is Verdict.UNKNOWN
    assert report.headline == (
        "Authentic signature, but its issuer's provider is not in the provider registry."
    )
