"""Partner course events (Kafka or the HTTP gateway) into catalogue achievements."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from microcred_shared.events.contracts.partner import CourseEventV1

from ..domain.achievements import Achievement, AchievementStatus, achievement_id_for
from ..domain.completeness import assess
from ..domain.normalise import InvalidCourse, normalise
from ..domain.providers import Provider
from . import commands
from .errors import Forbidden, Invalid, NotNormalisable, UnknownCourse, UnknownProvider
from .events import achievement_event
from .ports import AchievementRepository, Clock, ProviderRepository, SearchProjection


class CourseOutcome(StrEnum):
    STORED = "stored"
    IGNORED = "ignored"  # a redelivery, or older than what is stored


@dataclass(frozen=True)
class CourseResult:
    outcome: CourseOutcome
    achievement: Achievement | None


@dataclass
class CourseIngestion:
    providers: ProviderRepository
    achievements: AchievementRepository
    projection: SearchProjection
    clock: Clock
    wake_relay: Callable[[], None]

    async def handle(self, command: commands.IngestCourseEvent) -> CourseResult:
        event = command.event
        provider = await self._publishing_provider(command.publisher_id, event)
        achievement_id = achievement_id_for(provider.provider_id, event.course_code)
        current = await self.achievements.get(achievement_id)
        if current is not None and event.version <= current.version:
            return CourseResult(CourseOutcome.IGNORED, current)
        candidate = self._apply(provider, event, achievement_id, current)
        if not await self.achievements.save_if_newer(candidate, achievement_event(candidate)):
            return CourseResult(CourseOutcome.IGNORED, await self.achievements.get(achievement_id))
        self.wake_relay()
        self.projection.add(candidate)  # this replica sees its own write before the event
        return CourseResult(CourseOutcome.STORED, candidate)

    async def _publishing_provider(self, publisher_id: str, event: CourseEventV1) -> Provider:
        if publisher_id != event.provider_id:
            raise Forbidden(
                f"{publisher_id!r} may not publish courses of provider {event.provider_id!r}"
            )
        provider = await self.providers.get(event.provider_id)
        if provider is None:
            raise UnknownProvider(f"no provider {event.provider_id!r} in the catalogue")
        if not provider.may_publish:
            raise Forbidden(f"provider {provider.provider_id!r} is suspended")
        return provider

    def _apply(
        self,
        provider: Provider,
        event: CourseEventV1,
        achievement_id: str,
        current: Achievement | None,
    ) -> Achievement:
        now = self.clock()
        if event.action == "retired":
            if current is None:
                raise UnknownCourse(f"course {event.course_code!r} was never offered")
            return current.retire(event.version, now)
        if event.course is None:
            raise Invalid(
                f"a '{event.action}' event needs the course definition",
                [{"field": "course", "error": "required for offered and changed"}],
            )
        try:
            definition = normalise(event.course)
        except InvalidCourse as error:
            raise NotNormalisable(
                "some values do not map onto EQF / ISCED-F / ISO vocabularies", error.errors
            ) from error
        facts = provider.facts()
        return Achievement(
            achievement_id=achievement_id,
            course_code=event.course_code,
            version=event.version,
            status=AchievementStatus.ACTIVE,
            definition=definition,
            completeness=assess(definition, facts),
            provider=facts,
            updated_at=now,
        )
