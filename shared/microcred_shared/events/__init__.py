"""Event contracts: the CloudEvents envelope, versioned payloads, topic names."""

from .envelope import CONTENT_TYPE, CloudEvent, deterministic_event_id, new_event_id, utc_now
from .registry import REGISTRY, EventSpec
from .topics import COMPACTED_TOPICS, ProviderTopic, Topic, TopicNames

__all__ = [
    "COMPACTED_TOPICS",
    "CONTENT_TYPE",
    "REGISTRY",
    "CloudEvent",
    "EventSpec",
    "ProviderTopic",
    "Topic",
    "TopicNames",
    "deterministic_event_id",
    "new_event_id",
    "utc_now",
]
