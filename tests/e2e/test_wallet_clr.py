"""The learner's record across the real processes: Bo's CLR (three credentials from two
providers and the stacked award they earned him), built by the issuer and verified by the
verifier, fails when any bundled credential or the record's own fields are tampered with."""

from __future__ import annotations

import copy
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from microcred.ecosystem.chapters.wallet import LEARNER
from microcred.ecosystem.demo import Outcome
from microcred.ecosystem.mailbox import wallet_links_to
from microcred.ecosystem.processes import Ecosystem

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(300)]

CHAPTER = "A learner shares a credential and builds a CLR"


def issuance_link_token(ecosystem: Ecosystem) -> str:
    link = wallet_links_to(ecosystem.log_file("mailsink"), LEARNER.email)[-1]
    return parse_qs(urlsplit(link).query)["token"][0]


async def test_a_clr_verifies_and_fails_when_any_part_is_tampered_with(
    ecosystem: Ecosystem, played: Outcome
) -> None:
    assert CHAPTER not in played.failed
    bearer = {"Authorization": f"Bearer {issuance_link_token(ecosystem)}"}
    issuer, verifier = ecosystem.service("issuer").url, ecosystem.service("verifier").url
    async with httpx.AsyncClient(timeout=60) as http:
        listed = (await http.get(f"{issuer}/learners/me/credentials", headers=bearer)).json()
        ids = [c["credential_id"] for c in listed]
        providers = {c["provider_id"] for c in listed if c["kind"] == "completion"}
        assert len(ids) == 4
        assert len(providers) == 2
        assert [c["kind"] for c in listed].count("stacked") == 1
        built = await http.post(
            f"{issuer}/learners/me/clr", json={"credential_ids": ids}, headers=bearer
        )
        assert built.status_code == 200, built.text
        clr = built.json()

        async def verdict_of(document: dict[str, Any]) -> dict[str, Any]:
            answer = await http.post(f"{verifier}/verify", json={"credential": document})
            assert answer.status_code == 200, answer.text
            result: dict[str, Any] = answer.json()
            return result

        good = await verdict_of(clr)
        assert good["verdict"] in {"verified", "verified_with_warnings"}, good["headline"]
        assert len(good["embedded_credentials"]) == 4
        assert {e["verdict"] for e in good["embedded_credentials"]} <= {
            "verified",
            "verified_with_warnings",
        }
        associations = clr["credentialSubject"]["association"]
        assert [a["associationType"] for a in associations] == ["isParentOf"] * 3

        for index in range(4):
            tampered = copy.deepcopy(clr)
            subject = tampered["credentialSubject"]["verifiableCredential"][index]
            subject["credentialSubject"]["achievement"]["name"] += " (with honours)"
            result = await verdict_of(tampered)
            assert result["verdict"] == "not_verified"
            assert result["embedded_credentials"][index]["verdict"] == "not_verified"

        renamed = await verdict_of({**clr, "name": "Master of Engineering"})
        assert renamed["verdict"] == "not_verified"
