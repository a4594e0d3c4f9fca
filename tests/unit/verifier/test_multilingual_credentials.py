"""Issue 15: a credential carrying its achievement's texts in three languages (EU context v2)
verifies, one under the v1 context still does, and a changed translation breaks the proof."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from conftest import NOW, ONEEDTECH, load, registered_knowledge
from microcred_shared.crypto import Ed25519Multikey, sign
from microcred_shared.crypto.errors import ProofError
from microcred_verifier.domain.model import CheckName, CheckStatus, Verdict
from microcred_verifier.domain.verification import Presented, verify_credential

KEY = Ed25519Multikey.generate()
EU = "https://microcred.example/contexts/eu-microcredential/"
TEXTS = {
    "textLanguage": "en",
    "nameTranslations": {"en": "PLC programming", "de": "SPS-Programmierung", "fr": "Automates"},
    "descriptionTranslations": {"en": "Controllers.", "de": "Steuerungen.", "fr": "Automates."},
    "learningOutcomesTranslations": {"de": ["Text schreiben", "Zelle prüfen"], "fr": "Écrire"},
}


def credential(version: str, **achievement_terms: Any) -> dict[str, Any]:
    document = load(ONEEDTECH / "simple.json")
    document.pop("proof")
    document["@context"] = [*document["@context"], EU + version]
    document["issuer"] = {"id": KEY.controller, "type": ["Profile"], "name": "Example Corp"}
    document["credentialSubject"]["achievement"].update(
        {"name": "PLC programming", "eqfLevel": 5, **achievement_terms}
    )
    return sign(document, KEY)  # eddsa-rdfc-2022: the translations are signed as RDF


def status_of(document: dict[str, Any], check: CheckName) -> CheckStatus:
    report = verify_credential(Presented(document), registered_knowledge(document), now=NOW)
    return next(c.status for c in report.checks if c.name is check)


def verdict_of(document: dict[str, Any]) -> Verdict:
    return verify_credential(Presented(document), registered_knowledge(document), now=NOW).verdict


def test_a_credential_in_three_languages_under_the_v2_context_verifies() -> None:
    assert verdict_of(credential("v2", **TEXTS)) is Verdict.VERIFIED


def test_a_credential_under_the_v1_context_still_verifies() -> None:
    assert verdict_of(credential("v1")) is Verdict.VERIFIED


def test_the_new_terms_are_undefined_under_v1_so_safe_mode_refuses_to_sign_them() -> None:
    with pytest.raises(ProofError, match="term 'nameTranslations' is not defined"):
        credential("v1", **TEXTS)  # signing refuses a term its contexts do not define


@pytest.mark.parametrize(
    "change",
    [
        lambda a: a["nameTranslations"].update(de="Gefälscht"),
        lambda a: a["learningOutcomesTranslations"]["de"].append("Mehr"),
        lambda a: a.update(textLanguage="de"),
    ],
    ids=["a German name", "a German outcome added", "the primary language"],
)
def test_a_changed_translation_breaks_the_proof(change: Any) -> None:
    forged = copy.deepcopy(credential("v2", **TEXTS))
    change(forged["credentialSubject"]["achievement"])

    assert status_of(forged, CheckName.PROOF) is CheckStatus.FAILED
    assert verdict_of(forged) is not Verdict.VERIFIED
