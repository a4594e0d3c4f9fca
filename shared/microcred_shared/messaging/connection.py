"""How one Kafka client authenticates: the bootstrap servers and the principal it speaks as.

Every client of the ecosystem — a service's broker, its admin and lag clients, the CLI, the
tests — builds its connection from one :class:`KafkaConnection`, so no client can forget the
credentials and fall back to an anonymous connection the broker would refuse anyway.
"""

from __future__ import annotations

import os
import ssl
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

from faststream.security import BaseSecurity, SASLPlaintext, SASLScram256, SASLScram512


class SecurityProtocol(StrEnum):
    PLAINTEXT = "PLAINTEXT"
    SASL_PLAINTEXT = "SASL_PLAINTEXT"
    SASL_SSL = "SASL_SSL"


class SaslMechanism(StrEnum):
    SCRAM_SHA_512 = "SCRAM-SHA-512"
    SCRAM_SHA_256 = "SCRAM-SHA-256"
    PLAIN = "PLAIN"


# The variables a CLI user or an operator's script sets; the services read the same names
# through their settings.
ENV_BOOTSTRAP = ("MICROCRED_KAFKA_BOOTSTRAP_SERVERS", "KAFKA_BOOTSTRAP_SERVERS")
ENV_PROTOCOL = "MICROCRED_KAFKA_SECURITY_PROTOCOL"
ENV_MECHANISM = "MICROCRED_KAFKA_SASL_MECHANISM"
ENV_USERNAME = "MICROCRED_KAFKA_USERNAME"
ENV_PASSWORD = "MICROCRED_KAFKA_PASSWORD"  # noqa: S105 - the variable's name, not a secret
ENV_CAFILE = "MICROCRED_KAFKA_SSL_CAFILE"


@dataclass(frozen=True)
class KafkaConnection:
    """Where the brokers are and which principal a client authenticates as."""

    bootstrap_servers: str
    security_protocol: SecurityProtocol = SecurityProtocol.PLAINTEXT
    sasl_mechanism: SaslMechanism = SaslMechanism.SCRAM_SHA_512
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    ssl_cafile: str | None = None

    @property
    def bootstrap_list(self) -> list[str]:
        """``host:port`` of each bootstrap broker: aiokafka takes a list, and reads one string
        as a single address (``a:9092,b:9092`` would never connect to a cluster)."""
        return [server.strip() for server in self.bootstrap_servers.split(",") if server.strip()]

    @property
    def uses_sasl(self) -> bool:
        return self.security_protocol is not SecurityProtocol.PLAINTEXT

    @property
    def principal(self) -> str | None:
        """The Kafka principal the broker sees (``User:<name>``), None when anonymous."""
        return f"User:{self.username}" if self.uses_sasl and self.username else None

    def as_principal(self, username: str, password: str) -> KafkaConnection:
        """The same brokers, another principal (e.g. a provider's credentials)."""
        return replace(self, username=username, password=password)

    def _ssl_context(self) -> ssl.SSLContext | None:
        if self.security_protocol is not SecurityProtocol.SASL_SSL:
            return None
        return ssl.create_default_context(cafile=self.ssl_cafile)

    def aiokafka_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for any aiokafka client (producer, consumer, admin)."""
        kwargs: dict[str, Any] = {
            "bootstrap_servers": self.bootstrap_list,
            "security_protocol": self.security_protocol.value,
        }
        if self.uses_sasl:
            kwargs |= {
                "sasl_mechanism": self.sasl_mechanism.value,
                "sasl_plain_username": self.username,
                "sasl_plain_password": self.password,
                "ssl_context": self._ssl_context(),
            }
        return kwargs

    def faststream_security(self) -> BaseSecurity | None:
        """The FastStream ``security`` object for a ``KafkaBroker``."""
        if not self.uses_sasl:
            return None
        use_ssl = self.security_protocol is SecurityProtocol.SASL_SSL
        kinds: Mapping[SaslMechanism, type[SASLPlaintext | SASLScram256 | SASLScram512]] = {
            SaslMechanism.SCRAM_SHA_512: SASLScram512,
            SaslMechanism.SCRAM_SHA_256: SASLScram256,
            SaslMechanism.PLAIN: SASLPlaintext,
        }
        return kinds[self.sasl_mechanism](
            self.username or "",
            self.password or "",
            ssl_context=self._ssl_context(),
            use_ssl=use_ssl,
        )

    def librdkafka_config(self) -> dict[str, str]:
        """Configuration for a librdkafka client (confluent-kafka's admin client)."""
        config = {
            "bootstrap.servers": self.bootstrap_servers,
            "security.protocol": self.security_protocol.value,
        }
        if self.uses_sasl:
            config |= {
                "sasl.mechanisms": self.sasl_mechanism.value,
                "sasl.username": self.username or "",
                "sasl.password": self.password or "",
            }
        if self.ssl_cafile:
            config["ssl.ca.location"] = self.ssl_cafile
        return config

    def environment(self) -> dict[str, str]:
        """The variables that give a child process (a service, the CLI) this connection."""
        env = {
            "KAFKA_BOOTSTRAP_SERVERS": self.bootstrap_servers,
            ENV_PROTOCOL: self.security_protocol.value,
            ENV_MECHANISM: self.sasl_mechanism.value,
        }
        if self.username is not None:
            env[ENV_USERNAME] = self.username
        if self.password is not None:
            env[ENV_PASSWORD] = self.password
        if self.ssl_cafile:
            env[ENV_CAFILE] = self.ssl_cafile
        return env

    @classmethod
    def from_environment(
        cls, environ: Mapping[str, str] | None = None, *, default_bootstrap: str = ""
    ) -> KafkaConnection:
        """The connection the variables of :meth:`environment` describe."""
        env = os.environ if environ is None else environ
        bootstrap = next((env[name] for name in ENV_BOOTSTRAP if env.get(name)), None)
        username = env.get(ENV_USERNAME) or None
        default_protocol = SecurityProtocol.SASL_PLAINTEXT if username else "PLAINTEXT"
        return cls(
            bootstrap_servers=bootstrap or default_bootstrap,
            security_protocol=SecurityProtocol(env.get(ENV_PROTOCOL) or default_protocol),
            sasl_mechanism=SaslMechanism(env.get(ENV_MECHANISM) or SaslMechanism.SCRAM_SHA_512),
            username=username,
            password=env.get(ENV_PASSWORD) or None,
            ssl_cafile=env.get(ENV_CAFILE) or None,
        )
