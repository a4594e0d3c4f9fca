"""The two managed servers: Apache Kafka (KRaft, combined mode) and FerretDB (SQLite backend).

A Service owns a directory under the stack's data dir holding its config, data, log and pid
file, so ``stop``/``status`` work from any process that knows the data dir.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import secrets
import shutil
import subprocess
import time
import uuid
from abc import ABC, abstractmethod
from collections.abc import Collection, Coroutine, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from stack import procs
from stack.errors import StackError
from stack.layout import KAFKA_PORT_ENV, MONGO_PORT_ENV, Layout
from stack.tools import require_tool

if TYPE_CHECKING:
    from microcred_shared.messaging.connection import KafkaConnection

T = TypeVar("T")

# The broker's own super user: the operator's principal (provisioning, tests), and the one the
# broker itself uses on its listener. Every other principal is made by provisioning.
KAFKA_ADMIN_USER = "admin"
# KRaft controllers cannot check SCRAM (the credentials live in the metadata they serve), so
# the controller listener uses PLAIN with one static user, known only to this broker's config.
KAFKA_CONTROLLER_USER = "controller"

KAFKA_JVM_OPTS_ENV = "MICROCRED_KAFKA_JVM_OPTS"
# C1-only JIT (TieredStopAtLevel=1) starts the broker ~40% faster on 2 busy cores, at some cost
# in peak throughput; benchmarks can set MICROCRED_KAFKA_JVM_OPTS="-Xmx1g -XX:+UseG1GC".
DEFAULT_KAFKA_JVM_OPTS = "-Xms256m -Xmx512m -XX:+UseG1GC -XX:TieredStopAtLevel=1"
# The storage formatter runs for a second: smallest heap, no C2, one GC thread.
FORMAT_JVM_OPTS = ("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1")


@dataclass(frozen=True)
class ServiceStatus:
    name: str
    address: str
    pid: int | None
    healthy: bool

    def describe(self) -> str:
        state = "up" if self.healthy else ("starting/unhealthy" if self.pid else "down")
        pid = f" pid={self.pid}" if self.pid else ""
        return f"{self.name:<8} {self.address:<28} {state}{pid}"


class Service(ABC):
    name: str
    what: str  # human name of the port's role, for error messages
    port_env: str  # where the CLI reads the port from, for error messages

    def __init__(self, layout: Layout, port: int) -> None:
        self.layout = layout
        self.port = port
        self.dir = layout.data / self.name
        self.pid_file = self.dir / f"{self.name}.pid"
        self.log_file = self.dir / f"{self.name}.out"

    # -- subclass hooks -------------------------------------------------------------------
    @property
    @abstractmethod
    def address(self) -> str: ...

    @abstractmethod
    def check_installed(self) -> None:
        """Raise StackError if the binaries are missing (before anything is started)."""

    @abstractmethod
    def prepare(self) -> None:
        """Write config / initialise storage just before launch."""

    @abstractmethod
    def argv(self) -> list[str]: ...

    @abstractmethod
    def probe(self, timeout: float) -> bool:
        """One health check: does the server answer its protocol?"""

    def ports(self) -> list[tuple[int, str]]:
        """(port, role) pairs this service binds, checked before launch."""
        return [(self.port, self.what)]

    def env(self) -> dict[str, str]:
        return dict(os.environ)

    # -- lifecycle --------------------------------------------------------------------------
    def pid(self) -> int | None:
        """Pid of our running server, or None. Guards against pid reuse via the command line."""
        pid = procs.read_pid(self.pid_file)
        if pid is None or not procs.pid_alive(pid):
            return None
        if procs.is_own_child(pid):
            # Ours for sure; and until the child has exec'd, its command line is still this
            # Python's, which the check below would take for a stranger (a restart on a busy
            # machine reported "exited during startup" for a broker that was only starting).
            return pid
        cmd = procs.cmdline(pid)
        # Both servers' command lines contain "<dir>/..." (log dir, sqlite URL).
        return pid if cmd is None or f"{self.dir}/" in cmd else None

    def check_ports_free(self) -> None:
        for port, role in self.ports():
            if procs.port_in_use(port):
                hint = f" (e.g. {self.port_env}=<port>)" if port == self.port else ""
                raise StackError(
                    f"port {port} ({role}) is already in use by another process, not by this "
                    f"stack's {self.name} in {self.dir}; stop it or choose another port{hint}"
                )

    def launch(self, *, die_with_parent: bool = False) -> int:
        self.dir.mkdir(parents=True, exist_ok=True)
        self.prepare()
        pid = procs.spawn(
            self.argv(),
            log_file=self.log_file,
            cwd=self.dir,
            env=self.env(),
            die_with_parent=die_with_parent,
        )
        self.pid_file.write_text(f"{pid}\n")
        return pid

    def wait_healthy(self, deadline: float) -> None:
        while True:
            if self.probe(timeout=2.0):
                return
            if self.pid() is None:
                raise StackError(f"{self.name} exited during startup; {self._log_hint()}")
            if time.monotonic() >= deadline:
                raise StackError(
                    f"{self.name} not healthy on {self.address} in time; {self._log_hint()}"
                )
            time.sleep(0.2)

    def stop(self, grace: float) -> None:
        pid = self.pid()
        ports = self.ports()  # resolved while the server still runs (Kafka reads its config)
        if pid is not None:
            procs.kill_group(pid, grace=grace)
        self.pid_file.unlink(missing_ok=True)
        for port, role in ports:
            if pid is not None and not procs.wait_port_free(port, timeout=10):
                raise StackError(f"port {port} ({role}) still in use after stopping {self.name}")

    def status(self) -> ServiceStatus:
        pid = self.pid()
        healthy = pid is not None and self.probe(timeout=2.0)
        return ServiceStatus(self.name, self.address, pid, healthy)

    def _log_hint(self) -> str:
        return f"last output of {self.log_file}:\n{procs.tail(self.log_file)}"


def _run_async_isolated(coro: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine on a private loop in a worker thread.

    Callers may be inside a running event loop (async tests) or share the main thread's loop
    with pytest-asyncio; asyncio.run on the calling thread would break either.
    """
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coro).result()


@dataclass(frozen=True)
class Membership:
    """One broker's place in a cluster of several (see :mod:`stack.cluster`)."""

    node_id: int
    brokers: int
    voters: str  # controller.quorum.voters: every node is a voter (combined mode)
    credentials_file: Path  # one admin and controller password for every node
    cluster_id_file: Path  # every node's storage formatted with the same cluster id

    @property
    def internal_replication(self) -> int:
        return min(self.brokers, 3)


class Kafka(Service):
    name = "kafka"
    what = "Kafka"
    port_env = KAFKA_PORT_ENV

    def __init__(
        self,
        layout: Layout,
        port: int,
        controller_port: int | None = None,
        avoid_ports: Collection[int] = (),
        membership: Membership | None = None,
    ) -> None:
        self.membership = membership
        if membership is not None:
            self.name = f"kafka-{membership.node_id}"
        super().__init__(layout, port)
        self._controller_port = controller_port
        self._avoid_ports = {port, *avoid_ports}
        self.config = self.dir / "server.properties"
        self.log4j_config = self.dir / "log4j2.xml"
        self.log_dir = self.dir / "data"
        self.credentials_file = (
            membership.credentials_file if membership else self.dir / "admin-credentials.json"
        )

    @property
    def address(self) -> str:
        return f"{procs.LOCALHOST}:{self.port}"

    @property
    def controller_port(self) -> int:
        # Chosen lazily: the controller listener is internal, any free port will do.
        if self._controller_port is None:
            configured = self._configured_controller_port()
            # Reuse the previous port (restarts look the same) unless something else took it.
            if configured and (self.pid() is not None or not procs.port_in_use(configured)):
                self._controller_port = configured
            else:
                self._controller_port = procs.free_port(avoid=self._avoid_ports)
        return self._controller_port

    def _configured_controller_port(self) -> int | None:
        """The controller port in an existing config, so a restart reuses it."""
        return configured_controller_port(self.config)

    def ports(self) -> list[tuple[int, str]]:
        return [(self.port, "Kafka"), (self.controller_port, "Kafka controller")]

    def check_installed(self) -> None:
        require_tool("java")
        if not self.layout.kafka_stamp.is_file():
            raise StackError(
                f"Kafka jars missing in {self.layout.kafka_libs}: "
                "run `python -m stack fetch` (or `make install`)"
            )

    def passwords(self) -> dict[str, str]:
        """The admin's and the controller's passwords, made once per data dir (mode 0600)."""
        try:
            stored: dict[str, str] = json.loads(self.credentials_file.read_text())
            if {KAFKA_ADMIN_USER, KAFKA_CONTROLLER_USER} <= set(stored):
                return stored
        except (OSError, ValueError):
            pass
        self.credentials_file.parent.mkdir(parents=True, exist_ok=True)
        made = {
            name: secrets.token_urlsafe(24) for name in (KAFKA_ADMIN_USER, KAFKA_CONTROLLER_USER)
        }
        fd = os.open(self.credentials_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            json.dump(made, handle)
        return made

    def admin_connection(self) -> KafkaConnection:
        """The super user's connection: for provisioning and operators, never for services."""
        from microcred_shared.messaging.connection import KafkaConnection, SecurityProtocol

        return KafkaConnection(
            bootstrap_servers=self.address,
            security_protocol=SecurityProtocol.SASL_PLAINTEXT,
            username=KAFKA_ADMIN_USER,
            password=self.passwords()[KAFKA_ADMIN_USER],
        )

    def prepare(self) -> None:
        if not self.credentials_file.exists() and (self.log_dir / "meta.properties").exists():
            # Storage made by a stack version without authentication: its metadata lacks the
            # admin's SCRAM credential, so no client could ever connect. Local data only.
            shutil.rmtree(self.log_dir)
        self.log_dir.mkdir(parents=True, exist_ok=True)
        (self.dir / "logs").mkdir(exist_ok=True)
        self.config.write_text(self._server_properties())
        self.config.chmod(0o600)  # it holds the broker's own passwords
        self.log4j_config.write_text(_LOG4J2_XML)
        if not (self.log_dir / "meta.properties").exists():
            self._format_storage()

    def _security_properties(self) -> dict[str, str]:
        """SASL on every listener, ACLs enforced, nothing allowed that was not granted."""
        passwords = self.passwords()
        admin, controller = passwords[KAFKA_ADMIN_USER], passwords[KAFKA_CONTROLLER_USER]
        scram = "org.apache.kafka.common.security.scram.ScramLoginModule"
        plain = "org.apache.kafka.common.security.plain.PlainLoginModule"
        return {
            "listener.security.protocol.map": "CLIENT:SASL_PLAINTEXT,CONTROLLER:SASL_PLAINTEXT",
            "sasl.mechanism.inter.broker.protocol": "SCRAM-SHA-512",
            "sasl.mechanism.controller.protocol": "PLAIN",
            "listener.name.client.sasl.enabled.mechanisms": "SCRAM-SHA-512",
            "listener.name.client.scram-sha-512.sasl.jaas.config": (
                f'{scram} required username="{KAFKA_ADMIN_USER}" password="{admin}";'
            ),
            "listener.name.controller.sasl.enabled.mechanisms": "PLAIN",
            "listener.name.controller.plain.sasl.jaas.config": (
                f'{plain} required username="{KAFKA_CONTROLLER_USER}" password="{controller}" '
                f'user_{KAFKA_CONTROLLER_USER}="{controller}";'
            ),
            "authorizer.class.name": "org.apache.kafka.metadata.authorizer.StandardAuthorizer",
            "super.users": f"User:{KAFKA_ADMIN_USER};User:{KAFKA_CONTROLLER_USER}",
            "allow.everyone.if.no.acl.found": "false",
        }

    def _server_properties(self) -> str:
        host, port, cport = procs.LOCALHOST, self.port, self.controller_port
        props = {
            "process.roles": "broker,controller",
            "node.id": str(self.membership.node_id if self.membership else 1),
            # Static quorum (every node of a cluster a voter): no dynamic-quorum bootstrap step.
            "controller.quorum.voters": (
                self.membership.voters if self.membership else f"1@{host}:{cport}"
            ),
            "listeners": f"CLIENT://{host}:{port},CONTROLLER://{host}:{cport}",
            "advertised.listeners": f"CLIENT://{host}:{port}",
            "controller.listener.names": "CONTROLLER",
            "inter.broker.listener.name": "CLIENT",
            **self._security_properties(),
            "log.dirs": str(self.log_dir),
            "num.partitions": "3",
            # Topics are made by provisioning and by their writers, never by a stray client.
            "auto.create.topics.enable": "false",
            # One node: internal topics cannot have more than one replica.
            "offsets.topic.replication.factor": "1",
            "transaction.state.log.replication.factor": "1",
            "transaction.state.log.min.isr": "1",
            "share.coordinator.state.topic.replication.factor": "1",
            "share.coordinator.state.topic.min.isr": "1",
            # Fewer internal partitions than the default 50: faster first group join on 2 cores.
            "offsets.topic.num.partitions": "5",
            "transaction.state.log.num.partitions": "5",
            # Tests create many short-lived groups; do not wait 3 s for more members to join.
            "group.initial.rebalance.delay.ms": "0",
            "num.network.threads": "2",
            "num.io.threads": "4",
            "num.recovery.threads.per.data.dir": "1",
            **self._cluster_properties(),
        }
        return "".join(f"{k}={v}\n" for k, v in props.items())

    def _cluster_properties(self) -> dict[str, str]:
        """In a cluster the internal topics (consumer offsets above all) are replicated like
        the services' own, or a group's committed offsets would die with one broker."""
        if self.membership is None:
            return {}
        copies = self.membership.internal_replication
        min_isr = str(max(1, copies - 1))
        return {
            "offsets.topic.replication.factor": str(copies),
            "transaction.state.log.replication.factor": str(copies),
            "transaction.state.log.min.isr": min_isr,
            "share.coordinator.state.topic.replication.factor": str(copies),
            "share.coordinator.state.topic.min.isr": min_isr,
            "default.replication.factor": str(copies),
            "min.insync.replicas": min_isr,
            # A broker brought back takes its partitions' leadership back soon, so the load
            # spreads again without an operator (the default check runs every 5 minutes).
            "leader.imbalance.check.interval.seconds": "10",
        }

    def _java(self, main_class: str, *args: str, jvm_opts: Sequence[str]) -> list[str]:
        return [
            require_tool("java"),
            *jvm_opts,
            "-XX:+ExitOnOutOfMemoryError",
            "-Djava.awt.headless=true",
            f"-Dkafka.logs.dir={self.dir / 'logs'}",
            f"-Dlog4j2.configurationFile={self.log4j_config}",
            "-cp",
            f"{self.layout.kafka_libs}/*",
            main_class,
            *args,
        ]

    def _cluster_id(self) -> str:
        # Kafka cluster ids are 16 random bytes, URL-safe base64 without padding.
        made = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
        if self.membership is None:
            return made
        shared = self.membership.cluster_id_file
        if not shared.exists():
            shared.parent.mkdir(parents=True, exist_ok=True)
            shared.write_text(made)
        return shared.read_text().strip()

    def _format_storage(self) -> None:
        cluster_id = self._cluster_id()
        argv = self._java(
            "kafka.tools.StorageTool",
            "format",
            # One argument: an id starting with "-" (1 in 64) would read as an option.
            f"--cluster-id={cluster_id}",
            "-c",
            str(self.config),
            # The admin's SCRAM credential must exist before the broker starts: nothing else
            # can authenticate to create it.
            "--add-scram",
            f"SCRAM-SHA-512=[name={KAFKA_ADMIN_USER},password={self.passwords()[KAFKA_ADMIN_USER]}]",
            jvm_opts=FORMAT_JVM_OPTS,
        )
        proc = subprocess.run(  # noqa: S603 - argv built by us
            argv, capture_output=True, text=True, check=False, timeout=120
        )
        if proc.returncode != 0:
            raise StackError(f"formatting Kafka storage failed:\n{proc.stdout}{proc.stderr}")

    def argv(self) -> list[str]:
        opts = os.environ.get(KAFKA_JVM_OPTS_ENV, DEFAULT_KAFKA_JVM_OPTS).split()
        return self._java("kafka.Kafka", str(self.config), jvm_opts=opts)

    def probe(self, timeout: float) -> bool:
        # TCP first: aiokafka logs an ERROR for every refused bootstrap connection.
        if not procs.port_accepts(self.port, timeout=timeout):
            return False
        node = self.membership.node_id if self.membership else None
        return _run_async_isolated(_kafka_metadata(self.admin_connection(), timeout, node))

    def kill(self) -> None:
        """SIGKILL the broker (no shutdown at all: a lost machine), and wait for its port."""
        pid = self.pid()
        if pid is None:
            return
        procs.kill_group(pid, grace=0, term_first=False)
        self.pid_file.unlink(missing_ok=True)
        procs.wait_port_free(self.port, timeout=10)


def configured_controller_port(config: Path) -> int | None:
    """This node's controller port in an existing ``server.properties`` (a restart reuses it)."""
    try:
        lines = config.read_text().splitlines()
        node = next(line for line in lines if line.startswith("node.id=")).split("=", 1)[1]
        voters = next(line for line in lines if line.startswith("controller.quorum.voters="))
        for voter in voters.split("=", 1)[1].split(","):
            if voter.split("@", 1)[0] == node:
                return int(voter.rsplit(":", 1)[1])
    except (OSError, ValueError, StopIteration):
        pass
    return None


async def _kafka_metadata(connection: KafkaConnection, limit_s: float, node: int | None) -> bool:
    """True if the broker answers a metadata request listing at least one broker (``node``,
    when given: a cluster's node is up once it has registered)."""
    from aiokafka import AIOKafkaClient  # lazy: keeps `python -m stack --help` fast

    client = AIOKafkaClient(**connection.aiokafka_kwargs(), request_timeout_ms=int(limit_s * 1000))
    try:
        async with asyncio.timeout(limit_s):
            await client.bootstrap()
        registered = {broker.nodeId for broker in client.cluster.brokers()}
        return node in registered if node is not None else bool(registered)
    except Exception:  # any failure just means "not healthy yet"
        return False
    finally:
        await client.close()


FERRETDB_DEBUG_ADDR_ENV = "MICROCRED_FERRETDB_DEBUG_ADDR"


class FerretDB(Service):
    name = "ferretdb"
    what = "MongoDB wire (FerretDB)"
    port_env = MONGO_PORT_ENV

    @property
    def address(self) -> str:
        return f"mongodb://{procs.LOCALHOST}:{self.port}/"

    def check_installed(self) -> None:
        if not os.access(self.layout.ferretdb_bin, os.X_OK):
            raise StackError(
                f"FerretDB binary missing at {self.layout.ferretdb_bin}: "
                "run `python -m stack fetch` (or `make install`)"
            )

    def prepare(self) -> None:
        (self.dir / "data").mkdir(parents=True, exist_ok=True)

    def argv(self) -> list[str]:
        return [
            str(self.layout.ferretdb_bin),
            "--handler=sqlite",
            # FerretDB runs SQLite in WAL mode; synchronous=NORMAL there skips the fsync of each
            # commit (SQLite's default FULL does one per write statement: about 0.4 ms of the
            # 0.5 ms an update or delete by `_id` took here, against 0.12 ms). A commit still
            # survives any crash of FerretDB or of a service; only a power loss or an OS crash
            # may take back the last commits. Production runs MongoDB (docker compose).
            f"--sqlite-url=file:{self.dir / 'data'}/?_pragma=synchronous(normal)",
            f"--listen-addr={procs.LOCALHOST}:{self.port}",
            # "-" disables the HTTP debug/metrics listener (default :8088) so instances coexist;
            # MICROCRED_FERRETDB_DEBUG_ADDR (say 127.0.0.1:8088) serves its Prometheus metrics
            # and Go's pprof profiles, to see where the database spends its time.
            f"--debug-addr={os.environ.get(FERRETDB_DEBUG_ADDR_ENV, '-')}",
            "--telemetry=disable",
            f"--state-dir={self.dir}",
            "--log-level=warn",
        ]

    def env(self) -> dict[str, str]:
        return {**os.environ, "DO_NOT_TRACK": "1", "FERRETDB_TELEMETRY": "disable"}

    def probe(self, timeout: float) -> bool:
        if not procs.port_accepts(self.port, timeout=timeout):
            return False
        from pymongo import MongoClient  # lazy: keeps `python -m stack --help` fast
        from pymongo.errors import PyMongoError

        ms = int(timeout * 1000)
        client: MongoClient[dict[str, object]] = MongoClient(
            self.address, serverSelectionTimeoutMS=ms, connectTimeoutMS=ms, socketTimeoutMS=ms
        )
        try:
            return client.admin.command("ping").get("ok") == 1
        except PyMongoError:
            return False
        finally:
            client.close()


_LOG4J2_XML = """\
<?xml version="1.0" encoding="UTF-8"?>
<!-- Written by `stack`: broker logs go to a file, not the terminal that ran `stack up`. -->
<Configuration status="WARN" shutdownHook="disable">
  <Appenders>
    <File name="server" fileName="${sys:kafka.logs.dir}/server.log" append="true">
      <PatternLayout pattern="[%d] %p %m (%c)%n"/>
    </File>
  </Appenders>
  <Loggers>
    <Logger name="kafka" level="INFO"/>
    <Logger name="org.apache.kafka" level="INFO"/>
    <Logger name="state.change.logger" level="WARN"/>
    <Logger name="kafka.request.logger" level="WARN"/>
    <Root level="INFO"><AppenderRef ref="server"/></Root>
  </Loggers>
</Configuration>
"""
