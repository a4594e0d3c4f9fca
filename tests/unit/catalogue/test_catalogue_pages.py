"""The catalogue's pages on fakes: browse, achievement, pathway graph, provider dashboard."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from microcred_catalogue.domain.demand import DemandDimension, DemandRow
from microcred_catalogue.service_layer import commands

from tests.unit.catalogue.fakes import FakeDemand, World
from tests.unit.catalogue.http_app import catalogue_app
from tests.unit.catalogue.test_catalogue_issuance import issued, status
from tests.unit.catalogue.test_catalogue_pathway_handlers import save, world_with_courses


class MonthlyDemand(FakeDemand):
    """Aggregation is the database's job; the page only needs rows to draw."""

    async def counts(self, by: DemandDimension, **filters: Any) -> list[DemandRow]:
        assert by is DemandDimension.MONTH
        if filters["provider_id"] != "uni":
            return []
        return [DemandRow(None, "2026-04", 3, 3), DemandRow(None, "2026-05", 7, 6)]


@pytest.fixture
async def world() -> World:
    world = await world_with_courses()
    await world.pathways.save(save("uni"))
    for credential_id in ("c-1", "c-2", "c-3"):
        await world.issuance.record_issued(issued(credential_id, "uni:math"))
    await world.issuance.record_status(status("c-2", "revoked", 1, "uni:math"))
    return world


ADMIN_TOKEN = "unit-catalogue-admin-token-0123"


def pages_app(world: World) -> FastAPI:
    """The public pages and the dashboard pages, wired as bootstrap wires them."""
    return catalogue_app(world, ADMIN_TOKEN, MonthlyDemand())


@pytest.fixture
async def http(world: World) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=pages_app(world))
    async with httpx.AsyncClient(transport=transport, base_url="http://catalogue") as client:
        yield client


async def key_of(world: World, provider_id: str) -> str:
    rotated = await world.provider_handlers.rotate_key(commands.RotateApiKey(provider_id))
    return rotated.api_key


async def signed_in(http: httpx.AsyncClient, key: str, provider: str = "") -> httpx.Response:
    return await http.post("/sign-in", data={"api_key": key, "provider": provider})


def is_html(response: httpx.Response) -> bool:
    return response.status_code == 200 and response.headers["content-type"].startswith("text/html")


def component(svg: str, achievement_id: str) -> str:
    found = re.search(
        rf'<g class="component ([a-z]*)" data-achievement="{achievement_id}">.*?</g>', svg
    )
    assert found, achievement_id
    return found.group(0)


async def test_the_browser_lists_everything_and_narrows_with_words_and_filters(
    http: httpx.AsyncClient,
) -> None:
    everything = await http.get("/")
    narrowed = await http.get("/", params={"q": "plc", "eqf": "", "ects_min": "1"})
    by_provider = await http.get("/", params={"provider": "academy"})

    assert is_html(everything)
    for achievement_id in ("uni%3Amath", "uni%3Acert", "vet%3Aplc", "academy%3Acad"):
        assert f"/achievements/{achievement_id}/page" in everything.text
    assert "4 results" in everything.text
    assert "1 result<" in narrowed.text
    assert "/achievements/vet%3Aplc/page" in narrowed.text
    assert "/achievements/academy%3Acad/page" in by_provider.text
    assert "vet%3Aplc" not in by_provider.text
    assert 'label for="q"' in everything.text


async def test_a_page_of_results_links_to_the_next(http: httpx.AsyncClient, world: World) -> None:
    app = catalogue_app(world, ADMIN_TOKEN, MonthlyDemand(), browse_page_size=2)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://c") as c:
        first = await c.get("/")
        link = re.search(r'href="(/\?[^"]*cursor=[^"]*)"', first.text)
        assert link
        second = await c.get(link.group(1).replace("&amp;", "&"))
    assert is_html(second)
    assert "2 results" in second.text


async def test_the_achievement_page_shows_its_eu_elements_score_and_missing_elements(
    http: httpx.AsyncClient,
) -> None:
    page = await http.get("/achievements/uni:math/page")

    assert is_html(page)
    assert "EU standard elements" in page.text
    assert "4 ECTS" in page.text
    assert re.search(r"\d+% complete", page.text)
    assert "<strong>mandatory:</strong> learning outcomes" in page.text
    assert "Stacks into" in page.text
    assert "/pathways/mechatronics/page" in page.text
    assert (await http.get("/achievements/nobody:x/page")).status_code == 404


async def test_the_pathway_graph_draws_the_target_and_nested_rules(
    http: httpx.AsyncClient,
) -> None:
    svg = await http.get("/pathways/mechatronics/graph.svg")

    assert svg.status_code == 200
    assert svg.headers["content-type"].startswith("image/svg+xml")
    assert "Target: cert" in svg.text
    assert 'class="rule all_of"' in svg.text
    assert "At least 6 ECTS from these" in svg.text
    assert "MISSING" not in svg.text  # no learner given: nothing is marked
    assert component(svg.text, "vet:plc")


async def test_the_graph_marks_a_learners_components_done_or_missing_in_words_and_shape(
    http: httpx.AsyncClient,
) -> None:
    svg = (
        await http.get("/pathways/mechatronics/graph.svg", params={"held": "uni:math,vet:plc"})
    ).text

    math, cad = component(svg, "uni:math"), component(svg, "academy:cad")
    assert 'class="component done"' in math
    assert "✓ DONE" in math
    assert "stroke-dasharray" not in math
    assert 'class="component missing"' in cad
    assert "✗ MISSING" in cad
    assert "stroke-dasharray" in cad
    assert "✗ not met: 2 ECTS short" in svg
    assert "not yet earned" in svg


async def test_the_pathway_page_embeds_the_graph_and_says_what_is_missing(
    http: httpx.AsyncClient,
) -> None:
    page = await http.get("/pathways/mechatronics/page", params={"held": "uni:math"})
    complete = await http.get(
        "/pathways/mechatronics/page", params={"held": "uni:math,vet:plc,academy:cad"}
    )

    assert is_html(page)
    assert "<svg" in page.text
    assert "Not complete yet" in page.text
    assert re.search(r"Missing \(any of these helps\):</strong> (plc, cad|cad, plc)", page.text)
    assert "Complete: the target is earned" in complete.text
    assert (await http.get("/pathways/nope/page")).status_code == 404


async def test_the_dashboard_lists_the_providers_achievements_and_charts_verifications(
    http: httpx.AsyncClient, world: World
) -> None:
    signing_in = await signed_in(http, await key_of(world, "uni"))
    assert signing_in.status_code == 303
    assert signing_in.headers["location"] == "/providers/uni/dashboard"

    page = await http.get("/providers/uni/dashboard")

    assert is_html(page)
    assert page.headers["cache-control"] == "no-store"
    assert '<dd data-figure="issued">3</dd>' in page.text
    assert '<dd data-figure="revoked">1</dd>' in page.text
    math_row = re.search(r'uni%3Amath/page">.*?</tr>', page.text, re.S)
    assert math_row
    assert "<td>3</td><td>1</td>" in math_row.group(0)
    assert "/achievements/uni%3Amath/page" in page.text
    assert "/achievements/vet%3Aplc/page" not in page.text
    assert "Employer verifications per month" in page.text
    # The provider's own figures are exact: small counts are withheld only from the public.
    assert re.search(r"<td>2026-04</td><td>3</td>", page.text)
    assert re.search(r"<td>2026-05</td><td>7</td>", page.text)
    bars = re.findall(r'<g class="bar">', page.text)
    assert len(bars) == 2


async def test_the_dashboard_without_a_session_asks_for_the_key_and_sign_in_sets_a_strict_cookie(
    http: httpx.AsyncClient, world: World
) -> None:
    page = await http.get("/providers/uni/dashboard")
    assert page.status_code == 401
    assert 'action="/sign-in"' in page.text
    assert '<dd data-figure="issued">' not in page.text
    refused = await signed_in(http, "mc_not-a-key", "uni")
    assert refused.status_code == 401
    assert "set-cookie" not in refused.headers

    accepted = await signed_in(http, await key_of(world, "uni"))
    cookie = accepted.headers["set-cookie"]
    assert cookie.startswith("microcred_dashboard=")
    assert "HttpOnly" in cookie
    assert "SameSite=strict" in cookie
    assert "Max-Age=1800" in cookie
    signed_out = await http.post("/sign-out")
    assert signed_out.status_code == 303
    assert (await http.get("/providers/uni/dashboard")).status_code == 401


async def test_another_providers_session_or_key_is_refused_and_the_admin_sees_any_dashboard(
    http: httpx.AsyncClient, world: World
) -> None:
    vet_key = await key_of(world, "vet")
    by_key = await http.get(
        "/providers/uni/dashboard", headers={"Authorization": f"Bearer {vet_key}"}
    )
    assert by_key.status_code == 403
    await signed_in(http, vet_key)
    by_session = await http.get("/providers/uni/dashboard")
    assert by_session.status_code == 403
    assert '<dd data-figure="issued">' not in by_session.text
    assert (await http.get("/providers/vet/dashboard")).status_code == 200

    await signed_in(http, ADMIN_TOKEN, "uni")
    assert is_html(await http.get("/providers/uni/dashboard"))
    assert (await http.get("/providers/nobody/dashboard")).status_code == 404


async def test_rotating_the_providers_key_ends_the_sessions_it_opened(
    http: httpx.AsyncClient, world: World
) -> None:
    await signed_in(http, await key_of(world, "uni"))
    assert (await http.get("/providers/uni/dashboard")).status_code == 200
    await key_of(world, "uni")  # rotated: the old key, and its session, stop working
    assert (await http.get("/providers/uni/dashboard")).status_code == 401


async def test_a_session_expires(http: httpx.AsyncClient, world: World) -> None:
    await signed_in(http, await key_of(world, "uni"))
    world.clock.now += timedelta(minutes=31)
    assert (await http.get("/providers/uni/dashboard")).status_code == 401


async def test_the_pathway_sign_in_and_dashboard_pages_read_in_german(
    http: httpx.AsyncClient, world: World
) -> None:
    german = {"Accept-Language": "de-DE,de;q=0.9"}
    pathway = await http.get(
        "/pathways/mechatronics/page", params={"held": "uni:math"}, headers=german
    )
    refused = await http.post(
        "/sign-in", data={"api_key": "mc_not-a-key", "provider": "uni"}, headers=german
    )
    await signed_in(http, await key_of(world, "uni"))
    dashboard = await http.get("/providers/uni/dashboard", headers=german)

    assert "Noch nicht vollständig" in pathway.text
    assert "<strong>Es fehlt (jeder dieser Bausteine hilft):</strong>" in pathway.text
    assert "Grafik als SVG öffnen" in pathway.text
    assert "Dieser Schlüssel ist ungültig." in refused.text
    assert '<label for="api_key">Ihr Anbieter-API-Schlüssel</label>' in refused.text
    assert '<h2 id="issuance">Ausgestellte Nachweise</h2>' in dashboard.text
    assert '<th scope="col">Fehlende Pflichtangaben</th>' in dashboard.text
    for english in ("Not complete yet", "Open the graph", "That key is not valid", "Sign in"):
        assert english not in pathway.text + refused.text
    assert "Credentials issued" not in dashboard.text


async def test_the_stylesheet_is_served(http: httpx.AsyncClient) -> None:
    css = await http.get("/assets/pages.css")
    assert css.headers["content-type"].startswith("text/css")
