"""What each node of a local Kafka cluster is configured with (no JVM started)."""

from __future__ import annotations

from pathlib import Path

import pytest

from stack import LocalStack, StackError
from stack.cli import stack_from_env
from stack.cluster import kafka_cluster
from stack.layout import Layout


def properties(text: str) -> dict[str, str]:
    return dict(line.split("=", 1) for line in text.splitlines() if "=" in line)


def test_every_node_is_a_voter_with_its_own_id_port_and_directory(tmp_path: Path) -> None:
    nodes = kafka_cluster(Layout.at(tmp_path), [19101, 19102, 19103], avoid_ports={19200})

    configs = [properties(node._server_properties()) for node in nodes]

    assert [c["node.id"] for c in configs] == ["1", "2", "3"]
    assert len({c["controller.quorum.voters"] for c in configs}) == 1
    voters = configs[0]["controller.quorum.voters"].split(",")
    assert [v.split("@")[0] for v in voters] == ["1", "2", "3"]
    assert len({node.controller_port for node in nodes}) == 3
    assert {node.controller_port for node in nodes}.isdisjoint({19101, 19102, 19103, 19200})
    assert [c["listeners"].split(",")[0] for c in configs] == [
        f"CLIENT://127.0.0.1:{port}" for port in (19101, 19102, 19103)
    ]
    assert len({node.dir for node in nodes}) == 3


def test_the_internal_topics_of_a_cluster_keep_three_copies(tmp_path: Path) -> None:
    [first, *_] = kafka_cluster(Layout.at(tmp_path), [19101, 19102, 19103], avoid_ports=())

    config = properties(first._server_properties())

    assert config["offsets.topic.replication.factor"] == "3"
    assert config["transaction.state.log.min.isr"] == "2"
    assert config["min.insync.replicas"] == "2"


def test_the_nodes_share_one_admin_password(tmp_path: Path) -> None:
    nodes = kafka_cluster(Layout.at(tmp_path), [19101, 19102], avoid_ports=())

    assert nodes[0].passwords() == nodes[1].passwords()
    assert nodes[0].credentials_file == nodes[1].credentials_file


def test_a_restarted_node_keeps_its_controller_port(tmp_path: Path) -> None:
    layout = Layout.at(tmp_path)
    first = kafka_cluster(layout, [19101, 19102, 19103], avoid_ports=())
    for node in first:
        node.dir.mkdir(parents=True)
        node.config.write_text(node._server_properties())

    again = kafka_cluster(layout, [19101, 19102, 19103], avoid_ports=())

    assert [n.controller_port for n in again] == [n.controller_port for n in first]


def test_the_single_broker_is_unchanged(tmp_path: Path) -> None:
    stack = LocalStack(tmp_path, 19101, 19102)

    config = properties(stack.kafka._server_properties())

    assert not stack.is_cluster
    assert stack.kafka.dir == stack.data_dir / "kafka"
    assert config["node.id"] == "1"
    assert config["offsets.topic.replication.factor"] == "1"
    assert "min.insync.replicas" not in config


def test_make_stack_up_with_three_brokers_uses_three_consecutive_ports(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MICROCRED_STACK_DIR", str(tmp_path))
    monkeypatch.setenv("MICROCRED_KAFKA_PORT", "19101")
    monkeypatch.setenv("MICROCRED_KAFKA_BROKERS", "3")

    stack = stack_from_env()

    assert [node.port for node in stack.kafka_nodes] == [19101, 19102, 19103]
    assert stack.kafka_bootstrap == "127.0.0.1:19101,127.0.0.1:19102,127.0.0.1:19103"


def test_a_running_cluster_is_found_without_being_told_its_size(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MICROCRED_STACK_DIR", str(tmp_path))
    monkeypatch.delenv("MICROCRED_KAFKA_BROKERS", raising=False)
    record = LocalStack(tmp_path, 19101, 27017, kafka_cluster_ports=[19101, 19102])
    record._record_cluster()

    assert [node.port for node in stack_from_env().kafka_nodes] == [19101, 19102]


def test_a_nonsense_broker_count_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MICROCRED_STACK_DIR", str(tmp_path))
    monkeypatch.setenv("MICROCRED_KAFKA_BROKERS", "many")

    with pytest.raises(StackError, match="MICROCRED_KAFKA_BROKERS='many'"):
        stack_from_env()
