"""Learner access on fakes: e-mailed wallet links, wallet sessions, and a list only its learner
sees (the handler, the JSON API and the wallet page)."""

import logging
from collections.abc import AsyncIterator
from datetime import date, timedelta
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from microcred_issuer.bootstrap import create_app
from microcred_issuer.config import IssuerSettings
from microcred_issuer.domain.identity import learner_from_email
from microcred_issuer.entrypoints.access_log import RedactLinkTokens
from microcred_issuer.service_layer.commands import IssueCompletion, RequestAccessLink
from microcred_issuer.service_layer.learner_access import LINK_PURPOSE, SESSION_PURPOSE
from microcred_shared.access_tokens import PurposeTokens
from microcred_shared.events import Topic

from tests.unit.issuer.fakes import BASE_URL, LEARNER_ACCESS_KEY, SALT_KEY, World

ADA, GRACE, NOBODY = "ada@example.org", "grace@example.org", "nobody@example.org"
ADMIN = "unit-admin-token-0123456789"


def completion(completion_id: str, email: str, achievement_id: str) -> IssueCompletion:
    return IssueCompletion(
        completion_id=completion_id,
        provider_id=achievement_id.split(":")[0],
        achievement_id=achievement_id,
        completed_on=date(2025, 5, 30),
        learner_email=email,
    )


@pytest.fixture
async def world() -> World:
    """Ada holds two credentials (one revoked), Grace one."""
    world = World()
    await world.add_provider("uni-a")
    await world.add_achievement("uni-a:MECH-1", "uni-a")
    await world.add_achievement("uni-a:HYD-1", "uni-a")
    issue = world.handlers.completions.issue
    await issue(completion("a-1", ADA, "uni-a:MECH-1"))
    revoked = await issue(completion("a-2", ADA, "uni-a:HYD-1"))
    await issue(completion("g-1", GRACE, "uni-a:MECH-1"))
    credential = world.credentials.stored[revoked.credential_id]
    world.credentials.stored[revoked.credential_id] = (
        credential.status_change("revoke", "exam fraud", world.clock.now()) or credential
    )
    return world


def ref(email: str) -> str:
    return learner_from_email(email, SALT_KEY).learner_ref


def links_in(world: World) -> list[str]:
    return [
        e.data.wallet_url
        for e in world.outbox.on(Topic.CREDENTIALS_LEARNER_NOTICES)
        if e.type.endswith("learner.access-link.v1")
    ]


def token_of(link: str) -> str:
    return parse_qs(urlsplit(link).query)["token"][0]


async def test_a_known_address_is_emailed_a_link_that_opens_only_its_learners_wallet(
    world: World,
) -> None:
    access = world.handlers.learner_access
    assert await access.request_link(RequestAccessLink(" Ada@Example.org "))

    [event] = [
        e
        for e in world.outbox.on(Topic.CREDENTIALS_LEARNER_NOTICES)
        if e.type.endswith("learner.access-link.v1")
    ]
    assert event.data.email == ADA
    assert event.data.wallet_url.startswith(f"{BASE_URL}/wallet/open?token=")
    session = access.open_link(token_of(event.data.wallet_url))
    assert session is not None
    assert access.learner_of(session.token) == ref(ADA)
    listed = await access.credentials_of(ref(ADA))
    assert {c.achievement_id for c in listed} == {"uni-a:MECH-1", "uni-a:HYD-1"}


async def test_an_unknown_address_is_sent_nothing(world: World) -> None:
    assert not await world.handlers.learner_access.request_link(RequestAccessLink(NOBODY))
    assert links_in(world) == []


async def test_a_learner_is_sent_at_most_one_link_a_minute(world: World) -> None:
    access = world.handlers.learner_access
    assert await access.request_link(RequestAccessLink(ADA))
    assert not await access.request_link(RequestAccessLink(ADA))
    assert await access.request_link(RequestAccessLink(GRACE))
    world.clock.current += timedelta(seconds=61)
    assert await access.request_link(RequestAccessLink(ADA))
    assert len(links_in(world)) == 3


async def test_an_expired_or_tampered_link_opens_nothing(world: World) -> None:
    access = world.handlers.learner_access
    await access.request_link(RequestAccessLink(ADA))
    token = token_of(links_in(world)[0])
    header, payload, signature = token.split(".")
    flipped = signature[:-4] + ("AAAA" if not signature.endswith("AAAA") else "BBBB")
    assert access.open_link(f"{header}.{payload}.{flipped}") is None
    assert access.open_link("not-a-token") is None
    world.clock.current += timedelta(minutes=31)
    assert access.open_link(token) is None


async def test_a_token_of_another_purpose_or_key_is_refused(world: World) -> None:
    access = world.handlers.learner_access
    now = world.clock.now()
    forged_key = PurposeTokens("another-key-0123456789abcdef", LINK_PURPOSE, timedelta(hours=1))
    assert access.open_link(forged_key.mint(ref(ADA), now).token) is None
    session = PurposeTokens(LEARNER_ACCESS_KEY, SESSION_PURPOSE, timedelta(hours=1))
    # A session token is no link: it cannot be traded for a fresh session, only used as is.
    assert access.open_link(session.mint(ref(ADA), now).token) is None
    link = PurposeTokens(LEARNER_ACCESS_KEY, LINK_PURPOSE, timedelta(hours=1))
    assert access.learner_of(link.mint(ref(ADA), now).token, sessions_only=True) is None


async def test_the_issuance_email_carries_a_week_long_wallet_link(world: World) -> None:
    notices = [
        e
        for e in world.outbox.on(Topic.CREDENTIALS_LEARNER_NOTICES)
        if e.type.endswith("credential.learner-notice.v1")
    ]
    assert [n.data.email for n in notices] == [ADA, ADA, GRACE]
    grace = notices[2].data
    assert grace.wallet_url is not None
    assert grace.wallet_url_expires_at is not None
    access = world.handlers.learner_access
    world.clock.current += timedelta(days=6)
    session = access.open_link(token_of(grace.wallet_url))
    assert session is not None
    assert access.learner_of(session.token) == ref(GRACE)
    world.clock.current += timedelta(days=2)
    assert access.open_link(token_of(grace.wallet_url)) is None


# --- over HTTP ------------------------------------------------------------------------------


def settings(base_url: str = BASE_URL) -> IssuerSettings:
    # The world issued its credentials with its own (short) salt key: development mode lets
    # the app use the same one, so both name each learner alike.
    return IssuerSettings(
        environment="development",
        public_base_url=base_url,
        admin_token=ADMIN,
        key_encryption_key="unit-key-encryption-key-0123",
        learner_salt_key=SALT_KEY.decode(),
        learner_access_key=LEARNER_ACCESS_KEY,
    )


@pytest.fixture
async def http(world: World) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings(), ports=world.ports)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url=BASE_URL
    ) as client:
        yield client


async def asked_link(http: httpx.AsyncClient, world: World, email: str) -> str:
    response = await http.post("/learners/access-links", json={"email": email})
    assert response.status_code == 202
    return links_in(world)[-1]


async def test_the_list_answers_401_without_a_token_and_the_old_public_list_is_gone(
    http: httpx.AsyncClient,
) -> None:
    response = await http.get("/learners/me/credentials")
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["www-authenticate"].startswith("Bearer")
    bad = await http.get("/learners/me/credentials", headers={"Authorization": "Bearer x.y.z"})
    assert bad.status_code == 401
    assert (await http.get(f"/learners/{ref(ADA)}/credentials")).status_code == 404


async def test_a_learners_token_lists_their_credentials_with_status_and_never_anothers(
    http: httpx.AsyncClient, world: World
) -> None:
    ada_token = token_of(await asked_link(http, world, ADA))
    grace_token = token_of(await asked_link(http, world, GRACE))

    ada = await http.get(
        "/learners/me/credentials", headers={"Authorization": f"Bearer {ada_token}"}
    )
    grace = await http.get(
        "/learners/me/credentials", headers={"Authorization": f"Bearer {grace_token}"}
    )

    assert ada.status_code == grace.status_code == 200
    assert ada.headers["cache-control"] == "no-store"
    assert sorted((c["achievement_id"], c["status"]) for c in ada.json()) == [
        ("uni-a:HYD-1", "revoked"),
        ("uni-a:MECH-1", "active"),
    ]
    assert [c["achievement_id"] for c in grace.json()] == ["uni-a:MECH-1"]
    ada_ids = {c["credential_id"] for c in ada.json()}
    assert ada_ids.isdisjoint(c["credential_id"] for c in grace.json())


async def test_asking_for_a_link_answers_the_same_for_a_known_and_an_unknown_address(
    http: httpx.AsyncClient, world: World
) -> None:
    known = await http.post("/learners/access-links", json={"email": ADA})
    unknown = await http.post("/learners/access-links", json={"email": NOBODY})
    assert (known.status_code, known.json()) == (unknown.status_code, unknown.json())
    assert known.status_code == 202
    assert [
        e.data.email
        for e in world.outbox.on(Topic.CREDENTIALS_LEARNER_NOTICES)
        if e.type.endswith("learner.access-link.v1")
    ] == [ADA]
    invalid = await http.post("/learners/access-links", json={"email": "not an address"})
    assert invalid.status_code == 422


async def test_the_emailed_link_becomes_a_strict_http_only_session_and_opens_the_wallet_page(
    http: httpx.AsyncClient, world: World
) -> None:
    link = await asked_link(http, world, ADA)
    opened = await http.get(link.removeprefix(BASE_URL))
    assert opened.status_code == 200
    cookie = opened.headers["set-cookie"]
    assert "microcred_wallet=" in cookie
    assert "HttpOnly" in cookie
    assert "SameSite=strict" in cookie
    assert "Secure" not in cookie  # served over http here
    assert 'http-equiv="refresh" content="0;url=/wallet"' in opened.text
    assert token_of(link) not in opened.text
    assert opened.headers["referrer-policy"] == "no-referrer"

    wallet = await http.get("/wallet")
    assert wallet.status_code == 200
    assert wallet.headers["cache-control"] == "no-store"
    assert "Course uni-a:MECH-1" in wallet.text
    assert "Course uni-a:HYD-1" in wallet.text
    assert wallet.text.count("data-credential=") == 2
    assert "✗ Revoked" in wallet.text
    assert "exam fraud" in wallet.text
    # The session cookie also answers the JSON list.
    assert len((await http.get("/learners/me/credentials")).json()) == 2

    signed_out = await http.post("/wallet/sign-out")
    assert signed_out.status_code == 303
    assert (await http.get("/wallet")).status_code == 401


async def test_the_wallet_page_without_a_session_asks_for_the_address_instead(
    http: httpx.AsyncClient, world: World
) -> None:
    page = await http.get("/wallet")
    assert page.status_code == 401
    assert 'action="/wallet/access-link"' in page.text
    asked = await http.post("/wallet/access-link", data={"email": ADA})
    assert asked.status_code == 202
    assert 'id="link-sent"' in asked.text
    assert links_in(world) != []
    invalid = await http.post("/wallet/access-link", data={"email": "nope"})
    assert invalid.status_code == 422


async def test_an_expired_or_forged_link_shows_the_sign_in_page_and_sets_no_cookie(
    http: httpx.AsyncClient, world: World
) -> None:
    link = await asked_link(http, world, ADA)
    forged = await http.get("/wallet/open", params={"token": token_of(link)[:-3] + "abc"})
    assert forged.status_code == 401
    assert "set-cookie" not in forged.headers
    assert "expired or is not valid" in forged.text
    world.clock.current += timedelta(minutes=31)
    expired = await http.get(link.removeprefix(BASE_URL))
    assert expired.status_code == 401
    assert "set-cookie" not in expired.headers
    bearer = {"Authorization": f"Bearer {token_of(link)}"}
    assert (await http.get("/learners/me/credentials", headers=bearer)).status_code == 401


async def test_the_session_cookie_is_secure_when_the_pages_are_served_over_https(
    world: World,
) -> None:
    app = create_app(settings("https://issuer.example"), ports=world.ports)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="https://issuer.example"
    ) as http:
        link = await asked_link(http, world, GRACE)
        assert link.startswith("https://issuer.example/wallet/open?token=")
        opened = await http.get(link.removeprefix("https://issuer.example"))
    assert "Secure" in opened.headers["set-cookie"]


def test_the_access_log_keeps_no_wallet_link_token() -> None:
    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5000", "GET", "/wallet/open?token=eyJ.abc.def&x=1", "1.1", 200),
        None,
    )
    assert RedactLinkTokens().filter(record)
    assert (
        record.getMessage()
        == '127.0.0.1:5000 - "GET /wallet/open?token=[redacted]&x=1 HTTP/1.1" 200'
    )
