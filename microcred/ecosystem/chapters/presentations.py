"""The demo's presentation chapter: a learner who holds a did:key gets a credential issued to
that DID, presents it to an employer over the verifier's challenge (verified once; the same
presentation again is a replay), and the employer verifies its VC-JOSE form too."""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Any

from microcred_shared.crypto import Ed25519Multikey
from microcred_shared.crypto.presentations import sign_presentation

from .. import story

if TYPE_CHECKING:
    from ..demo import Demo

# A demo holder whose key everyone can derive: the story's ids stay the same on every run (the
# issuer answers the same completion with the same credential), which only a fixed key allows.
HOLDER = Ed25519Multikey.from_seed(hashlib.sha256(b"microcred demo holder: Noor").digest())
COURSE = "KA-COBOT"


async def learner_presents(demo: Demo) -> str:
    credential_id, credential = await _issued_to_holder(demo)
    challenge = (await demo.http.post(demo.url("verifier", "/presentations/challenges"))).json()
    presentation = sign_presentation(
        [credential], HOLDER, challenge=challenge["challenge"], domain=challenge["domain"]
    )
    first = await _verified(demo, presentation)
    replay = await _verified(demo, presentation)
    token = await demo.http.get(
        demo.url("issuer", f"/credentials/{credential_id}"),
        headers={"accept": "application/vc+jwt"},
    )
    jose = await demo.http.post(
        demo.url("verifier", "/verify"),
        content=token.text,
        headers={"content-type": "application/vc+jwt"},
    )
    if first["verdict"] != "verified" or replay["verdict"] != "not_verified":
        raise RuntimeError(f"presentation {first['headline']}; replay {replay['headline']}")
    return (
        f"Noor ({HOLDER.controller[:24]}…) presents {COURSE}: {first['verdict']}; the same "
        f"presentation again: {replay['verdict']}; its VC-JOSE form: {jose.json()['verdict']}"
    )


async def _issued_to_holder(demo: Demo) -> tuple[str, dict[str, Any]]:
    body = {
        "completion_id": f"demo-did-holder-{COURSE}",
        "achievement_id": story.achievement(story.PARTNER, COURSE),
        "learner": {"did": HOLDER.controller},
        "completed_on": "2026-06-30",
    }
    headers = {"Authorization": f"Bearer {demo.issuer_keys[story.PARTNER]}"}
    issued = await demo.http.post(demo.url("issuer", "/completions"), json=body, headers=headers)
    issued.raise_for_status()
    credential_id = str(issued.json()["credential_id"])
    url = demo.url("issuer", f"/credentials/{credential_id}")
    credential: dict[str, Any] = (await demo.http.get(url)).json()
    return credential_id, credential


async def _verified(demo: Demo, presentation: dict[str, Any]) -> dict[str, Any]:
    response = await demo.http.post(demo.url("verifier", "/verify"), json=presentation)
    response.raise_for_status()
    report: dict[str, Any] = response.json()
    return report
