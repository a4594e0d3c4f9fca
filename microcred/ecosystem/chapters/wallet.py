"""The learner's chapter: Bo opens his wallet from the link in his e-mail, shares one
credential and withdraws the link, then bundles his credentials (three from two providers and
the stacked one they earned him) into a CLR that an employer verifies in one call."""

from __future__ import annotations

import copy
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

from .. import story
from ..demo import Demo, StepFailed, eventually
from ..mailbox import wallet_links_to

# The learner whose credentials stack across two providers (the automation technician award).
LEARNER = story.LEARNERS[1]


async def wallet_token(demo: Demo) -> str:
    """The token of a wallet link e-mailed to Bo (his issuance e-mails carry one, valid for
    days): asking for a new one would hold back the next ask for a minute."""
    mailbox = demo.ecosystem.log_file("mailsink")

    async def links() -> list[str]:
        return wallet_links_to(mailbox, LEARNER.email)

    found: list[str] = await eventually(links, "a wallet link in Bo's e-mail")
    return parse_qs(urlsplit(found[-1]).query)["token"][0]


async def his_credentials(demo: Demo, bearer: dict[str, str]) -> list[dict[str, Any]]:
    """His credentials, once the stacked one is among them."""

    async def listed() -> list[dict[str, Any]] | None:
        answer = await demo.http.get(demo.url("issuer", "/learners/me/credentials"), headers=bearer)
        answer.raise_for_status()
        found: list[dict[str, Any]] = answer.json()
        return found if any(c.get("kind") == "stacked" for c in found) else None

    credentials: list[dict[str, Any]] = await eventually(listed, "Bo's stacked credential")
    return credentials


async def share_and_withdraw(demo: Demo, bearer: dict[str, str], credential_id: str) -> str:
    links = demo.url("issuer", "/learners/me/share-links")
    created = await demo.http.post(links, json={"credential_id": credential_id}, headers=bearer)
    if created.status_code != 201:
        raise StepFailed(f"creating a share link: {created.status_code} {created.text}")
    link = created.json()
    opened = (await demo.http.get(link["url"])).status_code
    await demo.http.post(f"{links}/{link['share_id']}/withdraw", headers=bearer)
    after = (await demo.http.get(link["url"])).status_code
    if (opened, after) != (200, 410):
        raise StepFailed(f"the share link answered {opened}, then {after} once withdrawn")
    return f"a share link opened ({opened}), then answered {after} once withdrawn"


async def build_and_verify_clr(demo: Demo, bearer: dict[str, str], ids: list[str]) -> str:
    built = await demo.http.post(
        demo.url("issuer", "/learners/me/clr"), json={"credential_ids": ids}, headers=bearer
    )
    if built.status_code != 200:
        raise StepFailed(f"building the CLR: {built.status_code} {built.text}")
    clr = built.json()
    verify = demo.url("verifier", "/verify")

    async def verified() -> dict[str, Any] | None:
        result: dict[str, Any] = (await demo.http.post(verify, json={"credential": clr})).json()
        return result if result["verdict"] in {"verified", "verified_with_warnings"} else None

    result = await eventually(verified, "the CLR to verify")
    tampered = copy.deepcopy(clr)
    tampered["credentialSubject"]["verifiableCredential"][0]["name"] += " (honours)"
    forged = (await demo.http.post(verify, json={"credential": tampered})).json()
    if forged["verdict"] != "not_verified":
        raise StepFailed(f"a tampered CLR was {forged['verdict']}")
    embedded = [e["verdict"] for e in result["embedded_credentials"]]
    return (
        f"a CLR of {len(ids)} credentials, signed by {clr['issuer']['id']}: {result['verdict']} "
        f"(each: {', '.join(embedded)}); tampered: {forged['verdict']}"
    )


async def learner_wallet(demo: Demo) -> str:
    """Open the wallet, share one credential and withdraw it, build a CLR and verify it."""
    token = await wallet_token(demo)
    async with httpx.AsyncClient(timeout=30) as browser:
        opened = await browser.get(demo.url("issuer", f"/wallet/open?token={token}"))
        wallet = await browser.get(demo.url("issuer", "/wallet"))
    if opened.status_code != 200 or wallet.status_code != 200:
        raise StepFailed(f"opening the wallet: {opened.status_code}, {wallet.status_code}")
    bearer = {"Authorization": f"Bearer {token}"}
    credentials = await his_credentials(demo, bearer)
    ids = [c["credential_id"] for c in credentials if c["status"] != "revoked"]
    shared = await share_and_withdraw(demo, bearer, ids[0])
    clr = await build_and_verify_clr(demo, bearer, ids)
    return f"his wallet opened; {shared}; {clr}"
