"""The demo's languages chapter (issue 15): Kessler Automation publishes a course in English,
German and French through the catalogue's HTTP gateway; a German word finds it, its page reads
in French, and a learner's credential carries all three languages and verifies."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from .. import story

if TYPE_CHECKING:
    from ..demo import Demo

CODE = "KA-SPS"
ACHIEVEMENT = story.achievement(story.PARTNER, CODE)
GERMAN_NAME = "Sicherheitssteuerungen programmieren"
FRENCH_NAME = "Programmer des automates de sécurité"
# A learner of this chapter only: their credential is the one that carries three languages.
CHLOE = story.Learner(
    "Chloé Marchand", "chloe.marchand@learners.example", "2026-0815", [(story.PARTNER, CODE)]
)

COURSE: dict[str, Any] = {
    "action": "offered",
    "provider_id": story.PARTNER,
    "course_code": CODE,
    "version": 1,
    "course": {
        "name": "Safety PLC programming",
        "description": "Program safety controllers for collaborative robot cells to ISO 13849.",
        "criteria": "Validate a safety function on a real cell and document it.",
        "learning_outcomes": [
            "Design a safety function to a required performance level",
            "Validate a safety function on a robot cell",
        ],
        "ects": 2.5,
        "eqf_level": 5,
        "isced_f": "0714",
        "languages": ["de", "en", "fr"],
        "participation_forms": ["work_based"],
        "assessment_type": "Validated safety function with a written report",
        "primary_language": "en",
        "translations": {
            "de": {
                "name": GERMAN_NAME,
                "description": "Sicherheitssteuerungen für kollaborative Roboterzellen nach "
                "ISO 13849 programmieren.",
                "criteria": "Eine Sicherheitsfunktion an einer realen Zelle validieren und "
                "dokumentieren.",
                "learning_outcomes": [
                    "Eine Sicherheitsfunktion für einen geforderten Performance Level entwerfen",
                    "Eine Sicherheitsfunktion an einer Roboterzelle validieren",
                ],
            },
            "fr": {
                "name": FRENCH_NAME,
                "description": "Programmer des automates de sécurité pour des cellules "
                "robotisées collaboratives selon l’ISO 13849.",
                "learning_outcomes": [
                    "Concevoir une fonction de sécurité pour un niveau de performance requis",
                    "Valider une fonction de sécurité sur une cellule robotisée",
                ],
            },
        },
    },
}


async def multilingual_course(demo: Demo) -> str:
    """Published, found by a German word, read in French, issued and verified in three."""
    from ..demo import StepFailed, eventually, report_completion, verify

    published = await demo.http.post(
        demo.url("catalogue", f"/providers/{story.PARTNER}/courses"),
        json=COURSE,
        headers={"Authorization": f"Bearer {demo.catalogue_keys[story.PARTNER]}"},
    )
    if published.status_code >= 400:
        raise StepFailed(f"the gateway refused the course: {published.status_code}")
    lacking = published.json()["achievement"]["missing_by_language"]

    async def found_in_german() -> list[str]:
        response = await demo.http.get(
            demo.url("catalogue", "/achievements"),
            params={"q": "Sicherheitssteuerungen", "lang": "de"},
        )
        return [hit["achievement_id"] for hit in response.json()["items"]]

    hits = await eventually(found_in_german, "the German search to find the course")
    if hits != [ACHIEVEMENT]:
        raise StepFailed(f"the German search found {hits}")
    french = await demo.http.get(
        demo.url("catalogue", f"/achievements/{ACHIEVEMENT}/page"), params={"lang": "fr"}
    )
    updated = re.search(r'id="updated">([^<·]+)', french.text)
    if FRENCH_NAME not in french.text or updated is None:
        raise StepFailed("the French page does not show the French title and date")

    credential_id = await report_completion(demo, CHLOE, story.PARTNER, CODE, "2026-06-12")
    credential = (await demo.http.get(demo.url("issuer", f"/credentials/{credential_id}"))).json()
    names = credential["credentialSubject"]["achievement"]["nameTranslations"]
    result = await eventually(
        lambda: _verified(verify(demo, credential_id)), "the trilingual credential to verify"
    )
    return (
        f"{ACHIEVEMENT} in {', '.join(sorted(names))} (French lacks {lacking['fr']}); "
        f"'Sicherheitssteuerungen' with lang=de finds it; the French page: "
        f"“{FRENCH_NAME}”, {updated.group(1).strip()}; its credential: {result['verdict']}"
    )


async def _verified(report: Any) -> dict[str, Any] | None:
    result: dict[str, Any] = await report
    return result if result.get("verdict") in {"verified", "verified_with_warnings"} else None
