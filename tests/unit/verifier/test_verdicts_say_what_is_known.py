"""Issue 13: a verdict says exactly what is known. Only an authentic credential from a provider
the registry recognises is "verified"; every other issuer gets its own verdict and a headline
in plain words that never starts with "Verified"."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from conftest import (
    NOW,
    ONEEDTECH,
    all_active,
    load,
    offline_knowledge,
    online_knowledge,
    provider,
    registered_knowledge,
)
from microcred_shared.crypto import DidKeyResolver, Ed25519Multikey, StaticKeyResolver, sign
from microcred_verifier.domain.knowledge import Knowledge
from microcred_verifier.domain.model import CheckName, CheckStatus, Verdict
from microcred_verifier.domain.verification import (
    Presented,
    VerificationReport,
    verify_credential,
)

SELF_MADE = Ed25519Multikey.generate()  # a did:key made a moment ago, known to no registry
REAL_PROVIDER = provider("did:web:issuer.example:providers:example-corp", name="Example Corp")


def credential(key: Ed25519Multikey = SELF_MADE, name: str = "Example Corp") -> dict[str, Any]:
    document = load(ONEEDTECH / "simple.json")
    document.pop("proof")
    document["issuer"] = {"id": key.controller, "type": ["Profile"], "name": name}
    return sign(document, key)


def verify(document: dict[str, Any], knowledge: Knowledge) -> VerificationReport:
    return verify_credential(Presented(document), knowledge, now=NOW)


def _unregistered(**known: Any) -> Knowledge:
    return online_knowledge(DidKeyResolver(), status=all_active(credential()), **known)


# scenario → (knowledge of the self-made did:key credential, verdict, a headline fragment)
SCENARIOS: dict[str, tuple[Callable[[dict[str, Any]], Knowledge], Verdict, str]] = {
    "a registered, trusted, accredited provider": (
        registered_knowledge,
        Verdict.VERIFIED,
        "Verified: authentic, current, from a recognised provider",
    ),
    "a trusted provider not accredited": (
        lambda doc: registered_knowledge(doc, accreditation="pending"),
        Verdict.VERIFIED_WITH_WARNINGS,
        "Verified, with warnings: authentic and from a recognised provider",
    ),
    "a registered provider not yet trusted": (
        lambda doc: registered_knowledge(doc, trust="pending"),
        Verdict.UNKNOWN,
        "Authentic signature, but its issuer, Example Corp, is a registered provider not yet "
        "trusted.",
    ),
    "a suspended provider": (
        lambda doc: registered_knowledge(doc, trust="suspended"),
        Verdict.NOT_VERIFIED,
        "Not verified: its issuer, Example Corp, is a suspended provider.",
    ),
    "an issuer DID claimed by no provider": (
        lambda doc: _unregistered(),
        Verdict.UNKNOWN,
        "Authentic signature, but this issuer is not a recognised provider.",
    ),
    "a registered provider's name with another key (impersonation)": (
        lambda doc: _unregistered(name_taken_from=REAL_PROVIDER),
        Verdict.NOT_VERIFIED,
        "Not verified: its issuer uses the name of Example Corp, a registered provider, but is "
        "not that provider.",
    ),
    "a DID this ecosystem hosts whose provider is not in the registry": (
        lambda doc: _unregistered(issuer_hosted_here=True),
        Verdict.UNKNOWN,
        "Authentic signature, but its issuer's provider is not in the provider registry",
    ),
    "a provider registry not received yet": (
        lambda doc: online_knowledge(DidKeyResolver(), registry_received=False),
        Verdict.UNKNOWN,
        "Authentic signature, but the provider registry is not available yet.",
    ),
    "no registry at all (offline)": (
        lambda doc: offline_knowledge(DidKeyResolver()),
        Verdict.UNKNOWN,
        "Authentic signature, but the issuer could not be looked up in the provider registry "
        "(offline)",
    ),
}


@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_each_kind_of_issuer_gets_its_own_verdict_and_headline(scenario: str) -> None:
    knowledge_of, verdict, words = SCENARIOS[scenario]
    document = credential()
    report = verify(document, knowledge_of(document))
    assert report.check(CheckName.PROOF).status is CheckStatus.PASSED
    assert report.verdict is verdict, report.to_dict()
    assert report.headline.startswith(words), report.headline
    verified = verdict in (Verdict.VERIFIED, Verdict.VERIFIED_WITH_WARNINGS)
    assert report.headline.startswith("Verified") is verified


def test_a_credential_signed_by_a_self_made_did_key_is_unknown_not_verified() -> None:
    """What the issue must show."""
    report = verify(credential(), _unregistered())
    assert report.verdict is Verdict.UNKNOWN
    assert report.headline == "Authentic signature, but this issuer is not a recognised provider."
    trust = report.check(CheckName.ISSUER_TRUST)
    assert trust.conclusive is False
    assert SELF_MADE.controller in trust.reason
    assert report.to_dict()["headline"] == report.headline


def test_offline_the_report_names_every_check_it_could_not_make_and_why() -> None:
    document = load(ONEEDTECH / "bit-string-list" / "credential-status-revoked.json")
    report = verify(document, offline_knowledge())
    not_checked = report.to_dict()["not_checked"]
    assert [c["name"] for c in not_checked] == ["status", "issuer_trust", "entitlement"]
    assert all(c["reason"].startswith("offline: ") for c in not_checked)
    assert report.verdict is Verdict.UNKNOWN
    assert "its revocation status could not be checked (offline)" in report.headline


def test_an_unknown_verdict_names_the_issuer_first_then_what_else_is_open() -> None:
    document = load(ONEEDTECH / "bit-string-list" / "credential-status-revoked.json")
    knowledge = online_knowledge(status={})  # its status list was never looked up
    report = verify(document, knowledge)
    assert report.verdict is Verdict.UNKNOWN
    assert report.headline.startswith(
        "Authentic signature, but this issuer is not a recognised provider; its revocation"
    )


# --- a did:web issuer whose DID document could not be obtained -----------------------------

OUTSIDE = "did:web:badges.outside.example:issuers:7"
OUTSIDE_KEY = Ed25519Multikey.from_seed(bytes(range(32)), controller=OUTSIDE)


def test_a_did_web_issuer_whose_document_cannot_be_had_is_unknown_never_not_verified() -> None:
    document = credential(OUTSIDE_KEY, name="Outside Academy")
    knowledge = online_knowledge(
        DidKeyResolver(), unresolved_dids={OUTSIDE: "its DID document was not obtained: timeout"}
    )
    report = verify(document, knowledge)
    assert report.verdict is Verdict.UNKNOWN
    key = report.check(CheckName.ISSUER_KEY)
    assert key.not_made
    assert "its DID document was not obtained: timeout" in key.reason
    assert report.check(CheckName.PROOF).not_made
    assert report.headline == (
        "Unknown: the signature could not be checked, because the issuer's DID document could "
        "not be obtained."
    )
    assert {c["name"] for c in report.to_dict()["not_checked"]} >= {"issuer_key", "proof"}


def test_a_key_of_another_did_is_not_the_issuers_even_when_that_document_was_not_obtained() -> None:
    elsewhere = Ed25519Multikey.from_seed(bytes(range(32)), controller="did:web:elsewhere.example")
    document = credential(OUTSIDE_KEY, name="Outside Academy")
    document = sign({k: v for k, v in document.items() if k != "proof"}, elsewhere)
    knowledge = online_knowledge(
        DidKeyResolver(), unresolved_dids={"did:web:elsewhere.example": "unreachable"}
    )
    report = verify(document, knowledge)
    assert report.verdict is Verdict.NOT_VERIFIED
    assert report.check(CheckName.ISSUER_KEY).status is CheckStatus.FAILED


def test_a_did_web_issuer_whose_document_was_had_is_judged_on_its_keys() -> None:
    document = credential(OUTSIDE_KEY, name="Outside Academy")
    resolver = StaticKeyResolver.from_documents(
        {
            "id": OUTSIDE,
            "verificationMethod": [OUTSIDE_KEY.to_document(context=False)],
            "assertionMethod": [OUTSIDE_KEY.id],
        }
    )
    report = verify(document, online_knowledge(resolver))
    assert report.check(CheckName.ISSUER_KEY).status is CheckStatus.PASSED
    assert report.check(CheckName.PROOF).status is CheckStatus.PASSED
    assert report.verdict is Verdict.UNKNOWN  # authentic, but not a recognised provider
    assert report.headline == "Authentic signature, but this issuer is not a recognised provider."


def test_an_impersonators_headline_names_the_impersonation_before_any_other_failure() -> None:
    document = credential(name="Example Corp")
    document = sign(
        {
            **{k: v for k, v in document.items() if k != "proof"},
            "validUntil": "2020-01-01T00:00:00Z",
        },
        SELF_MADE,
    )
    report = verify(document, _unregistered(name_taken_from=REAL_PROVIDER))
    assert report.failed_checks == ["validity", "issuer_trust"]
    assert report.headline.startswith("Not verified: its issuer uses the name of Example Corp")
