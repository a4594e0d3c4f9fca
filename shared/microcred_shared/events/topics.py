"""Every Kafka topic of the ecosystem, named once.

Topic names are prefixed per deployment (``MICROCRED_TOPIC_PREFIX``) so that test runs and
several environments can share one broker without seeing each other's events.
"""

from dataclasses import dataclass
from enum import StrEnum


class Topic(StrEnum):
    PARTNER_COURSE_EVENTS = "partner.course-events"
    CATALOGUE_PROVIDERS = "catalogue.providers"
    CATALOGUE_ACHIEVEMENTS = "catalogue.achievements"
    CATALOGUE_PATHWAYS = "catalogue.pathways"
    LEARNING_COMPLETIONS = "learning.completions"
    CREDENTIALS_ISSUED = "credentials.issued"
    CREDENTIALS_STATUS = "credentials.status"
    # Each status list as its issuer signed it, keyed by list id: verifiers decide the status
    # of this ecosystem's credentials from it without calling the issuer.
    CREDENTIALS_STATUS_LISTS = "credentials.status-lists"
    # Holds learner e-mail addresses, so it is kept apart from credentials.issued, which
    # universities read: only the notifier is meant to be granted read access to it.
    CREDENTIALS_LEARNER_NOTICES = "credentials.learner-notices"
    ISSUER_KEYS = "issuer.keys"
    VERIFICATIONS = "verifications"


# Latest-state topics: a new consumer rebuilds its projection from them, so Kafka keeps the
# newest event per key instead of expiring history.
COMPACTED_TOPICS = frozenset(
    {
        Topic.CATALOGUE_PROVIDERS,
        Topic.CATALOGUE_ACHIEVEMENTS,
        Topic.CATALOGUE_PATHWAYS,
        Topic.ISSUER_KEYS,
        Topic.CREDENTIALS_STATUS_LISTS,
    }
)

DEAD_LETTER_SUFFIX = ".dlq"


@dataclass(frozen=True, slots=True)
class TopicNames:
    """Resolves logical topics to the physical names of one deployment."""

    prefix: str = ""

    def of(self, topic: Topic) -> str:
        return f"{self.prefix}{topic.value}"

    def dead_letter_of(self, topic: Topic) -> str:
        return f"{self.prefix}{topic.value}{DEAD_LETTER_SUFFIX}"

    def all_physical(self) -> list[str]:
        """Every topic and its dead-letter twin, for provisioning."""
        names: list[str] = []
        for topic in Topic:
            names += [self.of(topic), self.dead_letter_of(topic)]
        return names
