"""The HTTP gateway for partners without a Kafka client, and reading achievements."""

import base64
import json
from typing import Annotated

from fastapi import APIRouter, Body, Query
from microcred_shared.events.contracts.partner import CourseEventV1
from microcred_shared.service.http import Problem
from pydantic import Field

from ..domain.search import SearchQuery, SortOrder
from ..service_layer import commands
from .deps import Api, CallerDep
from .schemas import AchievementPublic, CourseEventResponse, SearchResponse

EqfLevel = Annotated[int, Field(ge=1, le=8)]

COURSE_EXAMPLE = {
    "action": "offered",
    "provider_id": "tu-linz",
    "course_code": "MECH-101",
    "version": 1,
    "course": {
        "name": "PLC programming for mechatronics",
        "description": "Programme industrial controllers to IEC 61131-3.",
        "learning_outcomes": ["Write structured-text PLC programs", "Commission a PLC cell"],
        "workload_hours": 137.5,
        "eqf_level": "EQF 5",
        "isced_f": "Electronics and automation",
        "languages": ["English", "de"],
        "participation_forms": ["hybrid"],
        "assessment_type": "practical project with oral defence",
        "skills": [{"name": "program PLCs", "url": "http://data.europa.eu/esco/skill/example"}],
    },
}


def encode_cursor(after: tuple[object, str]) -> str:
    return base64.urlsafe_b64encode(json.dumps(list(after)).encode()).decode()


def decode_cursor(cursor: str) -> tuple[object, str]:
    try:
        value, last_id = json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except ValueError as error:
        raise Problem(400, "Bad cursor", "pass back the next_cursor of a previous page") from error
    if not isinstance(last_id, str) or isinstance(value, (dict, list)):
        raise Problem(400, "Bad cursor", "pass back the next_cursor of a previous page")
    return value, last_id


router = APIRouter(tags=["achievements"])


@router.post("/providers/{provider_id}/courses", tags=["partner gateway"])
async def publish_course(
    provider_id: str,
    who: CallerDep,
    event: Annotated[CourseEventV1, Body(openapi_examples={"offered": {"value": COURSE_EXAMPLE}})],
    api: Api,
) -> CourseEventResponse:
    """Offer, change or retire one of your courses (the same payload as on Kafka)."""
    if who.provider is None or who.provider.provider_id != provider_id:
        raise Problem(
            403, "Forbidden", "use the API key of the provider in the path", code="forbidden"
        )
    result = await api.courses.handle(commands.IngestCourseEvent(provider_id, event))
    return CourseEventResponse(
        outcome=result.outcome.value,
        achievement=AchievementPublic.of(result.achievement) if result.achievement else None,
    )


@router.get("/achievements/{achievement_id}")
async def get_achievement(achievement_id: str, api: Api) -> AchievementPublic:
    """One micro-credential definition with its completeness report."""
    return AchievementPublic.of(await api.queries.get(achievement_id))


@router.get("/achievements")
async def search_achievements(
    api: Api,
    q: Annotated[str | None, Query(max_length=200, examples=["plc programming"])] = None,
    provider: Annotated[list[str], Query(examples=[["tu-linz"]])] = [],  # noqa: B006
    provider_type: Annotated[list[str], Query(examples=[["university"]])] = [],  # noqa: B006
    country: Annotated[list[str], Query(examples=[["AT"]])] = [],  # noqa: B006
    eqf: Annotated[list[EqfLevel], Query(examples=[[5, 6]])] = [],  # noqa: B006
    isced_f: Annotated[str | None, Query(pattern=r"^\d{2,4}$", examples=["071"])] = None,
    ects_min: Annotated[float | None, Query(ge=0)] = None,
    ects_max: Annotated[float | None, Query(ge=0)] = None,
    participation: Annotated[list[str], Query(examples=[["online"]])] = [],  # noqa: B006
    language: Annotated[list[str], Query(examples=[["en"]])] = [],  # noqa: B006
    lang: Annotated[
        list[str],
        Query(description="the texts are available in this language (BCP 47)", examples=[["de"]]),
    ] = [],  # noqa: B006
    min_completeness: Annotated[float | None, Query(ge=0, le=1)] = None,
    include_retired: bool = False,
    endorser: Annotated[list[str], Query(examples=[["kessler-automation"]])] = [],  # noqa: B006
    sort: SortOrder = SortOrder.NAME,
    limit: Annotated[int, Query(ge=1)] = 20,
    cursor: str | None = None,
) -> SearchResponse:
    """Search micro-credentials by words (all must match) and filters; page with `cursor`."""
    query = SearchQuery(
        text=q,
        provider_ids=tuple(provider),
        provider_types=tuple(provider_type),
        countries=tuple(c.upper() for c in country),
        eqf_levels=tuple(eqf),
        isced_f=isced_f,
        ects_min=ects_min,
        ects_max=ects_max,
        participation_forms=tuple(participation),
        languages=tuple(code.lower() for code in language),
        text_languages=tuple(tag.lower().replace("_", "-") for tag in lang),
        min_completeness=min_completeness,
        include_retired=include_retired,
        achievement_ids=api.endorsements.achievements_endorsed_by(endorser) if endorser else None,
        sort=sort,
        limit=min(limit, api.search_max_page_size),
        after=decode_cursor(cursor) if cursor else None,
    )
    page = await api.queries.search(query)
    return SearchResponse(
        items=[AchievementPublic.of_contract(a) for a in page.items],
        next_cursor=encode_cursor(page.next_after) if page.next_after else None,
    )
