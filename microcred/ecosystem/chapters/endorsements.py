"""Issue 15's chapter: the partner company Kessler Automation endorses the university's
mechatronics course; the next credential of the course carries the endorsement; the employer's
verification reports the endorsements check; a tampered copy of that credential is refused."""

from __future__ import annotations

import copy
from typing import Any

from .. import story
from ..demo import Demo, StepFailed, eventually, report_completion

COURSE = "MECH-402"
LEARNER = story.Learner("Jonas Weber", "jonas.weber@learners.example", "2026-0815")
COMMENT = "Co-designed with our robotics engineers; we hire its graduates."


async def play_endorsement_chapter(demo: Demo) -> None:
    await demo.step("A partner company endorses a course", lambda: partner_endorses(demo))
    await demo.step(
        "The next credential carries the endorsement and the verifier checks it",
        lambda: endorsed_credential_verifies(demo),
    )


async def partner_endorses(demo: Demo) -> str:
    response = await demo.http.post(
        demo.url("issuer", "/endorsements"),
        json={
            "target_kind": "achievement",
            "target_id": story.achievement(story.UNIVERSITY, COURSE),
            "comment": COMMENT,
        },
        headers={"Authorization": f"Bearer {demo.issuer_keys[story.PARTNER]}"},
    )
    if response.status_code not in (200, 201):
        raise StepFailed(f"{response.status_code} {response.text}")
    endorsement = response.json()
    return (
        f"{endorsement['endorser_name']} endorses {COURSE}: a signed EndorsementCredential "
        f"({endorsement['credential']['proof'][0]['cryptosuite']})"
    )


async def endorsed_credential_verifies(demo: Demo) -> str:
    credential_id = await report_completion(demo, LEARNER, story.UNIVERSITY, COURSE, "2026-07-02")
    url = demo.url("issuer", f"/credentials/{credential_id}")
    credential = (await demo.http.get(url)).json()
    if not credential["credentialSubject"]["achievement"].get("endorsement"):
        raise StepFailed("the credential carries no endorsement")
    result = await eventually(
        lambda: _verdict(demo, credential, "verified"), "the endorsed credential to verify"
    )
    check = next(c for c in result["checks"] if c["name"] == "endorsements")
    tampered = copy.deepcopy(credential)
    embedded = tampered["credentialSubject"]["achievement"]["endorsement"][0]
    embedded["credentialSubject"]["endorsementComment"] = "We never worked with them."
    refused = await _verify(demo, tampered)
    if refused["verdict"] != "not_verified":
        raise StepFailed(f"a tampered endorsement was {refused['verdict']}")
    return (
        f"{LEARNER.name}'s {COURSE}: {result['verdict']}, endorsements check {check['status']} "
        f"({check['reason']}); with the comment altered: {refused['verdict']}"
    )


async def _verify(demo: Demo, credential: dict[str, Any]) -> dict[str, Any]:
    response = await demo.http.post(
        demo.url("verifier", "/verify"), json={"credential": credential}
    )
    result: dict[str, Any] = response.json()
    return result


async def _verdict(demo: Demo, credential: dict[str, Any], wanted: str) -> dict[str, Any] | None:
    result = await _verify(demo, credential)
    return result if result.get("verdict") == wanted else None
