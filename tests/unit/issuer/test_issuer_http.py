"""The HTTP API on fakes: authentication, problem details, content negotiation, caching."""

import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from microcred_issuer.bootstrap import create_app
from microcred_issuer.config import IssuerSettings
from microcred_issuer.domain.status_list import bit_is_set, decode_bitstring
from microcred_shared.crypto.loader import default_loader

from tests.unit.issuer.fakes import BASE_URL, LEARNER_ACCESS_KEY, World

ADMIN = {"authorization": "Bearer unit-admin-token-0123456789"}
COMPLETION = {
    "completion_id": "http-1",
    "achievement_id": "uni-a:MECH-1",
    "learner": {"email": "ada@example.org", "name": "Ada"},
    "completed_on": "2025-05-30",
    "results": [{"name": "Final grade", "value": "A"}],
}


@pytest.fixture
async def world() -> World:
    world = World()
    await world.add_provider("uni-a")
    await world.add_provider("college-b")
    await world.add_achievement("uni-a:MECH-1", "uni-a")
    await world.add_achievement("college-b:HYD-1", "college-b")
    return world


@pytest.fixture
async def http(world: World) -> AsyncIterator[httpx.AsyncClient]:
    settings = IssuerSettings(
        environment="test",
        public_base_url=BASE_URL,
        admin_token="unit-admin-token-0123456789",
        key_encryption_key="unit-key-encryption-key-0123",
        learner_salt_key="unit-learner-salt-key-0123",
        credential_id_key="unit-credential-id-key-0123",
        learner_access_key=LEARNER_ACCESS_KEY,
    )
    app = create_app(settings, ports=world.ports)  # no lifespan: nothing connects
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as client:
        yield client


async def key_for(http: httpx.AsyncClient, provider_id: str) -> dict[str, str]:
    response = await http.post(f"/admin/providers/{provider_id}/api-keys", headers=ADMIN)
    assert response.status_code == 201
    return {"authorization": f"Bearer {response.json()['api_key']}"}


async def test_reporting_a_completion_needs_a_provider_api_key(http: httpx.AsyncClient) -> None:
    response = await http.post("/completions", json=COMPLETION)
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    wrong = await http.post("/completions", json=COMPLETION, headers={"x-api-key": "mci_nope"})
    assert wrong.status_code == 401


async def test_admin_endpoints_need_the_admin_token(http: httpx.AsyncClient) -> None:
    assert (await http.post("/admin/providers/uni-a/api-keys")).status_code == 401
    bad = {"authorization": "Bearer not-the-token"}
    assert (await http.post("/admin/providers/uni-a/keys/rotate", headers=bad)).status_code == 401
    unknown = await http.post("/admin/providers/nobody/api-keys", headers=ADMIN)
    assert unknown.status_code == 422


async def test_a_completion_is_created_once_and_answered_the_same_on_retry(
    http: httpx.AsyncClient,
) -> None:
    headers = await key_for(http, "uni-a")
    first = await http.post("/completions", json=COMPLETION, headers=headers)
    again = await http.post("/completions", json=COMPLETION, headers=headers)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["credential_id"] == again.json()["credential_id"]
    assert again.json()["created"] is False


async def test_another_providers_achievement_is_a_403_problem_with_its_code(
    http: httpx.AsyncClient,
) -> None:
    headers = await key_for(http, "uni-a")
    body = COMPLETION | {"completion_id": "x", "achievement_id": "college-b:HYD-1"}
    response = await http.post("/completions", json=body, headers=headers)
    assert response.status_code == 403
    assert response.json()["code"] == "achievement_of_another_provider"


async def test_personal_data_in_credential_text_is_a_422_problem_with_its_code(
    http: httpx.AsyncClient,
) -> None:
    body = COMPLETION | {"evidence": [{"narrative": "by ada@example.org"}]}
    response = await http.post("/completions", json=body, headers=await key_for(http, "uni-a"))
    assert response.status_code == 422
    assert response.json()["code"] == "personal_data"
    assert "ada@example.org" not in response.text


@pytest.mark.parametrize(
    "change",
    [
        {"evidence": [{"url": "not-absolute", "name": "Portfolio"}]},
        {"evidence": [{"url": "https://evidence.example/a b"}]},
        {"evidence": [{"url": "https://evidence.example/<x>"}]},
        {"learner": {"did": "did:example:a b"}},
        {"learner": {"did": "did:example:{x}"}},
    ],
)
async def test_what_cannot_be_an_id_in_a_signed_credential_is_a_422_not_a_500(
    http: httpx.AsyncClient, change: dict[str, Any]
) -> None:
    """Found by schemathesis (tests/reliability/test_input_hardening.py): a relative evidence
    URL made signing fail (JSON-LD safe mode) after the completion was accepted."""
    body = COMPLETION | {"completion_id": "iri"} | change
    response = await http.post("/completions", json=body, headers=await key_for(http, "uni-a"))
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"


async def test_a_credential_is_served_as_json_or_as_the_vc_media_type(
    http: httpx.AsyncClient,
) -> None:
    created = await http.post("/completions", json=COMPLETION, headers=await key_for(http, "uni-a"))
    url = f"/credentials/{created.json()['credential_id']}"
    plain = await http.get(url)
    vc = await http.get(url, headers={"accept": "application/vc+ld+json"})
    assert plain.headers["content-type"].startswith("application/json")
    assert vc.headers["content-type"].startswith("application/vc+ld+json")
    assert plain.json() == vc.json()
    assert plain.json()["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert (await http.get("/credentials/unknown")).status_code == 404


async def test_only_the_issuing_provider_revokes_and_the_list_changes_its_etag(
    http: httpx.AsyncClient,
) -> None:
    owner = await key_for(http, "uni-a")
    created = await http.post("/completions", json=COMPLETION, headers=owner)
    credential_id = created.json()["credential_id"]
    entry = (await http.get(f"/credentials/{credential_id}")).json()["credentialStatus"]
    list_path = entry["statusListCredential"].removeprefix(BASE_URL)
    before = await http.get(list_path)
    assert before.headers["cache-control"] == "public, max-age=60"
    cached = await http.get(list_path, headers={"if-none-match": before.headers["etag"]})
    assert cached.status_code == 304

    other = await key_for(http, "college-b")
    refused = await http.post(f"/credentials/{credential_id}/revoke", headers=other)
    assert refused.status_code == 403
    revoked = await http.post(
        f"/credentials/{credential_id}/revoke", headers=owner, json={"reason": "fraud"}
    )
    assert revoked.json() | {"changed_at": None} == {
        "credential_id": credential_id,
        "status": "revoked",
        "reason": "fraud",
        "changed_at": None,
    }

    after = await http.get(list_path, headers={"if-none-match": before.headers["etag"]})
    assert after.status_code == 200
    encoded = after.json()["credentialSubject"]["encodedList"]
    assert bit_is_set(decode_bitstring(encoded), int(entry["statusListIndex"]))
    assert (await http.get("/status-lists/nobody.revocation.1")).status_code == 404


async def test_a_cohort_csv_is_accepted_as_a_job_whose_rows_are_answered_one_by_one(
    http: httpx.AsyncClient, world: World
) -> None:
    headers = await key_for(http, "uni-a")
    csv = (
        "completion_id,achievement_id,email,completed_on,grade\n"
        "r1,uni-a:MECH-1,ada@example.org,2025-05-01,A\n"
        "r2,college-b:HYD-1,bob@example.org,2025-05-01,B\n"
        "r3,uni-a:MECH-1,,2025-05-01,C\n"
        "r1,uni-a:MECH-1,ada@example.org,2025-05-01,A\n"
    )
    files = {"file": ("cohort.csv", csv, "text/csv")}
    accepted = await http.post("/completions/cohort", files=files, headers=headers)
    assert accepted.status_code == 202
    job = accepted.json()
    assert (job["state"], job["total"], job["processed"]) == ("queued", 4, 0)
    assert accepted.headers["location"] == job["status_url"]
    assert world.credentials.stored == {}  # nothing issued inside the request

    await world.handlers.cohorts.run(job["job_id"])  # what the issuer's worker does next

    answer = (await http.get(job["status_url"], headers=headers)).json()
    assert answer["state"] == "done"
    assert [r["outcome"] for r in answer["rows"]] == [
        "issued",
        "rejected",
        "rejected",
        "already_issued",
    ]
    assert answer["rows"][1]["reason_code"] == "achievement_of_another_provider"
    assert answer["rows"][2]["reason_code"] == "invalid_row"
    assert (answer["issued"], answer["rejected"], answer["already_issued"]) == (1, 2, 1)
    assert world.cohort_jobs.files == {}  # the learners' file is dropped once done

    streamed = await http.get(
        job["status_url"], headers=headers | {"accept": "application/x-ndjson"}
    )
    lines: list[dict[str, Any]] = [json.loads(line) for line in streamed.text.splitlines()]
    assert [line.get("row") for line in lines[:-1]] == [2, 3, 4, 5]
    assert lines[-1]["summary"]["issued"] == 1
    other = await key_for(http, "college-b")
    assert (await http.get(job["status_url"], headers=other)).status_code == 404


async def test_a_file_that_is_not_a_cohort_csv_is_refused_at_once(
    http: httpx.AsyncClient, world: World
) -> None:
    headers = await key_for(http, "uni-a")
    files = {"file": ("cohort.csv", "name,email\nAda,ada@example.org\n", "text/csv")}

    refused = await http.post("/completions/cohort", files=files, headers=headers)

    assert refused.status_code == 422
    assert refused.headers["content-type"] == "application/problem+json"
    assert world.cohort_jobs.jobs == {}


async def test_did_documents_the_eu_context_and_achievements_are_served(
    http: httpx.AsyncClient,
) -> None:
    did = await http.get("/issuers/uni-a/did.json")
    assert did.json()["id"] == "did:web:issuer.test%3A8002:issuers:uni-a"
    assert "secretKeyMultibase" not in did.text
    context = await http.get("/contexts/eu-microcredential/v1")
    assert context.json() == default_loader().get(
        "https://microcred.example/contexts/eu-microcredential/v1"
    )
    achievement = await http.get("/achievements/uni-a%3AMECH-1")
    assert achievement.json()["learningOutcomes"] == [
        "Program a PLC",
        "Read hydraulic schematics",
    ]
    assert (await http.get("/issuers/nobody/did.json")).status_code == 404


def test_the_openapi_document_lists_every_issuer_endpoint() -> None:
    app = create_app(IssuerSettings(environment="development", public_base_url=BASE_URL))
    paths = set(app.openapi()["paths"])
    assert {
        "/completions",
        "/completions/cohort",
        "/credentials/{credential_id}",
        "/credentials/{credential_id}/revoke",
        "/credentials/{credential_id}/suspend",
        "/credentials/{credential_id}/reinstate",
        "/learners/access-links",
        "/learners/me/credentials",
        "/status-lists/{list_id}",
        "/issuers/{provider_id}/did.json",
        "/contexts/eu-microcredential/v1",
        "/admin/providers/{provider_id}/keys/rotate",
    } <= paths


def test_the_openapi_document_gives_each_answer_its_media_type_and_problems_theirs() -> None:
    spec = create_app(IssuerSettings(environment="development", public_base_url=BASE_URL)).openapi()
    paths = spec["paths"]

    def media(path: str, code: str, method: str = "get") -> set[str]:
        return set(paths[path][method]["responses"][code].get("content", {}))

    assert media("/status-lists/{list_id}", "200") == {"application/vc+ld+json"}
    assert media("/issuers/{provider_id}/did.json", "200") == {"application/did+json"}
    assert media("/contexts/eu-microcredential/v1", "200") == {"application/ld+json"}
    assert {"application/vc+ld+json", "text/html"} <= media("/credentials/{credential_id}", "200")
    assert {"200", "201", "4XX"} <= set(paths["/completions"]["post"]["responses"])
    for code in ("422", "4XX"):
        assert media("/completions", code, "post") == {"application/problem+json"}
    # The Open Badges API refuses with Imsx_StatusInfo, as OB 3.0 has it: documented so.
    for path, method in [
        ("/ims/ob/v3p0/credentials", "get"),
        ("/ims/ob/v3p0/credentials", "post"),
        ("/ims/ob/v3p0/profile", "get"),
        ("/ims/ob/v3p0/profile", "put"),
    ]:
        assert media(path, "4XX", method) == {"application/json"}
        refusal = paths[path][method]["responses"]["4XX"]["content"]["application/json"]
        assert "imsx_codeMajor" in refusal["schema"]["required"]
    # Its OAuth endpoints refuse with RFC 6749's error object.
    for path in ("/oauth/register", "/oauth/token", "/oauth/revoke"):
        refusal = paths[path]["post"]["responses"]["4XX"]["content"]
        assert refusal["application/json"]["schema"]["required"] == ["error"]
    assert "HTTPValidationError" not in spec["components"]["schemas"]
