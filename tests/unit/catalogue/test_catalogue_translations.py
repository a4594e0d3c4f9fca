"""Multilingual achievements: BCP 47 tags, completeness per language, search in any language."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from microcred_catalogue.adapters.documents import achievement_document, achievement_from
from microcred_catalogue.adapters.memory_search import MemorySearchIndex
from microcred_catalogue.domain.search import SearchQuery
from microcred_catalogue.service_layer import errors

from tests.unit.catalogue.fakes import FakeDemand, World
from tests.unit.catalogue.http_app import catalogue_app
from tests.unit.catalogue.test_catalogue_course_handlers import (
    course_event,
    ingest,
    world_with_provider,
)

GERMAN = {
    "name": "Grundlagen der SPS-Programmierung",
    "description": "Industriesteuerungen nach IEC 61131-3 programmieren.",
    "criteria": "Praktisches Projekt mit mündlicher Prüfung.",
    "learning_outcomes": ["Strukturierten Text schreiben", "Eine Zelle in Betrieb nehmen"],
}
FRENCH = {
    "name": "Programmation des automates",
    "description": "Programmer des automates industriels selon la CEI 61131-3.",
    "learning_outcomes": ["Écrire du texte structuré"],
}
ENGLISH = {
    "name": "PLC programming",
    "description": "Programme industrial controllers to IEC 61131-3.",
    "criteria": "Practical project with an oral defence.",
    "learning_outcomes": ["Write structured text", "Commission a cell"],
}


def trilingual(**overrides: Any) -> dict[str, Any]:
    return {
        **ENGLISH,
        "primary_language": "en",
        "translations": {"de": GERMAN, "fr": FRENCH},
        **overrides,
    }


async def test_a_course_in_three_languages_is_stored_with_each_and_published_with_each() -> None:
    world = await world_with_provider()

    await ingest(world, course_event(**trilingual()))

    stored = world.achievements.stored["uni-a:PLC-1"].definition
    assert stored.primary_language == "en"
    assert stored.translations["de"].name == "Grundlagen der SPS-Programmierung"
    [event] = world.achievements.events
    assert event.data.primary_language == "en"
    assert sorted(event.data.translations) == ["de", "fr"]
    assert event.data.translations["fr"].learning_outcomes == ["Écrire du texte structuré"]


async def test_completeness_per_language_names_the_fields_each_language_lacks() -> None:
    world = await world_with_provider()

    await ingest(world, course_event(**trilingual()))

    [event] = world.achievements.events
    assert event.data.missing_by_language == {
        "en": [],
        "de": [],
        "fr": ["criteria", "learning_outcomes"],
    }


async def test_language_tags_are_canonicalised_and_invalid_ones_refused_with_their_field() -> None:
    world = await world_with_provider()

    await ingest(world, course_event(**trilingual(translations={"DE_ch": GERMAN})))
    assert list(world.achievements.stored["uni-a:PLC-1"].definition.translations) == ["de-CH"]

    with pytest.raises(errors.NotNormalisable) as refused:
        await ingest(
            world, course_event(2, "changed", **trilingual(translations={"xx-zz": GERMAN}))
        )
    assert refused.value.errors == [
        {"field": "translations.xx-zz", "error": "'xx-zz' is not a valid BCP 47 language tag"}
    ]


async def test_a_translation_into_the_primary_language_or_without_one_is_refused() -> None:
    world = await world_with_provider()

    with pytest.raises(errors.NotNormalisable) as same:
        await ingest(world, course_event(**trilingual(translations={"en": GERMAN})))
    with pytest.raises(errors.NotNormalisable) as without:
        await ingest(world, course_event(translations={"de": GERMAN}))

    assert [e["field"] for e in same.value.errors] == ["translations.en"]
    assert without.value.errors == [
        {"field": "primary_language", "error": "required with translations"}
    ]


async def test_the_primary_language_defaults_to_the_first_language_of_instruction() -> None:
    world = await world_with_provider()

    await ingest(world, course_event(languages=["Deutsch", "en"]))

    assert world.achievements.stored["uni-a:PLC-1"].definition.primary_language == "de"


async def test_the_stored_document_keeps_every_translation() -> None:
    world = await world_with_provider()
    await ingest(world, course_event(**trilingual()))
    achievement = world.achievements.stored["uni-a:PLC-1"]

    document = {"_id": achievement.achievement_id, **achievement_document(achievement)}

    assert achievement_from(document) == achievement


async def test_a_german_word_finds_the_course_and_a_language_filter_keeps_it() -> None:
    world = await world_with_provider()
    await ingest(world, course_event(**trilingual()))
    projection = world.projection

    def found(**query: Any) -> list[str]:
        return [a.achievement_id for a in projection.search(SearchQuery(**query)).items]

    assert found(text="Grundlagen") == ["uni-a:PLC-1"]
    assert found(text="automates industriels") == ["uni-a:PLC-1"]
    assert found(text="plc", text_languages=("de",)) == ["uni-a:PLC-1"]
    assert found(text="plc", text_languages=("it",)) == []


async def test_the_projection_rebuilt_from_the_event_finds_it_in_every_language() -> None:
    world = await world_with_provider()
    await ingest(world, course_event(**trilingual(translations={"de-CH": GERMAN})))
    rebuilt = MemorySearchIndex()
    [event] = world.achievements.events

    rebuilt.add_event(event.data)

    by_german = rebuilt.search(SearchQuery(text="Grundlagen", text_languages=("de",)))
    assert [a.achievement_id for a in by_german.items] == ["uni-a:PLC-1"]


@pytest.fixture
async def world() -> World:
    world = await world_with_provider()
    await ingest(world, course_event(**trilingual()))
    return world


@pytest.fixture
async def http(world: World) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(
        app=catalogue_app(world, "unit-admin-token-0123456", FakeDemand())
    )
    async with httpx.AsyncClient(transport=transport, base_url="http://catalogue") as client:
        yield client


async def test_the_search_api_finds_a_german_word_and_filters_by_lang(
    http: httpx.AsyncClient,
) -> None:
    german = await http.get("/achievements", params={"q": "SPS-Programmierung", "lang": "de"})
    italian = await http.get("/achievements", params={"q": "SPS-Programmierung", "lang": "it"})

    [hit] = german.json()["items"]
    assert hit["translations"]["de"]["name"] == "Grundlagen der SPS-Programmierung"
    assert hit["missing_by_language"]["fr"] == ["criteria", "learning_outcomes"]
    assert italian.json()["items"] == []


async def test_the_achievement_page_in_french_shows_the_french_text_and_a_french_date(
    http: httpx.AsyncClient,
) -> None:
    page = await http.get("/achievements/uni-a%3APLC-1/page", params={"lang": "fr"})

    assert '<html lang="fr">' in page.text
    assert '<h1 lang="fr">Programmation des automates</h1>' in page.text
    assert "Acquis d’apprentissage" in page.text  # the interface, from the gettext catalogue
    assert "Écrire du texte structuré" in page.text
    assert "Practical project with an oral defence." in page.text  # no French criteria
    assert "Mise à jour le 1 juin 2026" in page.text
    assert "microcred_lang=fr" in page.headers["set-cookie"]


async def test_the_remembered_language_then_accept_language_choose_the_page_language(
    http: httpx.AsyncClient,
) -> None:
    path = "/achievements/uni-a%3APLC-1/page"
    german = await http.get(path, headers={"Accept-Language": "de-AT,de;q=0.9,en;q=0.5"})
    http.cookies.set("microcred_lang", "fr")
    remembered = await http.get(path, headers={"Accept-Language": "de"})

    assert '<h1 lang="de">Grundlagen der SPS-Programmierung</h1>' in german.text
    assert "Aktualisiert am 1. Juni 2026" in german.text
    assert "set-cookie" not in german.headers  # only a switch is remembered
    assert "Programmation des automates" in remembered.text


async def test_the_search_api_lang_filter_sets_no_cookie(http: httpx.AsyncClient) -> None:
    answer = await http.get("/achievements", params={"lang": "de"})

    assert "set-cookie" not in answer.headers


async def test_the_browse_page_filters_by_the_texts_language_and_lists_names_in_the_pages(
    http: httpx.AsyncClient,
) -> None:
    german = await http.get("/", params={"text_lang": "de", "lang": "de"})
    italian = await http.get("/", params={"text_lang": "it"})

    assert "Grundlagen der SPS-Programmierung</a>" in german.text
    assert "1 Ergebnis" in german.text
    assert "0 Ergebnisse" in italian.text  # in German: the switch was remembered
