"""Several KRaft brokers on one machine: a cluster to lose a broker in.

Each node runs in combined mode (broker and controller), every node a voter of a static
quorum, each in its own directory (``kafka-1`` …) beside the single broker's ``kafka``, so the
single-broker stack is untouched. The nodes share one admin password and one cluster id.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from pathlib import Path

from stack import procs
from stack.errors import StackError
from stack.layout import Layout
from stack.services import Kafka, Membership, configured_controller_port

BROKERS_ENV = "MICROCRED_KAFKA_BROKERS"
MAX_BROKERS = 9


def cluster_dir(layout: Layout) -> Path:
    return layout.data / "kafka-cluster"


def kafka_cluster(
    layout: Layout, ports: Sequence[int], avoid_ports: Collection[int]
) -> list[Kafka]:
    """One :class:`Kafka` node per client port in ``ports``."""
    if not 2 <= len(ports) <= MAX_BROKERS:
        raise StackError(f"a cluster has 2 to {MAX_BROKERS} brokers, not {len(ports)}")
    shared = cluster_dir(layout)
    taken = {*ports, *avoid_ports}
    controller_ports: list[int] = []
    for node_id in range(1, len(ports) + 1):
        port = _controller_port(layout, node_id, taken)
        taken.add(port)
        controller_ports.append(port)
    voters = ",".join(
        f"{node_id}@{procs.LOCALHOST}:{port}"
        for node_id, port in enumerate(controller_ports, start=1)
    )
    return [
        Kafka(
            layout,
            port,
            controller_port,
            avoid_ports=taken,
            membership=Membership(
                node_id=node_id,
                brokers=len(ports),
                voters=voters,
                credentials_file=shared / "admin-credentials.json",
                cluster_id_file=shared / "cluster-id",
            ),
        )
        for node_id, (port, controller_port) in enumerate(
            zip(ports, controller_ports, strict=True), start=1
        )
    ]


def _controller_port(layout: Layout, node_id: int, taken: set[int]) -> int:
    """The port this node's existing config names (a restarted node keeps its quorum
    address), unless another process took it meanwhile; else a free one."""
    node_dir = layout.data / f"kafka-{node_id}"
    configured = configured_controller_port(node_dir / "server.properties")
    if configured and configured not in taken:
        pid = procs.read_pid(node_dir / f"kafka-{node_id}.pid")
        if (pid is not None and procs.pid_alive(pid)) or not procs.port_in_use(configured):
            return configured
    return procs.free_port(avoid=taken)
