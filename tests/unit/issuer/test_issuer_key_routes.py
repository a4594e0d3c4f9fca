"""The key-management routes on fakes: who may call them, and what they answer."""

from collections.abc import AsyncIterator

import httpx
import pytest

from tests.unit.issuer.fakes import BASE_URL, World
from tests.unit.issuer.http_app import ADMIN, issuer_client, provider_api_key


@pytest.fixture
async def world() -> World:
    world = World()
    await world.add_provider("uni-a")
    await world.add_provider("college-b")
    await world.handlers.keys.ensure("uni-a")
    return world


@pytest.fixture
async def http(world: World) -> AsyncIterator[httpx.AsyncClient]:
    async with issuer_client(world) as client:
        yield client


async def test_a_provider_reports_its_key_compromised_and_follows_the_reissue(
    http: httpx.AsyncClient,
) -> None:
    own = await provider_api_key(http, "uni-a")
    reported = await http.post(
        "/providers/uni-a/keys/key-1/compromised",
        json={"compromised_at": "2025-05-01T00:00:00Z"},
        headers=own,
    )
    assert reported.status_code == 202, reported.text
    body = reported.json()
    assert body["verification_method"].endswith("#key-1")
    assert body["current_verification_method"].endswith("#key-2")
    assert body["revoked_at"].startswith("2025-05-01T00:00:00")
    assert body["job_url"] == f"{BASE_URL}/providers/uni-a/reissue-jobs/key-1"

    job = await http.get("/providers/uni-a/reissue-jobs/key-1", headers=own)
    assert job.status_code == 200
    assert job.json()["state"] == "listing"
    did = (await http.get("/issuers/uni-a/did.json")).json()
    revoked = {vm["id"].rsplit("#")[1]: vm.get("revoked") for vm in did["verificationMethod"]}
    assert revoked == {"key-2": None, "key-1": "2025-05-01T00:00:00Z"}


async def test_only_the_provider_itself_or_the_admin_reports_a_compromise(
    http: httpx.AsyncClient,
) -> None:
    other = await provider_api_key(http, "college-b")
    path = "/providers/uni-a/keys/key-1/compromised"
    assert (await http.post(path)).status_code == 401
    assert (await http.post(path, headers={"authorization": "Bearer nope"})).status_code == 401
    assert (await http.post(path, headers=other)).status_code == 403
    assert (await http.get("/providers/uni-a/reissue-jobs/key-1", headers=other)).status_code == 403
    assert (await http.post(path, headers=ADMIN)).status_code == 202
    unknown = await http.post("/providers/uni-a/keys/key-7/compromised", headers=ADMIN)
    assert unknown.status_code == 404
    assert unknown.json()["code"] == "unknown_key"


async def test_api_keys_are_listed_without_secrets_rotated_with_overlap_and_revoked(
    http: httpx.AsyncClient,
) -> None:
    first = await provider_api_key(http, "uni-a")
    second = await http.post("/providers/uni-a/api-keys", headers=first)
    assert second.status_code == 201
    new_key = {"authorization": f"Bearer {second.json()['api_key']}"}

    listed = await http.get("/providers/uni-a/api-keys", headers=new_key)
    assert listed.status_code == 200
    assert [k["active"] for k in listed.json()] == [True, True]  # both work during the rotation
    assert "api_key" not in str(listed.json())
    assert second.json()["api_key"] not in listed.text
    first_id = listed.json()[0]["key_id"]

    revoked = await http.post(f"/providers/uni-a/api-keys/{first_id}/revoke", headers=new_key)
    assert revoked.status_code == 200
    assert revoked.json()["active"] is False
    assert (await http.get("/providers/uni-a/api-keys", headers=first)).status_code == 401
    completion = {
        "completion_id": "x",
        "achievement_id": "uni-a:NONE",
        "learner": {"email": "a@b.org"},
        "completed_on": "2025-05-30",
    }
    assert (await http.post("/completions", json=completion, headers=first)).status_code == 401
    assert (await http.get("/providers/uni-a/api-keys", headers=new_key)).status_code == 200


async def test_a_provider_cannot_list_or_revoke_another_providers_keys(
    http: httpx.AsyncClient,
) -> None:
    own = await provider_api_key(http, "uni-a")
    other = await provider_api_key(http, "college-b")
    [theirs] = (await http.get("/providers/college-b/api-keys", headers=ADMIN)).json()
    assert (await http.get("/providers/college-b/api-keys", headers=own)).status_code == 403
    path = f"/providers/college-b/api-keys/{theirs['key_id']}/revoke"
    assert (await http.post(path, headers=own)).status_code == 403
    mismatched = await http.post(
        f"/providers/uni-a/api-keys/{theirs['key_id']}/revoke", headers=own
    )
    assert mismatched.status_code == 404
    assert (await http.get("/providers/college-b/api-keys", headers=other)).status_code == 200
