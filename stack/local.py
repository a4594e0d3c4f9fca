"""LocalStack: one Kafka + one FerretDB on 127.0.0.1, shared by the CLI and the test fixtures."""

from __future__ import annotations

import contextlib
import fcntl
import time
from collections.abc import Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from stack.cluster import cluster_dir, kafka_cluster
from stack.errors import StackError
from stack.layout import Layout
from stack.services import FerretDB, Kafka, Service, ServiceStatus

if TYPE_CHECKING:
    from microcred_shared.messaging.connection import KafkaConnection


class LocalStack:
    """A real Kafka broker (KRaft) and a MongoDB-wire server (FerretDB/SQLite), no Docker;
    with ``kafka_cluster_ports``, a cluster of one broker per port instead of the one broker.

    ``root`` holds the fetched binaries (see ``stack.fetch``); ``data_dir`` (default
    ``root/run``) holds configs, data, logs and pid files, so another process constructed with
    the same ``data_dir`` and ports can ``status()``/``stop()`` the same servers.
    """

    def __init__(
        self,
        root: Path,
        kafka_port: int,
        mongo_port: int,
        *,
        data_dir: Path | None = None,
        controller_port: int | None = None,
        die_with_parent: bool = False,
        kafka_cluster_ports: Sequence[int] = (),
    ) -> None:
        self.layout = Layout.at(root, data_dir)
        if kafka_cluster_ports:
            self.kafka_nodes = kafka_cluster(self.layout, kafka_cluster_ports, {mongo_port})
        else:
            # The controller port is internal; when not given, any free port but ours will do.
            self.kafka_nodes = [
                Kafka(self.layout, kafka_port, controller_port, avoid_ports={mongo_port})
            ]
        self.kafka = self.kafka_nodes[0]
        self.ferretdb = FerretDB(self.layout, mongo_port)
        # Tests set this so a crashed pytest does not leave a JVM behind (Linux only). The kernel
        # signals when the *thread* that called start() exits: call it from a long-lived thread.
        self.die_with_parent = die_with_parent

    @property
    def services(self) -> tuple[Service, ...]:
        return (*self.kafka_nodes, self.ferretdb)

    @property
    def is_cluster(self) -> bool:
        return self.kafka.membership is not None

    @property
    def kafka_bootstrap(self) -> str:
        return ",".join(node.address for node in self.kafka_nodes)

    @property
    def kafka_admin(self) -> KafkaConnection:
        """The broker's super user (provisioning, operators and tests; never a service)."""
        return replace(self.kafka.admin_connection(), bootstrap_servers=self.kafka_bootstrap)

    @property
    def mongodb_uri(self) -> str:
        return self.ferretdb.address

    @property
    def data_dir(self) -> Path:
        return self.layout.data

    def start(self, timeout: float = 90.0) -> list[str]:
        """Start whatever is not running and wait until both answer; no-op when both are up.

        Returns the names of the services this call launched (empty: all were running).
        Raises StackError (before launching anything) if a port is taken by another process,
        and stops what this call launched if startup then fails.
        """
        with self._lock():
            launched: list[Service] = []
            try:
                for service in self._to_launch():
                    service.launch(die_with_parent=self.die_with_parent)
                    launched.append(service)
                deadline = time.monotonic() + timeout
                for service in self.services:
                    service.wait_healthy(deadline)
                if self.is_cluster:
                    self._record_cluster()
                return [service.name for service in launched]
            except BaseException:
                for service in launched:
                    service.stop(grace=5.0)
                raise

    def _to_launch(self) -> list[Service]:
        """Services that are not already running, after checking all of them can start."""
        pending = [s for s in self.services if s.pid() is None]
        for service in pending:
            service.check_installed()
        for service in pending:
            service.check_ports_free()
        return pending

    def stop(self, grace: float = 20.0) -> None:
        """Stop both servers (SIGTERM, SIGKILL after ``grace`` s) and wait for their ports."""
        with self._lock():
            errors: list[str] = []
            for service in self.services:
                try:
                    service.stop(grace=grace)
                except (StackError, OSError) as exc:
                    errors.append(str(exc))
            if errors:
                raise StackError("; ".join(errors))
            if self.is_cluster:
                self.cluster_record.unlink(missing_ok=True)

    @property
    def cluster_record(self) -> Path:
        """Present while a cluster runs: its client ports, so ``status``/``down`` from another
        shell find every node without being told the cluster's size again."""
        return cluster_dir(self.layout) / "ports"

    def _record_cluster(self) -> None:
        self.cluster_record.parent.mkdir(parents=True, exist_ok=True)
        self.cluster_record.write_text(" ".join(str(node.port) for node in self.kafka_nodes))

    def kill_broker(self, node: Kafka) -> None:
        """SIGKILL one broker of the cluster: a machine lost, nothing flushed or handed over."""
        with self._lock():
            node.kill()

    def start_broker(self, node: Kafka, *, timeout: float = 90.0) -> None:
        """Start a broker again on its data and wait until it has rejoined."""
        with self._lock():
            node.launch(die_with_parent=False)
            node.wait_healthy(time.monotonic() + timeout)

    def restart_kafka(self, *, grace: float = 10.0, timeout: float = 90.0) -> None:
        """Stop the broker (SIGTERM) and start it again on the same data, waiting until it
        answers: a broker outage, for the reliability tests. The relaunched broker is not tied
        to the calling thread's life (see ``die_with_parent``); ``stop()`` still ends it."""
        with self._lock():
            self.kafka.stop(grace=grace)
            self.kafka.launch(die_with_parent=False)
            self.kafka.wait_healthy(time.monotonic() + timeout)

    def status(self) -> list[ServiceStatus]:
        return [service.status() for service in self.services]

    def healthy(self) -> bool:
        return all(s.healthy for s in self.status())

    @contextlib.contextmanager
    def _lock(self) -> Iterator[None]:
        """Serialise start/stop across processes sharing the data dir (e.g. two `make` runs)."""
        self.layout.data.mkdir(parents=True, exist_ok=True)
        with self.layout.lock_file.open("w") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def __enter__(self) -> LocalStack:
        self.start()  # on failure it already stopped what it launched
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
