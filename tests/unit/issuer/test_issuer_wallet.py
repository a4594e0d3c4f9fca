"""The wallet on fakes: where each credential leads, downloads, share links that can be
withdrawn (410 after), the CLR button; the share-link API answers only its learner."""

import logging
from collections.abc import AsyncIterator
from datetime import timedelta

import httpx
import pytest
from microcred_issuer.entrypoints.access_log import RedactLinkTokens
from microcred_issuer.entrypoints.learner_auth import SESSION_COOKIE
from microcred_issuer.service_layer.learner_access import SESSION_PURPOSE
from microcred_shared.access_tokens import PurposeTokens
from microcred_shared.openbadges import validate_clr_credential

from tests.unit.issuer.fakes import BASE_URL, LEARNER_ACCESS_KEY, World
from tests.unit.issuer.http_app import issuer_client
from tests.unit.issuer.test_issuer_clr import ADA
from tests.unit.issuer.test_issuer_stacking import complete, stacking_world

SESSIONS = PurposeTokens(LEARNER_ACCESS_KEY, SESSION_PURPOSE, timedelta(hours=1))


@pytest.fixture
async def world() -> World:
    """Ada holds two of the three components of the mechatronics certificate."""
    world = await stacking_world()
    await complete(world, "uni-a", "uni-a:MECH-1")
    await complete(world, "college-b", "college-b:HYD-1")
    return world


@pytest.fixture
async def wallet(world: World) -> AsyncIterator[httpx.AsyncClient]:
    """A browser with Ada's wallet session."""
    async with issuer_client(world) as http:
        http.cookies.set(SESSION_COOKIE, SESSIONS.mint(ADA, world.clock.now()).token)
        yield http


def bearer(world: World, learner_ref: str = ADA) -> dict[str, str]:
    return {"Authorization": f"Bearer {SESSIONS.mint(learner_ref, world.clock.now()).token}"}


async def ada_credential_ids(world: World) -> list[str]:
    return sorted(c.credential_id for c in await world.credentials.of_learner(ADA))


async def test_the_wallet_says_what_each_credential_stacks_into_and_what_is_missing(
    wallet: httpx.AsyncClient,
) -> None:
    page = await wallet.get("/wallet")
    assert page.status_code == 200
    assert page.text.count('data-pathway="mechatronics"') == 2
    assert "Counts towards <strong>Course uni-a:CERT</strong>" in page.text
    assert page.text.count('<span class="missing">Course uni-a:PLC-2</span>') == 2


async def test_a_learner_downloads_their_own_credential_as_json_ld(
    wallet: httpx.AsyncClient, world: World
) -> None:
    credential_id = (await ada_credential_ids(world))[0]
    answer = await wallet.get(f"/wallet/credentials/{credential_id}/download")
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/vc+ld+json"
    assert "attachment" in answer.headers["content-disposition"]
    assert answer.json() == world.credentials.stored[credential_id].document


async def test_a_share_link_shows_the_credential_until_it_is_withdrawn_then_410(
    wallet: httpx.AsyncClient, world: World
) -> None:
    credential_id = (await ada_credential_ids(world))[0]
    created = await wallet.post("/wallet/share", data={"credential_id": credential_id})
    assert created.status_code == 303
    [link] = await world.share_links.of_learner(ADA)
    url = f"/shared/{link.share_id}"
    assert url in (await wallet.get("/wallet")).text
    assert len(link.share_id) >= 40  # 32 random bytes

    async with issuer_client(world) as stranger:
        shown = await stranger.get(url)
        document = await stranger.get(f"{url}/credential")
        assert shown.status_code == 200
        assert 'id="shared-note"' in shown.text
        assert 'id="share"' not in shown.text  # the holder's own sharing tools stay theirs
        assert "Verify this credential" in shown.text
        assert document.json() == world.credentials.stored[credential_id].document

        assert (
            await wallet.post(f"/wallet/share-links/{link.share_id}/withdraw")
        ).status_code == 303

        assert (await stranger.get(url)).status_code == 410
        assert (await stranger.get(f"{url}/credential")).status_code == 410
        assert (await stranger.get("/shared/no-such-link")).status_code == 404
    assert url not in (await wallet.get("/wallet")).text


async def test_the_wallet_the_shared_page_and_the_withdrawn_page_speak_the_learners_language(
    wallet: httpx.AsyncClient, world: World
) -> None:
    credential_id = (await ada_credential_ids(world))[0]
    await wallet.post("/wallet/share", data={"credential_id": credential_id})
    [link] = await world.share_links.of_learner(ADA)
    url = f"/shared/{link.share_id}"

    french_wallet = await wallet.get("/wallet", params={"lang": "fr"})
    async with issuer_client(world) as stranger:
        french = {"Accept-Language": "fr-FR,fr;q=0.9"}
        shown = await stranger.get(url, headers=french)
        await wallet.post(f"/wallet/share-links/{link.share_id}/withdraw")
        withdrawn = await stranger.get(url, headers={"Accept-Language": "de"})
        unknown = await stranger.get("/shared/no-such-link", headers=french)

    assert "Compte pour <strong>Course uni-a:CERT</strong>" in french_wallet.text
    assert ">Créer un lien de partage</button>" in french_wallet.text
    assert ">Retirer</button>" in french_wallet.text
    assert "Créer mon relevé d’apprentissage (CLR)" in french_wallet.text
    created = french_wallet.text.split("créé le ", 1)[1].split("<", 1)[0]
    assert created.startswith(f"{link.created_at.day} ")  # "3 juin 2025, 14:05"
    for english in ("Counts towards", "Create a share link", "Withdraw", "still missing"):
        assert english not in french_wallet.text
    assert '<html lang="fr">' in shown.text
    assert "Partagée avec vous par sa ou son titulaire" in shown.text
    assert "Vérifier cette certification" in shown.text
    assert "Shared with you" not in shown.text
    assert withdrawn.status_code == 410
    assert "Dieser Link wurde zurückgezogen" in withdrawn.text
    assert 'hreflang="fr"' in withdrawn.text  # the language switch
    assert unknown.status_code == 404
    assert "Aucune certification partagée de ce nom" in unknown.text


async def test_a_learner_cannot_share_or_withdraw_what_is_not_theirs(world: World) -> None:
    grace = "grace-learner-ref"
    credential_id = (await ada_credential_ids(world))[0]
    async with issuer_client(world) as http:
        refused = await http.post(
            "/learners/me/share-links",
            json={"credential_id": credential_id},
            headers=bearer(world, grace),
        )
        mine = await http.post(
            "/learners/me/share-links", json={"credential_id": credential_id}, headers=bearer(world)
        )
        theirs = await http.post(
            f"/learners/me/share-links/{mine.json()['share_id']}/withdraw",
            headers=bearer(world, grace),
        )
    assert refused.status_code == 404
    assert mine.status_code == 201
    assert theirs.status_code == 404


async def test_the_share_link_api_lists_and_withdraws_a_learners_links(world: World) -> None:
    credential_id = (await ada_credential_ids(world))[0]
    async with issuer_client(world) as http:
        assert (await http.get("/learners/me/share-links")).status_code == 401
        created = await http.post(
            "/learners/me/share-links", json={"credential_id": credential_id}, headers=bearer(world)
        )
        share_id = created.json()["share_id"]
        assert created.json()["url"] == f"{BASE_URL}/shared/{share_id}"
        withdrawn = await http.post(
            f"/learners/me/share-links/{share_id}/withdraw", headers=bearer(world)
        )
        listed = await http.get("/learners/me/share-links", headers=bearer(world))
        gone = await http.get(f"/shared/{share_id}")
    assert withdrawn.json()["withdrawn_at"] is not None
    assert [link["share_id"] for link in listed.json()] == [share_id]
    assert listed.json()[0]["withdrawn_at"] is not None
    assert gone.status_code == 410


async def test_the_clr_button_answers_a_signed_record_of_the_ticked_credentials(
    wallet: httpx.AsyncClient, world: World
) -> None:
    ids = await ada_credential_ids(world)
    page = await wallet.get("/wallet")
    assert page.text.count('name="credential_ids"') == 2
    answer = await wallet.post("/wallet/clr", data={"credential_ids": ids})
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/vc+ld+json"
    assert "attachment" in answer.headers["content-disposition"]
    clr = answer.json()
    assert validate_clr_credential(clr) == []
    embedded = clr["credentialSubject"]["verifiableCredential"]
    assert sorted(c["id"].rsplit("/", 1)[-1] for c in embedded) == ids


async def test_the_wallet_actions_need_the_session(world: World) -> None:
    credential_id = (await ada_credential_ids(world))[0]
    async with issuer_client(world) as http:
        assert (
            await http.post("/wallet/share", data={"credential_id": credential_id})
        ).status_code == 401
        assert (
            await http.post("/wallet/clr", data={"credential_ids": [credential_id]})
        ).status_code == 401
        assert (await http.get(f"/wallet/credentials/{credential_id}/download")).status_code == 401


def test_the_access_log_keeps_no_share_link_token() -> None:
    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5000", "GET", "/shared/Zx9_secret-token/credential", "1.1", 410),
        None,
    )
    assert RedactLinkTokens().filter(record)
    assert record.getMessage() == (
        '127.0.0.1:5000 - "GET /shared/[redacted]/credential HTTP/1.1" 410'
    )
