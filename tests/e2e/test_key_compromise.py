"""Issue 13, trust boundaries: a signing key reported compromised and API keys revoked, across
the four service processes. A provider of its own, so no other test's credentials change."""

from __future__ import annotations

import secrets
from typing import Any

import httpx
import pytest

from microcred.ecosystem import story
from microcred.ecosystem.demo import eventually
from microcred.ecosystem.processes import Ecosystem
from microcred.ecosystem.secrets import dev_secrets

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(300)]


def _admin(ecosystem: Ecosystem, service: str) -> dict[str, str]:
    token = dev_secrets(ecosystem.run_dir)[f"{service.upper()}_ADMIN_TOKEN"]
    return {"Authorization": f"Bearer {token}"}


def _bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


class Provider:
    """A new provider with one course, its catalogue and issuer API keys."""

    def __init__(self, ecosystem: Ecosystem, http: httpx.AsyncClient) -> None:
        self.ecosystem, self.http = ecosystem, http
        self.provider_id = f"keys-{secrets.token_hex(3)}"
        self.course = {
            **next(c for c in story.COURSES if c["provider_id"] == story.UNIVERSITY),
            "provider_id": self.provider_id,
        }
        self.achievement_id = story.achievement(self.provider_id, self.course["course_code"])
        self.catalogue_key = self.issuer_key = ""

    def url(self, service: str, path: str) -> str:
        return self.ecosystem.service(service).url + path

    def registration(self) -> dict[str, Any]:
        return {**story.PROVIDERS[0], "provider_id": self.provider_id, "name": self.provider_id}

    async def register(self) -> None:
        created = await self.http.post(
            self.url("catalogue", "/admin/providers"),
            json=self.registration(),
            headers=_admin(self.ecosystem, "catalogue"),
        )
        assert created.status_code == 201, created.text
        self.catalogue_key = created.json()["api_key"]
        offered = await self.http.post(
            self.url("catalogue", f"/providers/{self.provider_id}/courses"),
            json=self.course,
            headers=_bearer(self.catalogue_key),
        )
        assert offered.status_code < 300, offered.text

        async def issuer_key() -> str | None:
            response = await self.http.post(
                self.url("issuer", f"/admin/providers/{self.provider_id}/api-keys"),
                headers=_admin(self.ecosystem, "issuer"),
            )
            return str(response.json()["api_key"]) if response.status_code == 201 else None

        self.issuer_key = await eventually(issuer_key, "the issuer to know the provider")

    async def issue(self, completion_id: str) -> str:
        body = {
            "completion_id": completion_id,
            "achievement_id": self.achievement_id,
            "learner": {"email": f"{completion_id}@learners.example"},
            "completed_on": "2026-06-30",
        }

        async def issued() -> str | None:
            response = await self.http.post(
                self.url("issuer", "/completions"), json=body, headers=_bearer(self.issuer_key)
            )
            return str(response.json()["credential_id"]) if response.status_code < 300 else None

        credential_id: str = await eventually(issued, "the issuer to know the course")
        return credential_id

    async def credential(self, credential_id: str) -> dict[str, Any]:
        response = await self.http.get(self.url("issuer", f"/credentials/{credential_id}"))
        assert response.status_code == 200, response.text
        document: dict[str, Any] = response.json()
        return document

    async def verdict_once(self, credential: dict[str, Any], wanted: str) -> dict[str, Any] | None:
        response = await self.http.post(
            self.url("verifier", "/verify"), json={"credential": credential}
        )
        result: dict[str, Any] = response.json()
        return result if result.get("verdict") == wanted else None

    async def verdict(self, credential: dict[str, Any], wanted: str) -> dict[str, Any]:
        result: dict[str, Any] = await eventually(
            lambda: self.verdict_once(credential, wanted), f"the verdict {wanted}"
        )
        return result


async def test_a_key_reported_compromised_is_refused_and_its_reissued_copy_verifies(
    ecosystem: Ecosystem,
) -> None:
    async with httpx.AsyncClient(timeout=30) as http:
        provider = Provider(ecosystem, http)
        await provider.register()
        credential_id = await provider.issue("keys-e2e-1")
        old_copy = await provider.credential(credential_id)
        await provider.verdict(old_copy, "verified")

        reported = await http.post(
            provider.url("issuer", f"/providers/{provider.provider_id}/keys/key-1/compromised"),
            headers=_bearer(provider.issuer_key),
        )
        assert reported.status_code == 202, reported.text
        refused = await provider.verdict(old_copy, "not_verified")

        async def job_done() -> dict[str, Any] | None:
            response = await http.get(
                reported.json()["job_url"], headers=_bearer(provider.issuer_key)
            )
            body: dict[str, Any] = response.json()
            return body if body.get("state") == "done" else None

        job = await eventually(job_done, "the re-issuance to finish")
        new_copy = await provider.credential(credential_id)  # the same URL
        accepted = await provider.verdict(new_copy, "verified")

    key_check = next(c for c in refused["checks"] if c["name"] == "issuer_key")
    assert key_check["status"] == "failed"
    assert "signed with a key its issuer reported compromised on" in key_check["reason"]
    assert (job["total"], job["reissued"]) == (1, 1)
    assert new_copy["id"] == old_copy["id"]
    assert new_copy["credentialStatus"] == old_copy["credentialStatus"]
    assert new_copy["proof"][0]["verificationMethod"].endswith("#key-2")
    assert accepted["verdict"] == "verified"


async def test_a_revoked_api_key_is_refused_by_the_issuer_and_the_catalogue(
    ecosystem: Ecosystem,
) -> None:
    async with httpx.AsyncClient(timeout=30) as http:
        provider = Provider(ecosystem, http)
        await provider.register()
        pid = provider.provider_id
        for service, old_key in (
            ("issuer", provider.issuer_key),
            ("catalogue", provider.catalogue_key),
        ):
            keys_path = provider.url(service, f"/providers/{pid}/api-keys")
            second = await http.post(keys_path, headers=_bearer(old_key))
            assert second.status_code == 201, second.text
            new_key = second.json()["api_key"]
            listed = (await http.get(keys_path, headers=_bearer(new_key))).json()
            assert [k["active"] for k in listed] == [True, True], listed
            old_id = next(k["key_id"] for k in listed if k["key_id"] != second.json()["key_id"])

            revoked = await http.post(f"{keys_path}/{old_id}/revoke", headers=_bearer(new_key))
            assert revoked.status_code == 200, revoked.text
            assert (await http.get(keys_path, headers=_bearer(old_key))).status_code == 401
            assert (await http.get(keys_path, headers=_bearer(new_key))).status_code == 200
            if service == "issuer":
                provider.issuer_key = new_key
                completion = await http.post(
                    provider.url("issuer", "/completions"),
                    json={
                        "completion_id": "refused",
                        "achievement_id": provider.achievement_id,
                        "learner": {"email": "refused@learners.example"},
                        "completed_on": "2026-06-30",
                    },
                    headers=_bearer(old_key),
                )
                assert completion.status_code == 401
            else:
                course = await http.post(
                    provider.url("catalogue", f"/providers/{pid}/courses"),
                    json=provider.course,
                    headers=_bearer(old_key),
                )
                assert course.status_code == 401
