"""The learner's credential page on fakes: negotiation, content, no e-mail, status, links."""

from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from microcred_issuer.entrypoints.pages import prefers_html
from microcred_shared.events.topics import Topic

from tests.unit.issuer.fakes import BASE_URL, World
from tests.unit.issuer.test_issuer_http import COMPLETION, key_for
from tests.unit.issuer.test_issuer_http import http as http
from tests.unit.issuer.test_issuer_http import world as world

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


async def issued(http: httpx.AsyncClient) -> str:
    created = await http.post("/completions", json=COMPLETION, headers=await key_for(http, "uni-a"))
    return str(created.json()["credential_id"])


@pytest.mark.parametrize(
    ("accept", "html"),
    [
        (BROWSER, True),
        ("text/html", True),
        ("", False),
        ("*/*", False),
        ("application/json", False),
        ("application/vc+ld+json, text/html", False),
        ("application/json;q=0.5, text/html", True),
        ("text/html;q=0", False),
    ],
)
def test_html_is_chosen_only_when_the_client_ranks_it_above_json(accept: str, html: bool) -> None:
    assert prefers_html(accept) is html


async def test_a_browser_gets_the_credential_page_and_api_clients_the_same_json(
    http: httpx.AsyncClient,
) -> None:
    url = f"/credentials/{await issued(http)}"

    page = await http.get(url, headers={"accept": BROWSER})
    plain = await http.get(url)
    vc = await http.get(url, headers={"accept": "application/vc+ld+json"})

    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "Course uni-a:MECH-1" in page.text
    assert plain.headers["content-type"].startswith("application/json")
    assert vc.headers["content-type"].startswith("application/vc+ld+json")
    assert plain.json() == vc.json()


async def test_the_page_shows_issuer_outcomes_eu_elements_status_and_never_the_email(
    http: httpx.AsyncClient,
) -> None:
    page = await http.get(f"/credentials/{await issued(http)}/page")

    assert page.status_code == 200
    text = page.text
    for expected in (
        "Provider uni-a",
        "Program a PLC",
        "5 ECTS",
        "EQF level 5",
        "0714",
        "written exam",
        "accredited by ACQUIN",
        "Active",
    ):
        assert expected in text, expected
    assert "ada@example.org" not in text
    assert "@example.org" not in text


async def test_the_page_links_verify_download_linkedin_and_carries_a_qr_code(
    http: httpx.AsyncClient,
) -> None:
    credential_id = await issued(http)
    text = (await http.get(f"/credentials/{credential_id}/page")).text
    credential_url = f"{BASE_URL}/credentials/{credential_id}"

    assert (
        "http://127.0.0.1:8003/?url=" + credential_url.replace(":", "%3A").replace("/", "%2F")
        in text
    )
    assert "<svg" in text
    assert "QR code of this page" in text
    linkedin = next(
        part.split('"')[0]
        for part in text.split('href="')
        if part.startswith("https://www.linkedin.com/profile/add")
    )
    query = parse_qs(urlsplit(linkedin.replace("&amp;", "&")).query)
    assert query["startTask"] == ["CERTIFICATION_NAME"]
    assert query["name"] == ["Course uni-a:MECH-1"]
    assert query["organizationName"] == ["Provider uni-a"]
    assert query["certUrl"] == [f"{credential_url}/page"]
    assert query["issueYear"][0].isdigit()
    download = await http.get(f"/credentials/{credential_id}/download")
    assert download.headers["content-disposition"].startswith("attachment")
    assert download.json()["id"] == credential_url
    css = await http.get("/assets/pages.css")
    assert css.headers["content-type"].startswith("text/css")


async def test_a_revoked_credential_page_says_revoked(http: httpx.AsyncClient) -> None:
    owner = await key_for(http, "uni-a")
    created = await http.post("/completions", json=COMPLETION, headers=owner)
    credential_id = created.json()["credential_id"]
    revoked = await http.post(
        f"/credentials/{credential_id}/revoke", json={"reason": "exam fraud"}, headers=owner
    )
    assert revoked.status_code == 200

    text = (await http.get(f"/credentials/{credential_id}/page")).text

    assert "Revoked" in text
    assert "exam fraud" in text


async def test_an_unknown_credential_page_is_a_404(http: httpx.AsyncClient) -> None:
    response = await http.get("/credentials/nope/page")
    assert response.status_code == 404


async def test_the_issued_events_page_link_opens_this_page(
    http: httpx.AsyncClient,
    world: World,
) -> None:
    credential_id = await issued(http)
    event = world.outbox.on(Topic.CREDENTIALS_ISSUED)[-1]
    page_url = event.data.links.page_url

    assert page_url == f"{BASE_URL}/credentials/{credential_id}/page"
    page = await http.get(page_url.removeprefix(BASE_URL))
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
