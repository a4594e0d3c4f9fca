"""How many copies and partitions a deployment's topics get, on clusters of each size."""

from __future__ import annotations

import pytest
from microcred_shared.messaging.connection import KafkaConnection
from microcred_shared.messaging.topic_layout import (
    Replication,
    ReplicationPolicy,
    TopicLayout,
    TopicLayoutError,
)
from microcred_shared.settings import ServiceSettings, TopicLayoutSettings


@pytest.mark.parametrize(
    ("brokers", "expected"),
    [
        (1, Replication(1, 1)),
        (2, Replication(2, 1)),
        (3, Replication(3, 2)),
        (7, Replication(3, 2)),
    ],
)
def test_unpinned_replication_follows_the_cluster_up_to_three_copies(
    brokers: int, expected: Replication
) -> None:
    assert ReplicationPolicy().on(brokers) == expected


def test_three_copies_survive_one_broker_lost_while_acks_all_still_succeeds() -> None:
    copies = ReplicationPolicy().on(3)

    assert copies.factor - copies.min_insync == 1
    assert copies.topic_config() == {"min.insync.replicas": "2"}


def test_a_pinned_factor_is_kept_on_a_larger_cluster() -> None:
    assert ReplicationPolicy(factor=2, min_insync=2).on(5) == Replication(2, 2)


def test_a_pinned_factor_the_cluster_cannot_hold_is_refused_rather_than_lowered() -> None:
    with pytest.raises(TopicLayoutError, match="needs at least 3 brokers; the cluster has 1"):
        ReplicationPolicy(factor=3).on(1)


def test_a_min_isr_above_the_copies_is_refused() -> None:
    with pytest.raises(TopicLayoutError, match=r"min\.insync\.replicas 4 must be between 1"):
        ReplicationPolicy(factor=3, min_insync=4).on(3)


def test_partitions_default_per_topic_with_overrides_and_one_per_dead_letter_topic() -> None:
    layout = TopicLayout(partitions=6, partitions_by_topic={"learning.completions": 12})

    assert layout.partitions_of("credentials.issued") == 6
    assert layout.partitions_of("learning.completions") == 12
    assert layout.partitions_of("learning.completions.dlq") == 1


def test_the_settings_read_the_layout_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("MICROCRED_KAFKA_REPLICATION_FACTOR", "3")
    monkeypatch.setenv("MICROCRED_KAFKA_MIN_INSYNC_REPLICAS", "2")
    monkeypatch.setenv("MICROCRED_KAFKA_PARTITIONS", "6")
    monkeypatch.setenv("MICROCRED_KAFKA_TOPIC_PARTITIONS", '{"learning.completions": 24}')

    layout = ServiceSettings().topic_layout

    assert TopicLayoutSettings().topic_layout == layout  # what `microcred up` provisions with
    assert layout.replication == ReplicationPolicy(factor=3, min_insync=2)
    assert layout.partitions_of("credentials.issued") == 6
    assert layout.partitions_of("learning.completions") == 24


def test_unset_settings_leave_the_replication_to_the_cluster(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in (
        "MICROCRED_KAFKA_REPLICATION_FACTOR",
        "MICROCRED_KAFKA_MIN_INSYNC_REPLICAS",
        "MICROCRED_KAFKA_PARTITIONS",
        "MICROCRED_KAFKA_TOPIC_PARTITIONS",
    ):
        monkeypatch.delenv(name, raising=False)

    assert ServiceSettings().topic_layout == TopicLayout()


def test_every_client_is_given_each_broker_of_a_cluster_bootstrap_list() -> None:
    cluster = KafkaConnection("127.0.0.1:9092, 127.0.0.1:9093,127.0.0.1:9094")

    assert cluster.aiokafka_kwargs()["bootstrap_servers"] == [
        "127.0.0.1:9092",
        "127.0.0.1:9093",
        "127.0.0.1:9094",
    ]
    assert cluster.librdkafka_config()["bootstrap.servers"] == cluster.bootstrap_servers
