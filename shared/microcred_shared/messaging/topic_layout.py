"""How many partitions and copies a deployment's topics get.

The replication factor is a property of the cluster a deployment runs on, not of the code: a
single development broker can hold one copy, a production cluster must hold three. Unless an
operator pins it, a topic gets one copy per broker the cluster has when the topic is created,
capped at three (Kafka's usual production choice), and ``min.insync.replicas`` one fewer than
its copies (at least one): with three copies and ``acks=all``, an acknowledged event survives
the loss of any one broker, and producing goes on while one is down. Pinning
``MICROCRED_KAFKA_REPLICATION_FACTOR=3`` makes topic creation fail on a cluster too small for it
instead of quietly keeping fewer copies.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

FULL_REPLICATION = 3
DEFAULT_PARTITIONS = 3
# One partition keeps a dead-letter topic's records in the order they failed, which is the
# order an operator reads and replays them; they are rare, so one partition is never a bottleneck.
DEAD_LETTER_PARTITIONS = 1


class TopicLayoutError(ValueError):
    """The layout asks for more than the cluster can hold (or contradicts itself)."""


@dataclass(frozen=True)
class Replication:
    """What one topic is created with on a given cluster."""

    factor: int
    min_insync: int

    def topic_config(self) -> dict[str, str]:
        return {"min.insync.replicas": str(self.min_insync)}


@dataclass(frozen=True)
class ReplicationPolicy:
    """The operator's pins (None: derived from the cluster's broker count)."""

    factor: int | None = None
    min_insync: int | None = None

    def on(self, brokers: int) -> Replication:
        """The replication of a topic created on a cluster of ``brokers`` brokers."""
        if brokers < 1:
            raise TopicLayoutError("the cluster reported no broker")
        factor = self.factor if self.factor is not None else min(brokers, FULL_REPLICATION)
        if factor > brokers:
            raise TopicLayoutError(
                f"replication factor {factor} needs at least {factor} brokers; the cluster has "
                f"{brokers} (MICROCRED_KAFKA_REPLICATION_FACTOR)"
            )
        min_insync = self.min_insync if self.min_insync is not None else max(1, factor - 1)
        if not 1 <= min_insync <= factor:
            raise TopicLayoutError(
                f"min.insync.replicas {min_insync} must be between 1 and the replication factor "
                f"{factor} (MICROCRED_KAFKA_MIN_INSYNC_REPLICAS)"
            )
        return Replication(factor, min_insync)


@dataclass(frozen=True)
class TopicLayout:
    """Partitions per topic and the replication policy of one deployment."""

    partitions: int = DEFAULT_PARTITIONS
    # By logical topic name (``learning.completions``), for the topics that need more.
    partitions_by_topic: Mapping[str, int] = field(default_factory=dict)
    replication: ReplicationPolicy = ReplicationPolicy()

    def partitions_of(self, logical_name: str) -> int:
        if logical_name.endswith(".dlq"):
            return DEAD_LETTER_PARTITIONS
        return self.partitions_by_topic.get(logical_name, self.partitions)


# What a caller that names no layout gets: three partitions, copies from the cluster.
DERIVED_LAYOUT = TopicLayout()
