"""Issue 8: every provider- or owner-scoped endpoint, tried with no credentials, another
provider's key, a wrong key and the right key: only the right key gets through."""

from __future__ import annotations

import secrets
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from microcred.ecosystem import story
from microcred.ecosystem.mailbox import wallet_links_to
from tests.reliability.conftest import Seeded
from tests.support import eventually

pytestmark = [pytest.mark.reliability, pytest.mark.e2e, pytest.mark.timeout(300)]

OWNER, OTHER = story.UNIVERSITY, story.COLLEGE
BYSTANDER = story.ACADEMY  # suspended and reinstated: no other test issues in its name
DENIED_WITHOUT_KEY = {401}
DENIED_TO_OTHERS = {401, 403, 404}


@dataclass
class Probe:
    service: str
    method: str
    path: str
    right: dict[str, str]  # the owner's (or admin's) Authorization header
    other: dict[str, str]
    ok: set[int] = field(default_factory=lambda: {200, 201})
    request: dict[str, Any] = field(default_factory=dict)
    allowed: Callable[[httpx.Response], bool] = lambda response: True


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@dataclass
class Matrix:
    counts: Counter[str] = field(default_factory=Counter)
    wrongly_allowed: list[str] = field(default_factory=list)

    async def check(self, http: httpx.AsyncClient, seeded: Seeded, probe: Probe) -> None:
        wrong = bearer("mc_" + secrets.token_urlsafe(24))
        for who, headers, expected in (
            ("no credentials", {}, DENIED_WITHOUT_KEY),
            ("another provider's key", probe.other, DENIED_TO_OTHERS),
            ("wrong key", wrong, DENIED_WITHOUT_KEY),
            ("right key", probe.right, probe.ok),
        ):
            response = await http.request(
                probe.method,
                seeded.url(probe.service, probe.path),
                headers=headers,
                **probe.request,
            )
            passed = response.status_code in expected
            seeded.secrets_handed_out |= secrets_in(response)
            if who == "another provider's key" and response.status_code in probe.ok:
                passed = not probe.allowed(response)  # e.g. a cohort whose every row is refused
            self.counts[f"{who}: {'as expected' if passed else 'WRONG'}"] += 1
            if not passed:
                self.wrongly_allowed.append(
                    f"{probe.method} {probe.service}{probe.path} with {who}: "
                    f"{response.status_code} {response.text[:200]}"
                )


def secrets_in(response: httpx.Response) -> set[str]:
    """API keys and signing secrets an answer hands out (shown once, never to be logged)."""
    try:
        body = response.json()
    except ValueError:
        return set()
    if not isinstance(body, dict):
        return set()
    return {v for k, v in body.items() if k in ("api_key", "secret") and isinstance(v, str)}


def course_of(provider_id: str) -> dict[str, Any]:
    return next(c for c in story.COURSES if c["provider_id"] == provider_id)


async def test_only_the_owners_key_passes_every_provider_scoped_endpoint(seeded: Seeded) -> None:
    catalogue_right, catalogue_other = (
        bearer(seeded.catalogue_keys[OWNER]),
        bearer(seeded.catalogue_keys[OTHER]),
    )
    issuer_right, issuer_other = (
        bearer(seeded.issuer_keys[OWNER]),
        bearer(seeded.issuer_keys[OTHER]),
    )
    course = course_of(OWNER)
    achievement_id = story.achievement(OWNER, course["course_code"])
    run = secrets.token_hex(4)
    pathway = story.PATHWAYS[0]
    pathway_id = f"acl-{run}"
    pathway_body = {**pathway["body"], "owner_provider_id": OWNER}

    async with httpx.AsyncClient(timeout=30) as http:
        created = await seeded.put_pathway(http, pathway_id, pathway_body)
        assert created.status_code == 201, created.text
        credential = await http.post(
            seeded.url("issuer", "/completions"),
            json=completion(f"acl/{run}/target", achievement_id),
            headers=issuer_right,
        )
        assert credential.status_code == 201, credential.text
        credential_id = credential.json()["credential_id"]
        other_learner = await http.post(
            seeded.url("issuer", "/completions"),
            json=completion(f"acl/{run}/other-learner", achievement_id),
            headers=issuer_right,
        )
        assert other_learner.status_code == 201, other_learner.text
        learner_right, learner_other = (
            bearer(await emailed_token(seeded, learner_of(f"acl/{run}/target"))),
            bearer(await emailed_token(seeded, learner_of(f"acl/{run}/other-learner"))),
        )
        subscribers = [await subscriber(http, seeded, provider) for provider in (OWNER, OTHER)]
        notifier_right, notifier_other = bearer(subscribers[0]), bearer(subscribers[1])
        subscription = await http.post(
            seeded.url("notifier", "/subscriptions"),
            json={"url": "http://127.0.0.1:9/hooks", "event_types": ["credential.issued"]},
            headers=notifier_right,
        )
        assert subscription.status_code == 201, subscription.text
        subscription_id = subscription.json()["subscription_id"]
        seeded.secrets_handed_out |= secrets_in(subscription)
        admin_issuer, admin_notifier = seeded.admin("issuer"), seeded.admin("notifier")
        # Key management is probed on the bystander: reporting its signing key compromised
        # re-issues nothing another test holds, and its spare API keys are made to be revoked.
        bystander_issuer = bearer(seeded.issuer_keys[BYSTANDER])
        bystander_catalogue = bearer(seeded.catalogue_keys[BYSTANDER])
        spare_issuer_key = await http.post(
            seeded.url("issuer", f"/admin/providers/{BYSTANDER}/api-keys"), headers=admin_issuer
        )
        spare_catalogue_key = await http.post(
            seeded.url("catalogue", f"/providers/{BYSTANDER}/api-keys"),
            headers=seeded.admin("catalogue"),
        )
        for spare in (spare_issuer_key, spare_catalogue_key):
            assert spare.status_code == 201, spare.text
            seeded.secrets_handed_out |= secrets_in(spare)
        csv = f"completion_id,achievement_id,completed_on,email\nacl/{run}/cohort,{achievement_id},2026-07-01,c-{run}@learners.example\n"

        probes = [
            Probe(
                "catalogue",
                "POST",
                f"/providers/{OWNER}/courses",
                catalogue_right,
                catalogue_other,
                request={"json": course},
            ),
            Probe(
                "catalogue",
                "PUT",
                f"/pathways/{pathway_id}",
                catalogue_right,
                catalogue_other,
                request={"json": {**pathway_body, "owner_provider_id": None}},
            ),
            Probe(
                "catalogue",
                "POST",
                f"/admin/providers/{BYSTANDER}/suspend",
                seeded.admin("catalogue"),
                bearer(seeded.catalogue_keys[BYSTANDER]),
                ok={200, 204},
            ),
            Probe(
                "catalogue",
                "POST",
                f"/admin/providers/{BYSTANDER}/reinstate",
                seeded.admin("catalogue"),
                bearer(seeded.catalogue_keys[BYSTANDER]),
                ok={200, 204},
            ),
            Probe(
                "catalogue",
                "GET",
                f"/stats/issuance?provider={OWNER}",
                catalogue_right,
                catalogue_other,
                ok={200},
            ),
            Probe(
                "catalogue",
                "GET",
                f"/providers/{OWNER}/dashboard",
                catalogue_right,
                catalogue_other,
                ok={200},
            ),
            Probe(
                "catalogue",
                "GET",
                f"/providers/{OWNER}/dashboard",
                seeded.admin("catalogue"),
                catalogue_other,
                ok={200},
            ),
            # The owner is the learner, the key the token of the link e-mailed to them; another
            # learner's token lists only that learner's own credentials.
            Probe(
                "issuer",
                "GET",
                "/learners/me/credentials",
                learner_right,
                learner_other,
                ok={200},
                allowed=lambda response: credential_id in response.text,
            ),
            Probe(
                "issuer",
                "POST",
                "/completions",
                issuer_right,
                issuer_other,
                request={"json": completion(f"acl/{run}/one", achievement_id)},
            ),
            Probe(
                "issuer",
                "POST",
                "/completions/cohort",
                issuer_right,
                issuer_other,
                request={"files": {"file": ("cohort.csv", csv.encode(), "text/csv")}},
                allowed=lambda response: response.json().get("state") == "queued",
            ),
            *[
                Probe(
                    "issuer",
                    "POST",
                    f"/credentials/{credential_id}/{action}",
                    issuer_right,
                    issuer_other,
                    request={"json": {"reason": "access-control test"}},
                )
                for action in ("suspend", "reinstate", "revoke")
            ],
            Probe(
                "issuer",
                "POST",
                f"/admin/providers/{OWNER}/api-keys",
                admin_issuer,
                issuer_right,
            ),
            Probe(
                "issuer",
                "POST",
                f"/admin/providers/{OWNER}/keys/rotate",
                admin_issuer,
                issuer_right,
            ),
            Probe(
                "issuer",
                "POST",
                f"/providers/{BYSTANDER}/keys/key-1/compromised",
                bystander_issuer,
                issuer_right,
                ok={202},
            ),
            Probe(
                "issuer",
                "GET",
                f"/providers/{BYSTANDER}/reissue-jobs/key-1",
                bystander_issuer,
                issuer_right,
            ),
            *[
                Probe(service, method, f"/providers/{BYSTANDER}/api-keys", right, other)
                for service, right, other in (
                    ("issuer", bystander_issuer, issuer_right),
                    ("catalogue", bystander_catalogue, catalogue_right),
                )
                for method in ("GET", "POST")
            ],
            Probe(
                "issuer",
                "POST",
                f"/providers/{BYSTANDER}/api-keys/{spare_issuer_key.json()['key_id']}/revoke",
                bystander_issuer,
                issuer_right,
            ),
            Probe(
                "catalogue",
                "POST",
                f"/providers/{BYSTANDER}/api-keys/{spare_catalogue_key.json()['key_id']}/revoke",
                bystander_catalogue,
                catalogue_right,
            ),
            Probe(
                "notifier",
                "POST",
                "/admin/subscribers",
                admin_notifier,
                notifier_right,
                request={"json": {"name": "ACL", "kind": "partner", "provider_ids": []}},
            ),
            Probe(
                "notifier",
                "GET",
                f"/subscriptions/{subscription_id}",
                notifier_right,
                notifier_other,
            ),
            *[
                Probe(
                    "notifier",
                    "POST",
                    f"/subscriptions/{subscription_id}/{action}",
                    notifier_right,
                    notifier_other,
                )
                for action in ("pause", "resume", "secret/rotate")
            ],
            Probe(
                "notifier",
                "GET",
                f"/subscriptions/{subscription_id}/deliveries",
                notifier_right,
                notifier_other,
            ),
            Probe(
                "notifier",
                "DELETE",
                f"/subscriptions/{subscription_id}",
                notifier_right,
                notifier_other,
                ok={200, 204},
            ),
        ]
        matrix = Matrix()
        for probe in probes:
            await matrix.check(http, seeded, probe)

    print(f"\naccess-control matrix: {len(probes)} endpoints × 4 callers: {dict(matrix.counts)}")
    assert matrix.wrongly_allowed == []


def learner_of(completion_id: str) -> str:
    return f"{completion_id.replace('/', '-')}@learners.example"


def completion(completion_id: str, achievement_id: str) -> dict[str, Any]:
    return {
        "completion_id": completion_id,
        "achievement_id": achievement_id,
        "learner": {"email": learner_of(completion_id)},
        "completed_on": "2026-07-01",
    }


async def emailed_token(seeded: Seeded, email: str) -> str:
    """The token of the wallet link in the learner's issuance e-mail (the local mail sink)."""
    mailbox = seeded.ecosystem.log_file("mailsink")

    async def links() -> list[str]:
        return wallet_links_to(mailbox, email)

    found = await eventually(links, timeout=60)
    return str(parse_qs(urlsplit(found[-1]).query)["token"][0])


async def subscriber(http: httpx.AsyncClient, seeded: Seeded, provider_id: str) -> str:
    created = await http.post(
        seeded.url("notifier", "/admin/subscribers"),
        json={"name": f"ACL {provider_id}", "kind": "university", "provider_ids": [provider_id]},
        headers=seeded.admin("notifier"),
    )
    assert created.status_code == 201, created.text
    seeded.secrets_handed_out |= secrets_in(created)
    return str(created.json()["api_key"])
