"""Endorsements in the catalogue, on fakes: the projection of the issuer's announcements (the
newest state wins), the search's endorser filter, the achievement page and the dashboard."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from microcred_catalogue.adapters.memory_endorsements import MemoryEndorsements
from microcred_shared.events.contracts.endorsements import EndorsementV1

from tests.unit.catalogue.fakes import World
from tests.unit.catalogue.http_app import catalogue_app
from tests.unit.catalogue.test_catalogue_pages import MonthlyDemand, key_of, signed_in
from tests.unit.catalogue.test_catalogue_pathway_handlers import world_with_courses

ADMIN = "unit-catalogue-admin-token-0123"


def announced(
    endorsement_id: str,
    target_id: str = "uni:math",
    *,
    status: str = "active",
    sequence: int = 1,
    endorser: str = "kessler",
    **changes: Any,
) -> EndorsementV1:
    fields: dict[str, Any] = {
        "endorsement_id": endorsement_id,
        "endorser_id": endorser,
        "endorser_name": f"{endorser.title()} Automation",
        "endorser_did": f"did:web:issuer.test:issuers:{endorser}",
        "target_kind": "achievement",
        "target_id": target_id,
        "target_provider_id": target_id.split(":")[0],
        "comment": "Co-designed with our PLC engineers.",
        "status": status,
        "sequence": sequence,
        "credential_url": f"http://issuer.test/endorsements/{endorsement_id}",
        "credential": {"id": f"http://issuer.test/endorsements/{endorsement_id}"},
        "issued_at": datetime(2026, 5, sequence, tzinfo=UTC),
        "withdrawn_at": datetime(2026, 6, 1, tzinfo=UTC) if status == "withdrawn" else None,
    }
    return EndorsementV1.model_validate(fields | changes)


@pytest.fixture
async def app() -> tuple[World, FastAPI]:
    world = await world_with_courses()
    return world, catalogue_app(world, ADMIN, MonthlyDemand())


@pytest.fixture
async def http(app: tuple[World, FastAPI]) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app[1])
    async with httpx.AsyncClient(transport=transport, base_url="http://catalogue") as client:
        yield client


def endorsements(app: tuple[World, FastAPI]) -> MemoryEndorsements:
    held: MemoryEndorsements = app[1].state.api.endorsements
    return held


def test_the_newest_state_of_an_endorsement_wins_and_a_late_older_one_changes_nothing() -> None:
    held = MemoryEndorsements()

    assert held.apply(announced("e-1", status="withdrawn", sequence=2))
    assert not held.apply(announced("e-1", sequence=1))

    [endorsement] = held.of_target("achievement", "uni:math")
    assert endorsement.status == "withdrawn"
    assert held.achievements_endorsed_by(["kessler"]) == frozenset()


async def test_search_filters_by_endorser_and_leaves_withdrawn_endorsements_out(
    app: tuple[World, FastAPI], http: httpx.AsyncClient
) -> None:
    held = endorsements(app)
    held.apply(announced("e-1", "uni:math"))
    held.apply(announced("e-2", "vet:plc", endorser="bosch"))
    held.apply(announced("e-3", "uni:cert"))
    held.apply(announced("e-3", "uni:cert", status="withdrawn", sequence=2))

    by_kessler = await http.get("/achievements", params={"endorser": "kessler"})
    by_either = await http.get(
        "/achievements", params=[("endorser", "kessler"), ("endorser", "bosch")]
    )
    by_nobody = await http.get("/achievements", params={"endorser": "nobody"})

    assert [a["achievement_id"] for a in by_kessler.json()["items"]] == ["uni:math"]
    assert sorted(a["achievement_id"] for a in by_either.json()["items"]) == ["uni:math", "vet:plc"]
    assert by_nobody.json()["items"] == []


async def test_the_achievement_page_lists_endorser_comment_date_and_status(
    app: tuple[World, FastAPI], http: httpx.AsyncClient
) -> None:
    held = endorsements(app)
    held.apply(announced("e-1", "uni:math"))
    held.apply(announced("e-2", "uni:math", endorser="bosch", status="withdrawn", sequence=2))

    page = await http.get("/achievements/uni:math/page")
    listed = await http.get("/achievements/uni:math/endorsements")
    unendorsed = await http.get("/achievements/vet:plc/page")

    assert page.status_code == 200
    assert "Kessler Automation" in page.text
    assert "Co-designed with our PLC engineers." in page.text
    assert "May 1, 2026" in page.text  # English writes the date its way
    assert 'data-endorsement="e-2" data-status="withdrawn"' in page.text
    assert [e["endorsement_id"] for e in listed.json()] == ["e-2", "e-1"]
    assert "No partner has endorsed it yet." in unendorsed.text


async def test_a_providers_dashboard_shows_the_endorsements_it_received(
    app: tuple[World, FastAPI], http: httpx.AsyncClient
) -> None:
    world = app[0]
    endorsements(app).apply(announced("e-1", "uni:math"))
    endorsements(app).apply(announced("e-2", "vet:plc"))

    await signed_in(http, await key_of(world, "uni"))
    dashboard = await http.get("/providers/uni/dashboard")

    assert dashboard.status_code == 200
    assert 'data-endorsement="e-1"' in dashboard.text
    assert 'data-endorsement="e-2"' not in dashboard.text


async def test_the_endorsements_read_in_french_on_the_page_and_in_german_on_the_dashboard(
    app: tuple[World, FastAPI], http: httpx.AsyncClient
) -> None:
    world = app[0]
    held = endorsements(app)
    held.apply(announced("e-1", "uni:math"))
    held.apply(announced("e-2", "uni:math", endorser="bosch", status="withdrawn", sequence=2))

    french = await http.get("/achievements/uni:math/page", params={"lang": "fr"})
    unendorsed = await http.get("/achievements/vet:plc/page", params={"lang": "fr"})
    await signed_in(http, await key_of(world, "uni"))
    german = await http.get("/providers/uni/dashboard", params={"lang": "de"})

    assert '<h2 id="endorsements">Recommandations</h2>' in french.text
    assert "1 mai 2026" in french.text
    assert "<strong>retirée le 1 juin 2026</strong>" in french.text
    assert ">recommandation signée</a>" in french.text
    assert "Aucun partenaire n’a encore émis de recommandation." in unendorsed.text
    shown = re.sub(r"<[^>]*>", " ", french.text)  # the text a reader sees, not the attributes
    for english in ("Endorsements", "withdrawn", "signed endorsement", "2026-05-01"):
        assert english not in shown
    assert "<strong>Kessler Automation</strong> empfiehlt <a href=" in german.text
    assert "1. Mai 2026 –" in german.text
    assert "gültig" in german.text


async def test_the_browse_page_filters_by_endorser_and_offers_the_endorsers_in_french(
    app: tuple[World, FastAPI], http: httpx.AsyncClient
) -> None:
    held = endorsements(app)
    held.apply(announced("e-1", "uni:math"))
    held.apply(announced("e-2", "vet:plc", endorser="bosch"))
    held.apply(announced("e-3", "uni:cert", endorser="zeiss"))
    held.apply(announced("e-3", "uni:cert", endorser="zeiss", status="withdrawn", sequence=2))

    by_kessler = await http.get("/", params={"endorser": "kessler", "lang": "fr"})
    everything = await http.get("/", params={"lang": "fr"})
    by_nobody = await http.get("/", params={"endorser": "nobody"})  # French remembered

    assert "/achievements/uni%3Amath/page" in by_kessler.text
    assert "/achievements/vet%3Aplc/page" not in by_kessler.text
    assert "/achievements/vet%3Aplc/page" in everything.text
    assert '<label for="endorser">Recommandée par</label>' in by_kessler.text
    assert '<option value="kessler" selected>Kessler Automation</option>' in by_kessler.text
    assert '<option value="bosch">Bosch Automation</option>' in by_kessler.text
    assert 'value="zeiss"' not in everything.text  # its only endorsement was withdrawn
    assert ">formation professionnelle</option>" in everything.text
    assert ">les plus récentes d’abord</option>" in everything.text
    assert '<h2 id="results">0 résultat</h2>' in by_nobody.text
    assert '<option value="nobody" selected>nobody</option>' in by_nobody.text
