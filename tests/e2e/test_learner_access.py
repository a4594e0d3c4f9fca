"""Learners own their list, providers their figures: across the real service processes, the
learner's links read from the e-mails the notifier sent to the local mail sink."""

from __future__ import annotations

import asyncio
import base64
import json
import secrets
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from microcred_issuer.service_layer.learner_access import LINK_PURPOSE
from microcred_shared.access_tokens import PurposeTokens

from microcred.ecosystem import story
from microcred.ecosystem.demo import Outcome
from microcred.ecosystem.mailbox import messages_to, wallet_links_to
from microcred.ecosystem.processes import Ecosystem
from microcred.ecosystem.secrets import dev_secrets
from tests.support import eventually

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(300)]

ASKED_FOR = "Your link to your micro-credentials"


async def asked_link(http: httpx.AsyncClient, ecosystem: Ecosystem, email: str) -> str:
    """Ask for a wallet link as the learner does, and read it from their e-mail."""
    mailbox = ecosystem.log_file("mailsink")
    before = len(wallet_links_to(mailbox, email, ASKED_FOR))
    asked = await http.post(
        ecosystem.service("issuer").url + "/learners/access-links", json={"email": email}
    )
    assert asked.status_code == 202

    async def links() -> list[str]:
        return wallet_links_to(mailbox, email, ASKED_FOR)

    found = await eventually(links, lambda seen: len(seen) > before, timeout=60)
    return found[-1]


def token_of(link: str) -> str:
    return parse_qs(urlsplit(link).query)["token"][0]


def subject_of(token: str) -> str:
    payload = token.split(".")[1]
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    return str(claims["sub"])


async def test_a_learners_list_answers_only_the_link_emailed_to_that_learner(
    ecosystem: Ecosystem, played: Outcome
) -> None:
    bo, chen = story.LEARNERS[1], story.LEARNERS[2]
    mine = ecosystem.service("issuer").url + "/learners/me/credentials"
    async with httpx.AsyncClient(timeout=30) as http:
        assert (await http.get(mine)).status_code == 401
        nobody = f"nobody-{secrets.token_hex(4)}@learners.example"
        unknown = await http.post(
            ecosystem.service("issuer").url + "/learners/access-links", json={"email": nobody}
        )
        bo_token = token_of(await asked_link(http, ecosystem, bo.email))
        chen_token = token_of(await asked_link(http, ecosystem, chen.email))

        bos = await http.get(mine, headers={"Authorization": f"Bearer {bo_token}"})
        chens = await http.get(mine, headers={"Authorization": f"Bearer {chen_token}"})
        header, payload, signature = bo_token.split(".")
        tampered = await http.get(
            mine, headers={"Authorization": f"Bearer {header}.{payload}.{signature[::-1]}"}
        )
        # Genuinely signed with the issuer's key, for Bo, but expired an hour ago.
        key = dev_secrets(ecosystem.run_dir)["ISSUER_LEARNER_ACCESS_KEY"]
        expired = PurposeTokens(key, LINK_PURPOSE, timedelta(minutes=30)).mint(
            subject_of(bo_token), datetime.now(UTC) - timedelta(minutes=90)
        )
        stale = await http.get(mine, headers={"Authorization": f"Bearer {expired.token}"})

    assert unknown.status_code == 202
    assert bos.status_code == chens.status_code == 200
    bo_achievements = {c["achievement_id"] for c in bos.json()}
    assert {story.achievement(p, code) for p, code in bo.completions} <= bo_achievements
    bo_ids = {c["credential_id"] for c in bos.json()}
    assert bo_ids.isdisjoint(c["credential_id"] for c in chens.json())
    assert (tampered.status_code, stale.status_code) == (401, 401)
    await asyncio.sleep(2)  # the unknown address's look-up ran long ago; nothing went to it
    assert messages_to(ecosystem.log_file("mailsink"), nobody) == []


async def test_a_providers_counts_need_its_key_and_public_demand_withholds_small_counts(
    ecosystem: Ecosystem, played: Outcome
) -> None:
    catalogue = ecosystem.service("catalogue").url
    admin = {"Authorization": f"Bearer {dev_secrets(ecosystem.run_dir)['CATALOGUE_ADMIN_TOKEN']}"}
    query = {"provider": story.COLLEGE}
    async with httpx.AsyncClient(timeout=30) as http:
        anonymous = await http.get(catalogue + "/stats/issuance", params=query)
        dashboard = await http.get(f"{catalogue}/providers/{story.COLLEGE}/dashboard")
        as_admin = await http.get(catalogue + "/stats/issuance", params=query, headers=admin)

        async def demand() -> list[dict[str, object]]:
            answer = await http.get(catalogue + "/stats/demand", params={"by": "achievement"})
            rows: list[dict[str, object]] = answer.json()["rows"]
            return rows

        rows = await eventually(demand, timeout=60)

    assert (anonymous.status_code, dashboard.status_code) == (401, 401)
    assert "data-figure" not in dashboard.text
    assert as_admin.status_code == 200
    assert as_admin.json()["revoked"] >= 1
    for row in rows:
        shown = [n for n in (row["verifications"], row["verified"]) if isinstance(n, int)]
        assert all(n >= 5 for n in shown), row
        assert row["suppressed"] == (len(shown) < 2)
    # The story's employers verified a few credentials a few times each: small counts.
    assert any(row["suppressed"] for row in rows)
