"""The four services as separate OS processes, started, watched and stopped like the stack."""

from __future__ import annotations

import asyncio
import os
import re
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from microcred_shared.events.topics import TopicNames
from microcred_shared.messaging.acls import SERVICES, registrar_principal, service_principal
from microcred_shared.messaging.connection import KafkaConnection
from microcred_shared.messaging.provisioning import REGISTRAR, provision_deployment
from microcred_shared.settings import TopicLayoutSettings

from microcred.ecosystem.secrets import dev_secrets, kafka_passwords
from stack.procs import (
    cmdline,
    group_alive,
    is_own_child,
    kill_group,
    port_in_use,
    read_pid,
    spawn,
)

SERVICE_NAMES = ("catalogue", "issuer", "verifier", "notifier")
DEFAULT_PORTS = {
    "catalogue": 8001,
    "issuer": 8002,
    "verifier": 8003,
    "notifier": 8004,
    "mailsink": 1025,
}
LOCALHOST = "127.0.0.1"
# Settings that let a service reach loopback and private addresses: development only.
PRIVATE_URL_ALLOWANCE = re.compile(r"_ALLOW_PRIVATE_")


class EcosystemError(RuntimeError):
    """A service could not be started or did not become ready; the message says which."""


@dataclass(frozen=True)
class ServiceProcess:
    name: str
    port: int

    @property
    def module(self) -> str:
        return f"microcred_{self.name}"

    @property
    def env_prefix(self) -> str:
        return f"{self.name.upper()}_"

    @property
    def url(self) -> str:
        return f"http://{LOCALHOST}:{self.port}"


@dataclass
class Ecosystem:
    """Starts the services against a running Kafka and MongoDB-wire database.

    Pid files and logs live in ``run_dir`` so ``microcred down`` works from another shell.
    ``topic_prefix`` and ``database_prefix`` let tests run an isolated ecosystem beside a
    developer's own.
    """

    run_dir: Path
    # The operator's connection: with SASL, the super user that provisions each service's own
    # principal; every service then runs as itself, never as this one.
    kafka: KafkaConnection
    mongodb_uri: str
    ports: Mapping[str, int] = field(default_factory=lambda: dict(DEFAULT_PORTS))
    topic_prefix: str = ""
    database_prefix: str = ""
    extra_env: Mapping[str, str] = field(default_factory=dict)
    die_with_parent: bool = False
    # MICROCRED_ENVIRONMENT=production, without the development allowances for private URLs:
    # the services behave as deployed (secrets are still the random ones kept in run_dir).
    production: bool = False
    _replicas: dict[str, ServiceProcess] = field(default_factory=dict, init=False, repr=False)

    @property
    def kafka_bootstrap(self) -> str:
        return self.kafka.bootstrap_servers

    @property
    def topics(self) -> TopicNames:
        return TopicNames(self.topic_prefix)

    def provision_kafka(self) -> None:
        """Make each service's own principal with its grants, and the topics, on the broker
        (idempotent). Without SASL (an external broker with no authentication) there are no
        principals to make, only topics."""
        passwords = kafka_passwords(self.run_dir, [*SERVICES, REGISTRAR])
        # The layout the services themselves create topics with (MICROCRED_KAFKA_PARTITIONS …).
        layout = TopicLayoutSettings().topic_layout
        asyncio.run(provision_deployment(self.kafka, self.topics, passwords, layout=layout))

    def principal_of(self, name: str) -> KafkaConnection:
        """The Kafka connection of a service (or ``"registrar"``) of this ecosystem: its own
        principal, whose password is kept in the run dir (see :meth:`provision_kafka`)."""
        if not self.kafka.uses_sasl:
            return self.kafka
        username = (
            registrar_principal(self.topics)
            if name == REGISTRAR
            else service_principal(self.topics, name)
        )
        return self.kafka.as_principal(username, kafka_passwords(self.run_dir, [name])[name])

    @property
    def services(self) -> list[ServiceProcess]:
        return [ServiceProcess(name, self.ports[name]) for name in SERVICE_NAMES]

    def service(self, name: str) -> ServiceProcess:
        return ServiceProcess(name, self.ports[name])

    def _pid_file(self, service: ServiceProcess) -> Path:
        return self.run_dir / f"{service.name}.pid"

    def log_file(self, name: str) -> Path:
        return self.run_dir / f"{name}.log"

    def environment(self, service: ServiceProcess) -> dict[str, str]:
        prefix = service.env_prefix
        urls = {f"MICROCRED_{s.name.upper()}_URL": s.url for s in self.services}
        inherited = {
            name: value
            for name, value in os.environ.items()
            if not (self.production and PRIVATE_URL_ALLOWANCE.search(name))
        }
        environment = (
            "production"
            if self.production
            else os.environ.get("MICROCRED_ENVIRONMENT", "development")
        )
        return {
            **inherited,
            **self.principal_of(service.name).environment(),
            **self._registrar_env(service),
            "MONGODB_URI": self.mongodb_uri,
            "MICROCRED_TOPIC_PREFIX": self.topic_prefix,
            "MICROCRED_ENVIRONMENT": environment,
            f"{prefix}HTTP_HOST": LOCALHOST,
            f"{prefix}HTTP_PORT": str(service.port),
            f"{prefix}PUBLIC_BASE_URL": service.url,
            f"{prefix}MONGODB_DATABASE": f"{self.database_prefix}microcred_{service.name}",
            **urls,
            **self._local_env(),
            **({} if self.production else self._development_allowances()),
            **self.extra_env,
        }

    def _registrar_env(self, service: ServiceProcess) -> dict[str, str]:
        registrar = self.principal_of(REGISTRAR)
        if service.name != "catalogue" or not registrar.uses_sasl:
            return {}
        return {
            "CATALOGUE_KAFKA_REGISTRAR_USERNAME": registrar.username or "",
            "CATALOGUE_KAFKA_REGISTRAR_PASSWORD": registrar.password or "",
        }

    def _local_env(self) -> dict[str, str]:
        """Random secrets kept in run_dir (long enough for production) and the local mail sink."""
        return {
            **dev_secrets(self.run_dir),
            "NOTIFIER_SMTP_HOST": LOCALHOST,
            "NOTIFIER_SMTP_PORT": str(self.ports["mailsink"]),
        }

    def _development_allowances(self) -> dict[str, str]:
        """Local URLs allowed, since everything is on 127.0.0.1."""
        return {
            "NOTIFIER_ALLOW_PRIVATE_WEBHOOK_URLS": "true",
            "VERIFIER_ALLOW_PRIVATE_URLS": "true",
        }

    def start_mail_sink(self) -> None:
        """A local SMTP server that prints every learner e-mail to mailsink.log."""
        pid_file = self.run_dir / "mailsink.pid"
        pid = read_pid(pid_file)
        if pid is not None and group_alive(pid):
            return
        address = f"{LOCALHOST}:{self.ports['mailsink']}"
        pid = spawn(
            [
                sys.executable,
                "-u",  # unbuffered: each e-mail is in the log as soon as it arrives
                "-m",
                "aiosmtpd",
                "-n",
                "-l",
                address,
                "-c",
                "aiosmtpd.handlers.Debugging",
            ],
            log_file=self.log_file("mailsink"),
            cwd=Path.cwd(),
            die_with_parent=self.die_with_parent,
        )
        pid_file.write_text(str(pid))

    def running(self, service: ServiceProcess) -> bool:
        pid = read_pid(self._pid_file(service))
        if pid is None or not group_alive(pid):
            return False
        command = cmdline(pid) or ""
        return service.module in command

    def start(self, *, timeout: float = 90.0) -> None:
        """Start every service not yet running, then wait until all are ready."""
        self.run_dir.mkdir(parents=True, exist_ok=True)
        self.provision_kafka()
        self.start_mail_sink()
        for service in self.services:
            if self.running(service):
                continue
            if port_in_use(service.port):
                raise EcosystemError(
                    f"port {service.port} for {service.name} is in use by another program"
                )
            pid = spawn(
                [sys.executable, "-m", service.module],
                log_file=self.log_file(service.name),
                cwd=Path.cwd(),
                env=self.environment(service),
                die_with_parent=self.die_with_parent,
            )
            self._pid_file(service).write_text(str(pid))
        self.wait_ready(timeout=timeout)

    def start_one(self, name: str, *, timeout: float = 60.0) -> None:
        """(Re)start one service, e.g. after a test killed it."""
        service = self.service(name)
        pid = spawn(
            [sys.executable, "-m", service.module],
            log_file=self.log_file(name),
            cwd=Path.cwd(),
            env=self.environment(service),
            die_with_parent=self.die_with_parent,
        )
        self._pid_file(service).write_text(str(pid))
        self._wait_one(service, time.monotonic() + timeout)

    def start_replica(self, name: str, port: int, *, timeout: float = 60.0) -> str:
        """One more process of service ``name`` on ``port``, in the same consumer group and
        database, with the same public URL (as behind a load balancer). Returns its name for
        :meth:`stop_one`, :meth:`pid_of` and :meth:`log_file`, e.g. ``issuer@8123``."""
        primary = self.service(name)
        replica = f"{name}@{port}"
        pid = spawn(
            [sys.executable, "-m", primary.module],
            log_file=self.log_file(replica),
            cwd=Path.cwd(),
            env={**self.environment(primary), f"{primary.env_prefix}HTTP_PORT": str(port)},
            die_with_parent=self.die_with_parent,
        )
        (self.run_dir / f"{replica}.pid").write_text(str(pid))
        self._replicas[replica] = ServiceProcess(name, port)
        self._wait_one(self._replicas[replica], time.monotonic() + timeout, replica)
        return replica

    def pid_of(self, name: str) -> int | None:
        """The process group id of a service or replica, for tests that kill it hard."""
        return read_pid(self.run_dir / f"{name}.pid")

    def stop_one(self, name: str, *, grace: float = 10.0) -> None:
        pid_file = self.run_dir / f"{name}.pid"
        pid = read_pid(pid_file)
        if pid is not None and group_alive(pid):
            kill_group(pid, grace=grace)
        pid_file.unlink(missing_ok=True)
        self._replicas.pop(name, None)

    def stop(self) -> None:
        for replica in list(self._replicas):
            self.stop_one(replica)
        for service in reversed(self.services):
            self.stop_one(service.name)
        pid = read_pid(self.run_dir / "mailsink.pid")
        if pid is not None and group_alive(pid):
            kill_group(pid, grace=5.0)
        (self.run_dir / "mailsink.pid").unlink(missing_ok=True)

    def wait_ready(self, *, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        for service in self.services:
            self._wait_one(service, deadline)

    def _wait_one(self, service: ServiceProcess, deadline: float, name: str = "") -> None:
        name = name or service.name
        while not ready(service.url):
            if not self._alive(name, service):
                raise EcosystemError(
                    f"{name} exited during start-up; see {self.log_file(name)}:\n"
                    + tail_of(self.log_file(name))
                )
            if time.monotonic() > deadline:
                raise EcosystemError(
                    f"{name} not ready at {service.url}/health/ready; see {self.log_file(name)}"
                )
            time.sleep(0.25)

    def _alive(self, name: str, service: ServiceProcess) -> bool:
        pid = self.pid_of(name)
        if pid is None or not group_alive(pid):
            return False
        # A child this process just spawned may not have exec'd yet: its command line is still
        # this Python's, which is no sign that it died.
        return is_own_child(pid) or service.module in (cmdline(pid) or "")

    def status(self) -> dict[str, str]:
        return {
            s.name: ("ready" if ready(s.url) else "starting") if self.running(s) else "stopped"
            for s in self.services
        }


def ready(base_url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{base_url}/health/ready", timeout=2) as response:  # noqa: S310
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError):
        return False


def tail_of(path: Path, lines: int = 20) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"
