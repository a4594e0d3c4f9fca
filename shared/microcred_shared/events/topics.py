"""Every Kafka topic of the ecosystem, named once, with who may write and read it.

Topic names are prefixed per deployment (``MICROCRED_TOPIC_PREFIX``) so that test runs and
several environments can share one broker without seeing each other's events.

Inbound topics are per provider (:class:`ProviderTopic`): a provider's principal may write only
the topics that carry its own id, so the consuming service knows the provider from the topic the
record arrived on — the authenticated channel — and never from the payload.
"""

import re
from dataclasses import dataclass
from enum import StrEnum


class Topic(StrEnum):
    CATALOGUE_PROVIDERS = "catalogue.providers"
    CATALOGUE_ACHIEVEMENTS = "catalogue.achievements"
    CATALOGUE_PATHWAYS = "catalogue.pathways"
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
    # Partners' endorsements (OB 3.0 EndorsementCredential), keyed by endorsement id.
    ENDORSEMENTS = "endorsements"


# Latest-state topics: a new consumer rebuilds its projection from them, so Kafka keeps the
# newest event per key instead of expiring history.
COMPACTED_TOPICS = frozenset(
    {
        Topic.CATALOGUE_PROVIDERS,
        Topic.CATALOGUE_ACHIEVEMENTS,
        Topic.CATALOGUE_PATHWAYS,
        Topic.ISSUER_KEYS,
        Topic.CREDENTIALS_STATUS_LISTS,
        Topic.ENDORSEMENTS,
    }
)

DEAD_LETTER_SUFFIX = ".dlq"


class ProviderTopic(StrEnum):
    """A family of inbound topics, one per provider: ``{provider}`` is the provider's id."""

    COURSE_EVENTS = "partner.{provider}.course-events"
    COMPLETIONS = "learning.{provider}.completions"


# Provider ids are what the catalogue accepts as a provider id; no dot, so one provider's
# topic name can never be another's prefix.
PROVIDER_ID_PATTERN = r"[A-Za-z0-9_-]+"

Service = str  # "catalogue", "issuer", "verifier", "notifier"

# The one writer of every outbound topic: Kafka ACLs grant WRITE to that service alone.
WRITER: dict[Topic, Service] = {
    Topic.CATALOGUE_PROVIDERS: "catalogue",
    Topic.CATALOGUE_ACHIEVEMENTS: "catalogue",
    Topic.CATALOGUE_PATHWAYS: "catalogue",
    Topic.CREDENTIALS_ISSUED: "issuer",
    Topic.CREDENTIALS_STATUS: "issuer",
    Topic.CREDENTIALS_LEARNER_NOTICES: "issuer",
    Topic.ISSUER_KEYS: "issuer",
    Topic.CREDENTIALS_STATUS_LISTS: "issuer",
    Topic.VERIFICATIONS: "verifier",
    Topic.ENDORSEMENTS: "issuer",
}

# The services that consume each topic (and so may write its dead-letter twin).
READERS: dict[Topic, frozenset[Service]] = {
    Topic.CATALOGUE_PROVIDERS: frozenset({"issuer", "verifier"}),
    Topic.CATALOGUE_ACHIEVEMENTS: frozenset({"catalogue", "issuer", "verifier", "notifier"}),
    Topic.CATALOGUE_PATHWAYS: frozenset({"issuer", "verifier"}),
    Topic.CREDENTIALS_ISSUED: frozenset({"catalogue", "notifier"}),
    Topic.CREDENTIALS_STATUS: frozenset({"catalogue", "issuer", "verifier", "notifier"}),
    # E-mail addresses travel here: the notifier, and no one else, reads it.
    Topic.CREDENTIALS_LEARNER_NOTICES: frozenset({"notifier"}),
    # The issuer re-signs its status lists after a key change.
    Topic.ISSUER_KEYS: frozenset({"issuer", "verifier"}),
    Topic.CREDENTIALS_STATUS_LISTS: frozenset({"verifier"}),
    Topic.VERIFICATIONS: frozenset({"catalogue"}),
    # The catalogue lists endorsements on its pages, in its search and on dashboards.
    Topic.ENDORSEMENTS: frozenset({"catalogue"}),
}


def topics_written_by(service: Service) -> list[Topic]:
    return [topic for topic, writer in WRITER.items() if writer == service]


# Who consumes each provider's inbound topics.
PROVIDER_TOPIC_READER: dict[ProviderTopic, Service] = {
    ProviderTopic.COURSE_EVENTS: "catalogue",
    ProviderTopic.COMPLETIONS: "issuer",
}

# What a university (or any other outside reader) may be granted: announcements that carry no
# personal data. Never the learner notices.
GRANTABLE_TO_READERS = frozenset(
    {
        Topic.CREDENTIALS_ISSUED,
        Topic.CREDENTIALS_STATUS,
        Topic.CATALOGUE_PROVIDERS,
        Topic.CATALOGUE_ACHIEVEMENTS,
        Topic.CATALOGUE_PATHWAYS,
        Topic.ISSUER_KEYS,
        Topic.CREDENTIALS_STATUS_LISTS,
        Topic.ENDORSEMENTS,
    }
)


@dataclass(frozen=True, slots=True)
class TopicNames:
    """Resolves logical topics to the physical names of one deployment."""

    prefix: str = ""

    def of(self, topic: Topic) -> str:
        return f"{self.prefix}{topic.value}"

    def dead_letter_of(self, topic: Topic) -> str:
        return f"{self.prefix}{topic.value}{DEAD_LETTER_SUFFIX}"

    def all_physical(self) -> list[str]:
        """Every fixed topic and its dead-letter twin, for provisioning."""
        names: list[str] = []
        for topic in Topic:
            names += [self.of(topic), self.dead_letter_of(topic)]
        return names

    def of_provider(self, family: ProviderTopic, provider_id: str) -> str:
        if not re.fullmatch(PROVIDER_ID_PATTERN, provider_id):
            raise ValueError(f"{provider_id!r} is not a provider id")
        return self.prefix + family.value.format(provider=provider_id)

    def pattern_of(self, family: ProviderTopic) -> str:
        """A regular expression matching every provider's topic of ``family``, not its DLQ."""
        head, tail = family.value.split("{provider}")
        return f"^{re.escape(self.prefix + head)}({PROVIDER_ID_PATTERN}){re.escape(tail)}$"

    def provider_of(self, family: ProviderTopic, physical: str) -> str | None:
        """The provider whose topic ``physical`` is, or None if it is not one of ``family``."""
        match = re.match(self.pattern_of(family), physical)
        return match.group(1) if match else None
