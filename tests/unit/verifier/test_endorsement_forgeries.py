"""The endorsement check, and the forgery corpus grown to endorsements.

An issuer that embeds an endorsement signs over it, so a credential tampered with afterwards
fails its own proof. What the endorsement check catches is the issuer embedding one it should
not: any field of a genuine endorsement changed (and the credential re-signed), the endorsement's
proof swapped for another's, the endorser swapped (re-signed by someone the registry does not
know), an endorsement about another achievement, one its partner withdrew. Each leaves the
credential authentic, so the verdict is ``verified_with_warnings``: never ``verified``, never an
endorsement silently accepted.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
from conftest import NOW, ONEEDTECH, load, provider, registered_knowledge
from microcred_shared.crypto import DidKeyResolver, Ed25519Multikey
from microcred_shared.openbadges import validate_endorsement_credential
from microcred_verifier.domain.knowledge import Knowledge, ProviderFacts, StatusEvidence
from microcred_verifier.domain.model import CheckName, CheckStatus, Freshness, Verdict
from microcred_verifier.domain.verification import (
    Presented,
    VerificationReport,
    verify_credential,
)

from tests.reliability import mutations as m
from tests.support import signed_status_list

SUITE = "eddsa-jcs-2022"  # both suites are the proof check's business; JCS keeps this fast
ISSUER = Ed25519Multikey.from_seed(bytes(range(32)))
PARTNER = Ed25519Multikey.from_seed(bytes(range(2, 34)))
STRANGER = Ed25519Multikey.from_seed(bytes(range(3, 35)))
LIST_URL = "https://issuer.test/status-lists/kessler.revocation.1"
INDEX = 41
ACHIEVEMENT = "https://1edtech.edu/achievements/degree"


def endorsement(about: str = ACHIEVEMENT, *, key: Ed25519Multikey = PARTNER) -> dict[str, Any]:
    document = {
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
        ],
        "id": f"https://issuer.test/endorsements/{about.rsplit('/', 1)[-1]}",
        "type": ["VerifiableCredential", "EndorsementCredential"],
        "name": "Kessler Automation endorses the degree",
        "issuer": {"id": key.controller, "type": ["Profile"], "name": "Kessler Automation"},
        "validFrom": "2025-06-01T00:00:00Z",
        "credentialSubject": {
            "id": about,
            "type": ["EndorsementSubject"],
            "endorsementComment": "Co-designed with our engineers; we hire its graduates.",
        },
        "credentialStatus": {
            "id": f"{LIST_URL}#{INDEX}",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": str(INDEX),
            "statusListCredential": LIST_URL,
        },
    }
    return m.signed_by(document, key, SUITE)


def credential_carrying(*endorsements: dict[str, Any]) -> dict[str, Any]:
    """The 1EdTech complete credential, issued by ISSUER, embedding only ``endorsements``."""
    document = load(ONEEDTECH / "complete.json")
    for name in ("proof", "credentialStatus", "endorsement"):
        document.pop(name, None)
    document["issuer"]["id"] = ISSUER.controller
    document["issuer"].pop("endorsement", None)
    achievement = document["credentialSubject"]["achievement"]
    achievement.get("creator", {}).pop("endorsement", None)
    achievement["endorsement"] = list(endorsements)
    return m.signed_by(document, ISSUER, SUITE)


def partner(trust: str = "trusted") -> ProviderFacts:
    facts = provider(PARTNER.controller, name="Kessler Automation", trust=trust)
    return ProviderFacts(
        **{**{f: getattr(facts, f) for f in facts.__slots__}, "provider_id": "kessler"}
    )


def endorser_knowledge(endorser: ProviderFacts | None, withdrawn: bool = False) -> Knowledge:
    status_list = signed_status_list(LIST_URL, PARTNER, [INDEX] if withdrawn else [])
    return Knowledge(
        resolver=DidKeyResolver(),
        keys_freshness=Freshness("issuer_keys projection"),
        online=True,
        provider=endorser,
        status={0: StatusEvidence(list_credential=status_list)},
    )


def verify(
    document: dict[str, Any],
    endorser: ProviderFacts | None = None,
    *,
    withdrawn: bool = False,
) -> VerificationReport:
    knowledge = registered_knowledge(document)
    count = len(document["credentialSubject"]["achievement"].get("endorsement", []))
    gathered = [endorser_knowledge(endorser, withdrawn) for _ in range(count)]
    knowledge = Knowledge(**{**vars_of(knowledge), "endorsements": gathered})
    return verify_credential(Presented(document), knowledge, now=NOW)


def vars_of(knowledge: Knowledge) -> dict[str, Any]:
    return {name: getattr(knowledge, name) for name in knowledge.__dataclass_fields__}


def endorsement_check(report: VerificationReport) -> Any:
    return report.check(CheckName.ENDORSEMENTS)


def test_a_genuine_endorsement_of_a_known_partner_leaves_the_credential_verified() -> None:
    genuine = endorsement()
    assert validate_endorsement_credential(genuine) == []

    report = verify(credential_carrying(genuine), partner())

    assert report.verdict is Verdict.VERIFIED, report.to_dict()
    check = endorsement_check(report)
    assert check.status is CheckStatus.PASSED
    [listed] = check.details["endorsements"]
    assert listed["status"] == "verified"
    assert listed["endorser_name"] == "Kessler Automation"
    assert listed["comment"].startswith("Co-designed")


def test_a_credential_without_endorsements_reports_the_check_as_not_needed() -> None:
    report = verify(credential_carrying(), partner())

    assert report.verdict is Verdict.VERIFIED
    assert endorsement_check(report).status is CheckStatus.SKIPPED
    assert not endorsement_check(report).not_made


def _field_forgeries() -> list[m.Path]:
    genuine = endorsement()
    return [path for path in m.leaves(genuine) if path[0] != "proof"]


@pytest.mark.parametrize("path", _field_forgeries(), ids=m.render)
def test_any_field_of_an_endorsement_changed_is_a_warning_never_verified(path: m.Path) -> None:
    forged = m.set_at(endorsement(), path, m.altered(m.get(endorsement(), path)))

    report = verify(credential_carrying(forged), partner())

    assert report.check(CheckName.PROOF).status is CheckStatus.PASSED  # the issuer re-signed
    # A context or type the credential cannot be read with (an undefined term, a type the
    # official schema refuses) fails the credential's own format or schema check: stricter.
    assert report.verdict in (Verdict.VERIFIED_WITH_WARNINGS, Verdict.NOT_VERIFIED)
    if report.verdict is Verdict.NOT_VERIFIED:
        document_checks = (report.check(CheckName.FORMAT), report.check(CheckName.SCHEMA))
        assert CheckStatus.FAILED in [check.status for check in document_checks]
    else:
        assert endorsement_check(report).status is CheckStatus.WARNING, m.render(path)


def test_an_endorsement_with_another_endorsements_proof_is_a_warning() -> None:
    other = endorsement("https://1edtech.edu/achievements/another")
    swapped = m.with_proofs(endorsement(), other["proof"])

    report = verify(credential_carrying(swapped), partner())

    assert endorsement_check(report).status is CheckStatus.WARNING
    assert "signature" in endorsement_check(report).reason
    assert report.verdict is Verdict.VERIFIED_WITH_WARNINGS


def test_an_endorser_swapped_for_one_the_registry_does_not_know_is_a_warning() -> None:
    # Honestly signed by a stranger under its own did:key: authentic, but no known partner.
    stranger = endorsement(key=STRANGER)
    # The partner's name and profile kept, the stranger's signature under the partner's DID.
    posing = m.signed_by(
        endorsement(), STRANGER, SUITE, verification_method=f"{PARTNER.controller}#x"
    )

    unknown = verify(credential_carrying(stranger), None)
    impostor = verify(credential_carrying(posing), partner())

    assert "not a partner the registry knows" in endorsement_check(unknown).reason
    assert endorsement_check(impostor).status is CheckStatus.WARNING
    assert unknown.verdict is impostor.verdict is Verdict.VERIFIED_WITH_WARNINGS


def test_an_endorsement_of_another_achievement_is_a_warning() -> None:
    elsewhere = endorsement("https://1edtech.edu/achievements/another")

    report = verify(credential_carrying(elsewhere), partner())

    assert "not this credential's achievement" in endorsement_check(report).reason
    assert report.verdict is Verdict.VERIFIED_WITH_WARNINGS


def test_a_withdrawn_endorsement_or_a_suspended_endorser_is_a_warning() -> None:
    document = credential_carrying(endorsement())

    withdrawn = verify(document, partner(), withdrawn=True)
    suspended = verify(document, partner("suspended"))

    [listed] = endorsement_check(withdrawn).details["endorsements"]
    assert listed["status"] == "withdrawn"
    assert "withdrawn by its endorser" in endorsement_check(withdrawn).reason
    assert "suspended" in endorsement_check(suspended).reason
    assert withdrawn.verdict is suspended.verdict is Verdict.VERIFIED_WITH_WARNINGS


def test_an_embedded_endorsement_tampered_after_issuance_breaks_the_credentials_proof() -> None:
    document = copy.deepcopy(credential_carrying(endorsement()))
    embedded = document["credentialSubject"]["achievement"]["endorsement"][0]
    embedded["credentialSubject"]["endorsementComment"] = "Never heard of them."

    report = verify(document, partner())

    assert report.verdict is Verdict.NOT_VERIFIED
    assert report.check(CheckName.PROOF).status is CheckStatus.FAILED


def test_offline_an_endorsement_is_never_taken_for_the_endorsers_word() -> None:
    from conftest import offline_knowledge

    document = credential_carrying(endorsement())
    report = verify_credential(Presented(document), offline_knowledge(DidKeyResolver()), now=NOW)

    assert endorsement_check(report).status is CheckStatus.WARNING
    assert "offline" in endorsement_check(report).reason
