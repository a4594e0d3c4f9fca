"""Credentials of a multilingual achievement: OB 3.0's strings in the primary language, every
language in the EU context's language maps, still valid against the official OB 3.0 schema."""

from __future__ import annotations

from datetime import date
from typing import Any

from microcred_issuer.service_layer.commands import IssueCompletion
from microcred_shared.crypto import reference_rdfc
from microcred_shared.crypto.loader import default_loader
from microcred_shared.openbadges.schema import validate_achievement_credential

from tests.unit.issuer.fakes import World
from tests.unit.issuer.http_app import issuer_client
from tests.unit.issuer.trilingual import TRILINGUAL

EU_V1 = "https://microcred.example/contexts/eu-microcredential/v1"
EU_V2 = "https://microcred.example/contexts/eu-microcredential/v2"


async def trilingual_credential(suite: str = "eddsa-rdfc-2022") -> dict[str, Any]:
    world = World(suite=suite)
    await world.add_provider("uni-a")
    await world.add_achievement("uni-a:SPS-3", "uni-a", **TRILINGUAL)
    issued = await world.handlers.completions.issue(
        IssueCompletion("c-1", "uni-a", "uni-a:SPS-3", date(2025, 6, 3), "ada@example.org")
    )
    return world.credentials.stored[issued.credential_id].document


async def test_the_credential_keeps_the_primary_language_in_ob_fields_and_carries_all_three() -> (
    None
):
    credential = await trilingual_credential()

    achievement = credential["credentialSubject"]["achievement"]
    assert credential["@context"][-1] == EU_V2
    assert achievement["name"] == "PLC programming"
    assert achievement["criteria"] == {"narrative": "Practical project with an oral defence."}
    assert achievement["textLanguage"] == "en"
    assert achievement["nameTranslations"] == {
        "en": "PLC programming",
        "de": "Grundlagen der SPS-Programmierung",
        "fr": "Programmation des automates",
    }
    assert sorted(achievement["descriptionTranslations"]) == ["de", "en", "fr"]
    assert sorted(achievement["criteriaTranslations"]) == ["de", "en"]  # no French criteria
    assert achievement["learningOutcomesTranslations"]["fr"] == ["Écrire du texte structuré « ST »"]


async def test_the_trilingual_credential_is_valid_against_the_official_ob_schema() -> None:
    for suite in ("eddsa-rdfc-2022", "eddsa-jcs-2022"):
        credential = await trilingual_credential(suite)

        assert validate_achievement_credential(credential) == []


async def test_each_translation_is_a_language_tagged_statement_of_the_signed_dataset() -> None:
    credential = await trilingual_credential()
    unsecured = {key: value for key, value in credential.items() if key != "proof"}

    nquads = reference_rdfc(unsecured)

    vocab = "https://microcred.example/vocab/eu-microcredential#"
    assert f'<{vocab}nameTranslations> "Grundlagen der SPS-Programmierung"@de .' in nquads
    assert f'<{vocab}learningOutcomesTranslations> "Écrire du texte' in nquads
    assert f'<{vocab}textLanguage> "en" .' in nquads


async def test_both_versions_of_the_eu_context_are_served_and_known_offline() -> None:
    world = World()
    async with issuer_client(world) as http:
        v1 = await http.get("/contexts/eu-microcredential/v1")
        v2 = await http.get("/contexts/eu-microcredential/v2")
        v3 = await http.get("/contexts/eu-microcredential/v3")

    assert v1.json() == default_loader().get(EU_V1)
    assert v2.json() == default_loader().get(EU_V2)
    assert "nameTranslations" not in v1.json()["@context"]
    assert v2.json()["@context"]["nameTranslations"]["@container"] == "@language"
    assert v3.status_code == 404
    v1_terms = v1.json()["@context"].items()
    assert all(v2.json()["@context"][term] == meaning for term, meaning in v1_terms)


async def test_the_credential_page_in_french_reads_the_french_texts_and_date() -> None:
    world = World()
    await world.add_provider("uni-a")
    await world.add_achievement("uni-a:SPS-3", "uni-a", **TRILINGUAL)
    issued = await world.handlers.completions.issue(
        IssueCompletion("c-1", "uni-a", "uni-a:SPS-3", date(2025, 6, 3), "ada@example.org")
    )
    async with issuer_client(world) as http:
        page = f"/credentials/{issued.credential_id}/page"
        french = await http.get(page, params={"lang": "fr"})
        http.cookies.clear()  # the switch was remembered; Accept-Language decides again
        german = await http.get(page, headers={"Accept-Language": "de-DE,de;q=0.9"})

    assert '<h1 lang="fr">Programmation des automates</h1>' in french.text
    assert "Écrire du texte structuré « ST »" in french.text
    assert "Practical project with an oral defence." in french.text  # no French criteria
    assert "Délivrée le" in french.text
    issued_on = french.text.split('id="issued-on">', 1)[1].split("<", 1)[0]
    assert issued_on.endswith("2025")
    assert any(month in issued_on for month in ("juin", "juillet", "décembre"))
    assert '<h1 lang="de">Grundlagen der SPS-Programmierung</h1>' in german.text
    assert "Ausgestellt am" in german.text
